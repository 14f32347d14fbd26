"""QMP wire protocol conformance against QEMU 7.2's recorded behaviour.

Every expectation here comes from shared/docs/qemu-transcripts
(qmp-basic-session.txt, qmp-malformed-and-oob.txt, qmp-wire-details.txt);
replies are compared as parsed JSON, except where the transcript pins the
bytes (CRLF framing, separators).
"""
import json
import socket
import time

import pytest

from qmp import QMPClient


def error(desc, cls='GenericError'):
    return {'error': {'class': cls, 'desc': desc}}


def test_greeting_bytes_and_shape(tandem_none):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(10)
    sock.connect(tandem_none.qmp_path)
    data = b''
    while not data.endswith(b'\r\n'):
        data += sock.recv(4096)
    sock.close()
    assert data.startswith(b'{"QMP": {"version": {"qemu": {')
    greeting = json.loads(data)
    assert greeting['QMP']['version']['qemu'] == {
        'major': 7, 'minor': 2, 'micro': 22}
    assert isinstance(greeting['QMP']['version']['package'], str)
    assert greeting['QMP']['capabilities'] == ['oob']


def test_negotiation_mode(tandem_none):
    c = tandem_none.qmp(negotiate=False)
    assert c.cmd('query-version') == error(
        "Expecting capabilities negotiation with 'qmp_capabilities'",
        'CommandNotFound')
    assert c.cmd('qmp_capabilities') == {'return': {}}
    assert c.cmd('qmp_capabilities') == error(
        'Capabilities negotiation is already complete, command ignored',
        'CommandNotFound')
    assert c.cmd('qmp_capabilities', enable=['oob']) == error(
        'Capabilities negotiation is already complete, command ignored',
        'CommandNotFound')


def test_negotiation_with_oob(tandem_none):
    c = tandem_none.qmp(negotiate=False)
    assert c.cmd('qmp_capabilities', enable=['oob']) == {'return': {}}
    c.send_raw('{"exec-oob":"query-status","id":"oob-not-allowed"}\n')
    assert c.read_reply() == {
        'id': 'oob-not-allowed',
        'error': {'class': 'GenericError',
                  'desc': 'The command query-status does not support OOB'}}


@pytest.mark.parametrize('req_id', ['v1', 42, {'a': [1, 2]}, [1, {'x': None}]])
def test_id_echoed_verbatim(tandem_none, req_id):
    c = tandem_none.qmp()
    r = c.cmd_raw('query-version', id=req_id)
    assert r['id'] == req_id
    assert r['return']['qemu'] == {'major': 7, 'minor': 2, 'micro': 22}


def test_status_and_name_replies(tandem_none):
    c = tandem_none.qmp()
    # Started without -S: running.
    assert c.cmd('query-status') == {'return': {
        'status': 'running', 'singlestep': False, 'running': True}}
    assert c.cmd('query-name') == {'return': {}}


def test_command_errors(tandem_none):
    c = tandem_none.qmp()
    assert c.cmd_raw('no-such-command', id='u1') == {
        'id': 'u1', 'error': {
            'class': 'CommandNotFound',
            'desc': 'The command no-such-command has not been found'}}
    assert c.cmd('query-status', bogus=1) == error(
        "Parameter 'bogus' is unexpected")
    c.send_raw('{"foo":"bar"}\n')
    assert c.read_reply() == error("QMP input member 'foo' is unexpected")
    c.send_raw('{"execute":123}\n')
    assert c.read_reply() == error(
        "QMP input member 'execute' must be a string")
    c.send_raw('[1,2,3]\n')
    assert c.read_reply() == error('QMP input must be a JSON object')
    c.send_raw('"just a string"\n')
    assert c.read_reply() == error('QMP input must be a JSON object')
    c.send_raw('{"execute":"query-status","id":"x","arguments":[]}\n')
    assert c.read_reply() == {'id': 'x', 'error': {
        'class': 'GenericError',
        'desc': "QMP input member 'arguments' must be an object"}}
    c.send_raw('{"exec-oob":"query-status","id":"o"}\n')
    assert c.read_reply() == {'id': 'o', 'error': {
        'class': 'GenericError',
        'desc': "QMP input member 'exec-oob' is unexpected"}}
    # The session still works.
    assert c.cmd('query-status')['return']['running'] is True


