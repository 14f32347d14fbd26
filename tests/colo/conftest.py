"""Fixtures of the end-to-end COLO tests (tests/colo/colo_env.py).

They need root (network namespaces, taps), iproute2 and the test guest;
a missing piece fails the test, it is not skipped.
"""
import os
import shutil
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from colo_env import Net, Pair, Client  # noqa: E402


def pytest_configure(config):
    config.addinivalue_line('markers', 'colo: end-to-end COLO test')


@pytest.fixture
def net():
    assert os.geteuid() == 0, 'the COLO end-to-end tests need root'
    assert shutil.which('ip'), 'iproute2 (ip) is needed'
    n = Net('tc%d' % (os.getpid() % 100000))
    yield n
    n.close()


@pytest.fixture
def pair_factory(net, tmp_path):
    made = []

    def make(**kw):
        p = Pair(net, tmpdir=str(tmp_path), **kw)
        made.append(p)
        p.wait_ready()
        return p
    yield make
    for p in made:
        p.close()


@pytest.fixture
def client(net, tmp_path):
    d = tmp_path / 'client'
    d.mkdir()
    return Client(net, str(d))
