"""Where the binaries under test are (shared by conftest.py, guest.py and
the end-to-end COLO tests in tests/colo/)."""
import os

SRC_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
BUILD_DIR = os.environ.get('TANDEM_BUILD_DIR', os.path.join(SRC_DIR, 'build'))
TANDEM = os.path.join(BUILD_DIR, 'qemu-system-x86_64')
DEBIAN_QEMU = '/usr/bin/qemu-system-x86_64'