def test_malformed_json_recovers(tandem_none):
    c = tandem_none.qmp()
    c.send_raw('{"execute": }\n')
    assert c.read_reply() == error('JSON parse error, expecting value')
    r = c.cmd_raw('query-status', id='after-bad-1')
    assert r['id'] == 'after-bad-1'
    c.send_raw('}\n')
    assert c.read_reply() == error('JSON parse error, expecting value')
    c.send_raw('not json at all\n')
    for word in ('not', 'json', 'at', 'all'):
        assert c.read_reply() == error(
            "JSON parse error, invalid keyword '%s'" % word)
    r = c.cmd_raw('query-status', id='after-bad-3')
    assert r['id'] == 'after-bad-3'


def test_stream_framing(tandem_none):
    c = tandem_none.qmp()
    c.send_raw("{'execute':'query-status','id':'single-quotes'}\n")
    assert c.read_reply()['id'] == 'single-quotes'
    c.send_raw('{"execute":"query-status"\n')
    time.sleep(0.1)
    c.send_raw(',"id":"split-across-lines"}\n')
    assert c.read_reply()['id'] == 'split-across-lines'
    c.send_raw('{"execute":"query-status","id":"no-newline"}')
    assert c.read_reply()['id'] == 'no-newline'
    c.send_raw('{"execute":"query-version","id":"a"}'
               '{"execute":"query-status","id":"b"}\n')
    assert c.read_reply()['id'] == 'a'
    assert c.read_reply()['id'] == 'b'
    # Empty and blank lines produce nothing; the next reply is ours.
    c.send_raw('\n   \n\t\n')
    assert c.cmd_raw('query-status', id='z')['id'] == 'z'


def test_reply_bytes_use_crlf_and_qemu_separators(tandem_none):
    c = tandem_none.qmp()
    c.send_raw('{"execute":"query-name"}\n')
    assert c.read_line() == b'{"return": {}}'
    assert c.buf == b''


def test_huge_token_rejected_and_session_survives(tandem_none):
    c = tandem_none.qmp()
    # A string token over the 64 MiB limit.
    chunk = b'a' * (1 << 20)
    c.send_raw(b'{"execute":"query-status","id":"')
    for _ in range(65):
        c.send_raw(chunk)
    c.send_raw(b'"}\n')
    r = c.read_reply()
    assert 'error' in r
    assert r['error']['class'] == 'GenericError'
    assert 'JSON' in r['error']['desc']
    # Once the oversized token is dropped, the session keeps working.
    c.send_raw('{"execute":"query-status","id":"alive"}\n')
    assert drain_until_id(c, 'alive')['return']['running'] is True


def drain_until_id(c, req_id, limit=5000):
    """Reads replies until the one carrying @req_id; returns it."""
    for _ in range(limit):
        r = c.read_reply()
        if r.get('id') == req_id:
            return r
        assert 'error' in r
    raise AssertionError('no reply with id %r' % req_id)


def test_deep_nesting_rejected(tandem_none):
    c = tandem_none.qmp()
    c.send_raw('[' * 1025 + ']' * 1025 + '\n')
    r = c.read_reply()
    assert r == error('JSON nesting depth limit exceeded')
    # The stray closing brackets give errors of their own; then the
    # session works again.
    c.send_raw('{"execute":"query-status","id":"alive"}\n')
    assert drain_until_id(c, 'alive')['return']['running'] is True
    # 1024 levels are still fine for the parser (the reply is an error
    # only because the top level is not an object).
    c.send_raw('[' * 1024 + ']' * 1024 + '\n')
    assert c.read_reply() == error('QMP input must be a JSON object')


def test_invalid_utf8_rejected(tandem_none):
    c = tandem_none.qmp()
    c.send_raw(b'{"execute":"query-status","id":"\xc3\x28"}\n')
    r = c.read_reply()
    assert r['error']['class'] == 'GenericError'
    assert r['error']['desc'].startswith('JSON parse error')
    r = c.cmd_raw('query-status', id='alive')
    while r.get('id') != 'alive':
        r = c.read_reply()
    assert r['return']['running'] is True


def test_non_ascii_id_escaped_uppercase(tandem_none):
    c = tandem_none.qmp()
    c.send_raw('{"execute":"query-name","id":"\u00e9\u2713"}\n'.encode())
    line = c.read_line()
    assert b'"\\u00E9\\u2713"' in line
    assert json.loads(line)['id'] == '\u00e9\u2713'


