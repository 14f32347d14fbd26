"""A small QMP client for functional tests (standard library only)."""
import json
import socket
import time


class QMPError(Exception):
    pass


class QMPClient:
    """Talks QMP over a unix or TCP socket.

    Replies and events are parsed as JSON; events that arrive while
    waiting for a reply are queued and can be fetched with get_event().
    """

    def __init__(self, address, timeout=30.0, negotiate=True,
                 tolerate_repeated_greeting=False):
        if isinstance(address, str):
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        else:
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        # The socket file appears at bind(), a moment before listen().
        for attempt in range(50):
            try:
                self.sock.connect(address)
                break
            except ConnectionRefusedError:
                if attempt == 49:
                    raise
                time.sleep(0.02)
        self.buf = b''
        self.events = []
        # QEMU 7.2 (a peer in interop tests) sometimes sends its greeting
        # twice when the client connects while it is still starting up: the
        # chardev replays the "opened" event when the monitor attaches.
        # Tandem must never do that, so only peers get this allowance.
        self.tolerate_repeated_greeting = tolerate_repeated_greeting
        self.greeting = self.read_message()
        if negotiate:
            r = self.cmd('qmp_capabilities')
            assert r == {'return': {}}, r

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def send_raw(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.sock.sendall(data)

    def read_line(self):
        """Returns one raw \\r\\n-terminated line (bytes, without ending)."""
        while b'\n' not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError('QMP connection closed')
            self.buf += chunk
        line, self.buf = self.buf.split(b'\n', 1)
        return line.rstrip(b'\r')

    def read_message(self):
        return json.loads(self.read_line())

    def read_reply(self):
        """Next non-event message; events are queued."""
        while True:
            msg = self.read_message()
            if 'event' in msg:
                self.events.append(msg)
                continue
            if 'QMP' in msg and self.tolerate_repeated_greeting:
                continue
            return msg

    def cmd_raw(self, name, args=None, id=None):
        req = {'execute': name}
        if args is not None:
            req['arguments'] = args
        if id is not None:
            req['id'] = id
        self.send_raw(json.dumps(req) + '\n')
        return self.read_reply()

    def cmd(self, name, **kwargs):
        args = {k.replace('_', '-'): v for k, v in kwargs.items()}
        return self.cmd_raw(name, args if args else None)

    def command(self, name, **kwargs):
        """Like cmd() but returns the 'return' value or raises QMPError."""
        r = self.cmd(name, **kwargs)
        if 'error' in r:
            raise QMPError('%s: %s' % (r['error']['class'],
                                       r['error']['desc']))
        return r['return']

    def hmp(self, line):
        return self.command('human-monitor-command', command_line=line)

    def get_event(self, name=None, timeout=10.0):
        deadline = time.monotonic() + timeout
        while True:
            for i, ev in enumerate(self.events):
                if name is None or ev['event'] == name:
                    return self.events.pop(i)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            self.sock.settimeout(remaining)
            try:
                msg = self.read_message()
            except socket.timeout:
                return None
            finally:
                self.sock.settimeout(30.0)
            if 'event' in msg:
                self.events.append(msg)
