"""Live migration between two Tandem processes (-machine none -m 64:
RAM but no CPU) over tcp:, unix: and exec:, events and query-migrate,
bad streams on the destination, a dying destination, migrate_cancel."""
import socket
import struct
import threading
import time

import pytest


def qmp_of(vm, tries=100):
    """vm.qmp(), retrying while the socket file exists but does not
    accept yet (bind happens before listen in the VMM)."""
    for _ in range(tries):
        try:
            return vm.qmp()
        except ConnectionRefusedError:
            time.sleep(0.02)
    return vm.qmp()


ARGS = ['-machine', 'none', '-m', '64', '-nodefaults', '-display', 'none']
DONE = ('completed', 'failed', 'cancelled')


def wait_status(c, states=DONE, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        m = c.command('query-migrate')
        if m.get('status') in states:
            return m
        time.sleep(0.02)
    raise AssertionError('migration did not reach %s: %s' % (states, m))


def wait_runstate(c, state, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        s = c.command('query-status')['status']
        if s == state:
            return
        time.sleep(0.02)
    raise AssertionError('runstate %s, wanted %s' % (s, state))


def events(c, names=('MIGRATION', 'MIGRATION_PASS', 'STOP', 'RESUME')):
    c.get_event('NO_SUCH_EVENT', timeout=0.2)
    out = [(e['event'], e.get('data')) for e in c.events
           if e['event'] in names]
    c.events.clear()
    return out


def enable_events(c):
    c.command('migrate-set-capabilities',
              capabilities=[{'capability': 'events', 'state': True}])


def start_pair(vm_factory, incoming, dst_extra=()):
    dst = vm_factory(ARGS + list(dst_extra) + ['-incoming', incoming],
                     name='dst')
    dst.launch()
    src = vm_factory(ARGS, name='src')
    src.launch()
    return src, dst


def check_completed(m, ram_mib=64):
    assert m['status'] == 'completed'
    ram = m['ram']
    assert ram['total'] == ram_mib << 20
    assert ram['remaining'] == 0
    assert ram['page-size'] == 4096
    # An untouched guest: every page is a zero page.
    assert ram['duplicate'] + ram['normal'] >= ram['total'] // 4096
    assert ram['normal-bytes'] == ram['normal'] * 4096
    assert ram['dirty-sync-count'] >= 2
    assert ram['transferred'] < ram['total'] // 100
    assert m['total-time'] >= m['downtime'] >= 0
    assert m['setup-time'] >= 0


def test_tcp_events_and_states(vm_factory):
    src, dst = start_pair(vm_factory, 'tcp:127.0.0.1:0')
    s, d = qmp_of(src), qmp_of(dst)
    assert d.command('query-status')['status'] == 'inmigrate'
    port = d.command('query-migrate')['socket-address'][0]['port']
    text = d.hmp('info migrate').replace('\r\n', '\n')
    assert text.endswith('clear-bitmap-shift: 18\nMigration status: setup\n'
                         'total time: 0 ms\nsocket address: [\n'
                         '\ttcp:127.0.0.1:%s\n]\n' % port)
    enable_events(s)
    enable_events(d)
    s.command('migrate-set-capabilities', capabilities=[
        {'capability': 'return-path', 'state': True}])
    assert s.command('migrate', uri='tcp:127.0.0.1:%s' % port) == {}
    # MIGRATION setup comes before the reply to migrate.
    assert s.events[0]['event'] == 'MIGRATION'
    assert s.events[0]['data'] == {'status': 'setup'}
    m = wait_status(s)
    check_completed(m)
    assert events(s) == [
        ('MIGRATION', {'status': 'setup'}),
        ('MIGRATION_PASS', {'pass': 1}),
        ('MIGRATION', {'status': 'active'}),
        ('MIGRATION_PASS', {'pass': 2}),
        ('STOP', None),
        ('MIGRATION', {'status': 'device'}),
        ('MIGRATION_PASS', {'pass': 3}),
        ('MIGRATION', {'status': 'completed'}),
    ]
    assert s.command('query-status')['status'] == 'postmigrate'
    wait_runstate(d, 'running')
    assert events(d) == [('MIGRATION', {'status': 'active'}),
                         ('MIGRATION', {'status': 'completed'}),
                         ('RESUME', None)]
    assert d.command('query-migrate') == {'status': 'completed'}
    text = s.hmp('info migrate').replace('\r\n', '\n')
    assert '\nMigration status: completed\ntotal time: ' in text
    assert 'total ram: 65536 kbytes\n' in text
    assert 'duplicate: 16384 pages\n' in text or 'normal:' in text
    # A second migrate after completion is allowed to start again.
    r = s.cmd('migrate', uri='tcp:127.0.0.1:%s' % port)
    assert 'return' in r
    m = wait_status(s, ('failed',))
    assert 'error-desc' in m


def test_unix_defer_and_paused_destination(vm_factory, tmp_path):
    path = str(tmp_path / 'mig.sock')
    dst = vm_factory(ARGS + ['-S', '-incoming', 'defer'], name='dst')
    dst.launch()
    src = vm_factory(ARGS, name='src')
    src.launch()
    s, d = qmp_of(src), qmp_of(dst)
    enable_events(d)
    assert d.command('query-status')['status'] == 'inmigrate'
    assert d.command('migrate-incoming', uri='unix:' + path) == {}
    r = d.cmd('migrate-incoming', uri='unix:' + path)
    assert r['error']['desc'] == \
        'The incoming migration has already been started'
    assert s.command('migrate', uri='unix:' + path) == {}
    check_completed(wait_status(s))
    wait_runstate(d, 'paused')
    assert events(d) == [('MIGRATION', {'status': 'setup'}),
                         ('MIGRATION', {'status': 'active'}),
                         ('MIGRATION', {'status': 'completed'})]
    assert d.command('cont') == {}
    assert d.command('query-status')['status'] == 'running'


def test_cont_while_inmigrate_starts_after_load(vm_factory, tmp_path):
    path = str(tmp_path / 'mig.sock')
    dst = vm_factory(ARGS + ['-S', '-incoming', 'unix:' + path], name='dst')
    dst.launch()
    src = vm_factory(ARGS, name='src')
    src.launch()
    s, d = qmp_of(src), qmp_of(dst)
    assert d.command('cont') == {}
    assert d.command('query-status')['status'] == 'inmigrate'
    r = d.cmd('migrate', uri='unix:' + path + '.x')
    assert r['error']['desc'] == 'Guest is waiting for an incoming migration'
    s.command('migrate', uri='unix:' + path)
    check_completed(wait_status(s))
    wait_runstate(d, 'running')


def snapshot(vm_factory, tmp_path):
    path = str(tmp_path / 'state.bin')
    src = vm_factory(ARGS, name='snap')
    src.launch()
    s = qmp_of(src)
    assert s.command('migrate', uri='exec:cat > %s' % path) == {}
    check_completed(wait_status(s))
    return path


def test_exec_snapshot_and_restore(vm_factory, tmp_path):
    path = snapshot(vm_factory, tmp_path)
    data = open(path, 'rb').read()
    assert data[:8] == b'QEVM\x00\x00\x00\x03'
    # Guest clock and the x-colo flag travel as device sections.
    assert b'\x05timer' in data and b'\x06x-colo' in data
    dst = vm_factory(ARGS + ['-incoming', 'exec:cat %s' % path],
                     name='restore')
    dst.launch()
    d = qmp_of(dst)
    wait_runstate(d, 'running')
    assert d.command('query-migrate')['status'] == 'completed'


def restore_bad(vm_factory, tmp_path, data, name):
    bad = str(tmp_path / (name + '.bin'))
    with open(bad, 'wb') as f:
        f.write(data)
    dst = vm_factory(ARGS + ['-incoming', 'exec:cat %s' % bad], name=name)
    dst.launch()
    rc = dst.wait(timeout=20)
    assert rc != 0
    return dst.read_stderr()


def test_bad_streams_fail_naming_the_section(vm_factory, tmp_path):
    path = snapshot(vm_factory, tmp_path)
    data = open(path, 'rb').read()

    # Truncated in the middle of the RAM records.
    err = restore_bad(vm_factory, tmp_path, data[:len(data) // 2], 'trunc')
    assert 'load of migration failed' in err and "'ram'" in err

    # Version mismatch: the guest clock section claims version 99.
    i = data.index(b'\x05timer')
    at = i + 6 + 4
    assert struct.unpack('>I', data[at:at + 4])[0] == 1
    vdata = data[:at] + struct.pack('>I', 99) + data[at + 4:]
    err = restore_bad(vm_factory, tmp_path, vdata, 'version')
    assert "section 'timer' version 99 is newer than supported 1" in err

    # Corrupted: the first RAM record after the block list gets bad flags.
    j = data.index(b'\x03ram') + 4 + 8
    cdata = bytearray(data)
    hdr = data.index(struct.pack('>Q', 0x10), j) + 8   # after START's EOS
    hdr = data.index(b'\x02', hdr)                     # first PART section
    rec = hdr + 1 + 4                                  # type, section id
    cdata[rec + 7] = 0x40
    err = restore_bad(vm_factory, tmp_path, bytes(cdata), 'corrupt')
    assert "'ram'" in err and 'unknown record flags 0x40' in err

    # Not a stream at all.
    err = restore_bad(vm_factory, tmp_path, b'garbage' * 10, 'garbage')
    assert 'Not a migration stream' in err


def test_destination_dies_source_keeps_running(vm_factory):
    lsock = socket.socket()
    lsock.bind(('127.0.0.1', 0))
    lsock.listen(1)
    port = lsock.getsockname()[1]

    def sink():
        conn, _ = lsock.accept()
        conn.recv(1000)
        conn.close()

    t = threading.Thread(target=sink)
    t.start()
    src = vm_factory(ARGS, name='src')
    src.launch()
    s = qmp_of(src)
    assert s.command('query-status')['status'] == 'running'
    s.command('migrate-set-parameters', max_bandwidth=200000)
    assert s.command('migrate', uri='tcp:127.0.0.1:%d' % port) == {}
    m = wait_status(s)
    t.join()
    lsock.close()
    assert m['status'] == 'failed'
    assert m['error-desc']
    assert s.command('query-status')['status'] == 'running'


def test_migrate_cancel(vm_factory):
    src, dst = start_pair(vm_factory, 'tcp:127.0.0.1:0')
    s, d = qmp_of(src), qmp_of(dst)
    port = d.command('query-migrate')['socket-address'][0]['port']
    enable_events(s)
    # 64 MiB of zero pages is ~150 KB of stream: 20 KB/s takes seconds.
    s.command('migrate-set-parameters', max_bandwidth=20000)
    assert s.command('migrate', uri='tcp:127.0.0.1:%s' % port) == {}
    m = wait_status(s, ('active',))
    assert m['ram']['total'] == 64 << 20
    assert m['expected-downtime'] >= 0
    # The destination's monitor answers while the stream trickles in.
    t = time.monotonic()
    assert d.command('query-status')['status'] == 'inmigrate'
    assert d.command('query-migrate')['status'] == 'active'
    assert time.monotonic() - t < 1.0
    r = s.cmd('migrate-set-capabilities', capabilities=[
        {'capability': 'events', 'state': True}])
    assert r['error']['desc'] == "There's a migration process in progress"
    assert s.command('migrate_cancel') == {}
    m = wait_status(s, ('cancelled',))
    assert s.command('query-status')['status'] == 'running'
    evs = [e for e in events(s) if e[0] == 'MIGRATION']
    assert evs[-2:] == [('MIGRATION', {'status': 'cancelling'}),
                        ('MIGRATION', {'status': 'cancelled'})]
    # The destination saw a truncated stream and exits with an error.
    assert dst.wait(timeout=20) != 0
    assert 'load of migration failed' in dst.read_stderr()


@pytest.mark.parametrize('mib', [64, 256])
def test_timing(vm_factory, mib, capsys):
    dst = vm_factory(['-machine', 'none', '-m', str(mib), '-nodefaults',
                      '-display', 'none', '-incoming', 'tcp:127.0.0.1:0'],
                     name='dst')
    dst.launch()
    src = vm_factory(['-machine', 'none', '-m', str(mib), '-nodefaults',
                      '-display', 'none'], name='src')
    src.launch()
    s, d = qmp_of(src), qmp_of(dst)
    port = d.command('query-migrate')['socket-address'][0]['port']
    t = time.monotonic()
    s.command('migrate', uri='tcp:127.0.0.1:%s' % port)
    m = wait_status(s)
    wall = time.monotonic() - t
    check_completed(m, mib)
    assert m['downtime'] <= 300
    with capsys.disabled():
        print('\n%d MiB: total-time %d ms, downtime %d ms, wall %.3f s' % (
            mib, m['total-time'], m['downtime'], wall))


def test_pause_before_switchover(vm_factory):
    src, dst = start_pair(vm_factory, 'tcp:127.0.0.1:0')
    s, d = qmp_of(src), qmp_of(dst)
    port = d.command('query-migrate')['socket-address'][0]['port']
    s.command('migrate-set-capabilities', capabilities=[
        {'capability': 'events', 'state': True},
        {'capability': 'pause-before-switchover', 'state': True}])
    r = s.cmd('migrate-continue', state='pre-switchover')
    assert r['error']['desc'] == 'Migration not in expected state: none'
    s.command('migrate', uri='tcp:127.0.0.1:%s' % port)
    wait_status(s, ('pre-switchover',))
    assert s.command('query-status')['status'] == 'finish-migrate'
    assert s.command('migrate-continue', state='pre-switchover') == {}
    check_completed(wait_status(s))
    evs = [e for e in events(s) if e[0] == 'MIGRATION']
    assert evs == [('MIGRATION', {'status': s_}) for s_ in
                   ('setup', 'active', 'pre-switchover', 'device',
                    'completed')]
    wait_runstate(d, 'running')


def test_hmp_migrate_and_cancel(vm_factory, tmp_path):
    path = str(tmp_path / 'mig.sock')
    dst = vm_factory(ARGS + ['-incoming', 'unix:' + path], name='dst')
    dst.launch()
    src = vm_factory(ARGS, name='src')
    src.launch()
    s = qmp_of(src)
    assert s.hmp('migrate_set_parameter max-bandwidth 20000') == ''
    assert s.hmp('migrate -d unix:' + path) == ''
    wait_status(s, ('active',))
    text = s.hmp('info migrate').replace('\r\n', '\n')
    assert '\nMigration status: active\n' in text
    assert '\nexpected downtime: ' in text
    assert '\ntotal ram: 65536 kbytes\n' in text
    assert s.hmp('migrate_cancel') == ''
    wait_status(s, ('cancelled',))
    text = s.hmp('info migrate').replace('\r\n', '\n')
    assert text.endswith('Migration status: cancelled\ntotal time: 0 ms\n')
    assert s.command('query-status')['status'] == 'running'
    assert dst.wait(timeout=20) != 0


@pytest.mark.parametrize('return_path', [False, True])
def test_ram_size_mismatch(vm_factory, tmp_path, return_path):
    path = str(tmp_path / 'mig.sock')
    dst = vm_factory(['-machine', 'none', '-m', '32', '-nodefaults',
                      '-display', 'none', '-incoming', 'unix:' + path],
                     name='dst')
    dst.launch()
    src = vm_factory(ARGS, name='src')
    src.launch()
    s = qmp_of(src)
    s.command('migrate-set-capabilities', capabilities=[
        {'capability': 'return-path', 'state': return_path}])
    s.command('migrate', uri='unix:' + path)
    assert dst.wait(timeout=20) != 0
    err = dst.read_stderr()
    assert "'ram'" in err
    assert "RAM block 'ram' has size 0x4000000 in the stream but " \
        "0x2000000 here" in err
    m = wait_status(s)
    if return_path:
        # The destination's verdict comes back: the source keeps running.
        assert m['status'] == 'failed'
        assert s.command('query-status')['status'] == 'running'
    else:
        # As QEMU without return-path: the whole (small) stream was sent.
        assert m['status'] in ('completed', 'failed')


def test_bad_incoming_uri_exits(vm_factory):
    dst = vm_factory(ARGS + ['-incoming', 'nosuch:x'], name='dst')
    dst.launch(wait_socket=False)
    assert dst.wait(timeout=20) == 1
    assert 'unknown migration protocol' in dst.read_stderr()


def test_prelaunch_source(vm_factory, tmp_path):
    """libvirt and COLO-FT start the source with -S and migrate it."""
    path = str(tmp_path / 'mig.sock')
    src = vm_factory(ARGS + ['-S'], name='src')
    src.launch()
    s = qmp_of(src)
    s.command('migrate-set-capabilities', capabilities=[
        {'capability': 'return-path', 'state': True}])
    # No listener: the migration fails and the VM stays in prelaunch.
    s.command('migrate', uri='unix:' + path)
    assert wait_status(s)['status'] == 'failed'
    assert s.command('query-status')['status'] == 'prelaunch'
    # A destination that rejects the stream: back to prelaunch too.
    bad = vm_factory(['-machine', 'none', '-m', '32', '-nodefaults',
                      '-display', 'none', '-incoming', 'unix:' + path],
                     name='bad')
    bad.launch()
    s.command('migrate', uri='unix:' + path)
    assert wait_status(s)['status'] == 'failed'
    assert s.command('query-status')['status'] == 'prelaunch'
    assert bad.wait(timeout=20) != 0
    # A good destination: completed, source postmigrate.
    dst = vm_factory(ARGS + ['-incoming', 'unix:' + path], name='dst')
    dst.launch()
    s.command('migrate', uri='unix:' + path)
    check_completed(wait_status(s))
    assert s.command('query-status')['status'] == 'postmigrate'
    wait_runstate(qmp_of(dst), 'running')