def test_stop_cont_events_in_order(tandem_none):
    c = tandem_none.qmp()
    c.send_raw('{"execute":"stop"}\n')
    ev = c.read_message()
    assert ev['event'] == 'STOP'
    assert 'data' not in ev
    assert set(ev['timestamp']) == {'seconds', 'microseconds'}
    assert abs(ev['timestamp']['seconds'] - time.time()) < 60
    assert c.read_message() == {'return': {}}
    assert c.cmd('query-status') == {'return': {
        'status': 'paused', 'singlestep': False, 'running': False}}
    c.send_raw('{"execute":"cont"}\n')
    assert c.read_message()['event'] == 'RESUME'
    assert c.read_message() == {'return': {}}
    assert c.hmp('info status') == 'VM status: running\r\n'


def test_prelaunch_with_S(vm_factory):
    vm = vm_factory(['-machine', 'none', '-nodefaults', '-S'])
    vm.launch()
    c = vm.qmp()
    assert c.cmd('query-status') == {'return': {
        'status': 'prelaunch', 'singlestep': False, 'running': False}}
    assert c.hmp('info status') == 'VM status: paused (prelaunch)\r\n'


def test_events_need_negotiation_and_reach_all_monitors(vm_factory, tmp_path):
    second = str(tmp_path / 'second.sock')
    vm = vm_factory(['-machine', 'none', '-nodefaults',
                     '-chardev', 'socket,id=mon2,path=%s,server=on,wait=off'
                     % second,
                     '-mon', 'chardev=mon2,mode=control'])
    vm.launch()
    a = vm.qmp()
    b = QMPClient(second)
    a.cmd('stop')
    assert a.get_event('STOP', timeout=5) is not None
    assert b.get_event('STOP', timeout=5) is not None
    b.cmd('cont')
    assert a.get_event('RESUME', timeout=5) is not None
    assert b.get_event('RESUME', timeout=5) is not None
    b.close()


def test_no_events_before_negotiation(vm_factory, tmp_path):
    second = str(tmp_path / 'second.sock')
    vm = vm_factory(['-machine', 'none', '-nodefaults',
                     '-chardev', 'socket,id=mon2,path=%s,server=on,wait=off'
                     % second,
                     '-mon', 'chardev=mon2,mode=control'])
    vm.launch()
    a = vm.qmp()
    b = QMPClient(second, negotiate=False)
    a.cmd('stop')
    a.cmd('cont')
    b.sock.settimeout(0.5)
    with pytest.raises(socket.timeout):
        b.read_message()
    b.sock.settimeout(10)
    assert b.cmd('qmp_capabilities') == {'return': {}}
    a.cmd('stop')
    assert b.get_event('STOP', timeout=5) is not None
    b.close()


def test_second_client_waits_for_first(tandem_none):
    a = tandem_none.qmp()
    b_sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    b_sock.connect(tandem_none.qmp_path)
    b_sock.settimeout(0.5)
    with pytest.raises(socket.timeout):
        b_sock.recv(100)
    a.close()
    b_sock.settimeout(10)
    data = b''
    while not data.endswith(b'\r\n'):
        data += b_sock.recv(4096)
    assert json.loads(data)['QMP']['capabilities'] == ['oob']
    b_sock.close()


def test_client_disconnect_mid_message(tandem_none):
    for _ in range(5):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(tandem_none.qmp_path)
        s.recv(4096)
        s.sendall(b'{"execute":"qmp_capabilities"}{"execute":"query-st')
        s.close()
    c = tandem_none.qmp()
    assert c.cmd('query-status')['return']['running'] is True
    assert tandem_none.proc.poll() is None


def test_quit_sends_shutdown_then_reply_then_eof(tandem_none):
    c = tandem_none.qmp()
    c.send_raw('{"execute":"quit","id":"bye"}\n')
    ev = c.read_message()
    assert ev['event'] == 'SHUTDOWN'
    assert ev['data'] == {'guest': False, 'reason': 'host-qmp-quit'}
    assert c.read_message() == {'return': {}, 'id': 'bye'}
    with pytest.raises((EOFError, ConnectionResetError)):
        c.read_message()
    assert tandem_none.wait(10) == 0
