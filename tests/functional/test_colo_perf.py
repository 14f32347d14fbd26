"""COLO pause measurements between two Tandem processes (-machine none):
PVM pause per checkpoint (p50/p99) with a RAM dirtier, with and without
background dirty-page streaming, and the pause at COLO start with and
without the precopy-filled RAM cache.  Prints the figures (pytest -s);
asserts only what must hold on any machine."""
import time

import pytest

from test_migration_live import qmp_of, wait_status, wait_runstate, \
    enable_events
from test_colo_core import info_colo


def run(vm_factory, mib, rate, background, svm_cap=True, secs=4.0):
    args = ['-machine', 'none', '-m', str(mib), '-nodefaults',
            '-display', 'none']
    dst = vm_factory(args + ['-incoming', 'tcp:127.0.0.1:0'], name='svm')
    dst.launch()
    src = vm_factory(args + ['-S'], name='pvm')
    src.launch()
    s, d = qmp_of(src), qmp_of(dst)
    if svm_cap:
        d.command('migrate-set-capabilities', capabilities=[
            {'capability': 'x-colo', 'state': True}])
    s.command('migrate-set-capabilities', capabilities=[
        {'capability': 'x-colo', 'state': True}])
    s.command('migrate-set-parameters',
              **{'x-colo-background-bandwidth': background})
    port = d.command('query-migrate')['socket-address'][0]['port']
    s.command('migrate', uri='tcp:127.0.0.1:%s' % port)
    wait_status(s, ('colo',))
    wait_status(d, ('colo',))
    wait_runstate(d, 'running')
    s.hmp('x_debug_colo_dirtier %d' % rate)
    s.command('migrate-set-parameters', **{'x-checkpoint-delay': 200})
    time.sleep(secs)
    s.hmp('x_debug_colo_dirtier 0')
    pi, di = info_colo(s), info_colo(d)
    src.shutdown()
    dst.shutdown()
    return pi, di


def us(v):
    return int(v.split()[0])


@pytest.mark.parametrize('mib', [64, 256])
@pytest.mark.parametrize('background', [0, 256 << 20])
def test_checkpoint_pause(vm_factory, mib, background):
    pi, di = run(vm_factory, mib, rate=20000, background=background)
    n = int(pi['checkpoints'])
    assert n >= 5
    print('\nCOLO %d MiB, dirtier 20000 pages/s, 200 ms, background %s: '
          '%d checkpoints, PVM pause p50 %d us p99 %d us mean %d us, '
          'bytes/checkpoint mean %s, background bytes %s, start pause %s'
          % (mib, background or 'off', n, us(pi['pause p50']),
             us(pi['pause p99']), us(pi['pause mean']), pi['bytes mean'],
             pi['background bytes'], pi['start pause']))
    if background:
        assert int(pi['background bytes']) > 0


@pytest.mark.parametrize('svm_cap', [True, False])
def test_start_pause(vm_factory, svm_cap):
    pi, di = run(vm_factory, 256, rate=0, background=0, svm_cap=svm_cap,
                 secs=0.5)
    print('\nCOLO start, 256 MiB, cache filled during precopy: %s: '
          'PVM start pause %s, SVM start pause %s'
          % (svm_cap, pi['start pause'], di['start pause']))
