#!/usr/bin/env python3
"""QAPI code generator: see scripts/qapi/main.py and docs/devel/qapi-code-gen.rst."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from qapi.main import main  # noqa: E402

if __name__ == '__main__':
    sys.exit(main())
