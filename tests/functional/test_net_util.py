"""Helpers (no tests) for the network functional tests: Ethernet/IPv4/UDP
frames, the COLO proxy chardev framing (be32 len [+ be32 vnet_hdr_len] +
payload) and free local ports."""
import socket
import struct
import time


def free_port(kind=socket.SOCK_STREAM):
    s = socket.socket(socket.AF_INET, kind)
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port


def free_ports(n, kind=socket.SOCK_STREAM):
    ports = set()
    while len(ports) < n:
        ports.add(free_port(kind))
    return sorted(ports)


def ip_checksum(data):
    if len(data) % 2:
        data += b'\0'
    s = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def udp_frame(payload, sport=1234, dport=5678, src='10.0.2.15',
              dst='10.0.2.2', ident=1):
    """An Ethernet + IPv4 + UDP frame (UDP checksum 0)."""
    udp = struct.pack('!HHHH', sport, dport, 8 + len(payload), 0) + payload
    hdr = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(udp), ident, 0,
                      64, 17, 0, socket.inet_aton(src), socket.inet_aton(dst))
    hdr = hdr[:10] + struct.pack('!H', ip_checksum(hdr)) + hdr[12:]
    eth = (bytes.fromhex('525400123456') + bytes.fromhex('525400abcdef') +
           b'\x08\x00')
    return eth + hdr + udp


def encode(frame, vnet_hdr=False, vnet_hdr_len=0):
    out = struct.pack('!I', len(frame))
    if vnet_hdr:
        out += struct.pack('!I', vnet_hdr_len)
    return out + frame


class FrameReader:
    """Reads framed packets from a connected TCP socket."""

    def __init__(self, sock, vnet_hdr=False):
        self.sock = sock
        self.vnet_hdr = vnet_hdr
        self.buf = b''

    def _need(self, n, deadline):
        while len(self.buf) < n:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError('no frame')
            self.sock.settimeout(remaining)
            data = self.sock.recv(65536)
            if not data:
                raise EOFError('connection closed')
            self.buf += data

    def read(self, timeout=10.0):
        """Returns (frame, vnet_hdr_len or None)."""
        deadline = time.monotonic() + timeout
        hl = 8 if self.vnet_hdr else 4
        self._need(hl, deadline)
        length = struct.unpack('!I', self.buf[:4])[0]
        vlen = struct.unpack('!I', self.buf[4:8])[0] if self.vnet_hdr \
            else None
        self._need(hl + length, deadline)
        frame = self.buf[hl:hl + length]
        self.buf = self.buf[hl + length:]
        return frame, vlen


def connect(port, timeout=10.0):
    deadline = time.monotonic() + timeout
    while True:
        try:
            return socket.create_connection(('127.0.0.1', port), timeout=5)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def udp_socket(port=0):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(('127.0.0.1', port))
    return s


def wait_for(fn, timeout=10.0, interval=0.05):
    deadline = time.monotonic() + timeout
    while True:
        v = fn()
        if v:
            return v
        if time.monotonic() > deadline:
            return v
        time.sleep(interval)


def tcp_frame(seq, ack, flags, payload=b'', sport=5000, dport=80,
              src='10.0.2.2', dst='10.0.2.15', ident=1):
    """An Ethernet + IPv4 + TCP frame with valid checksums.
    flags: a string of 'S', 'A', 'F', 'P', 'R'."""
    bits = {'F': 1, 'S': 2, 'R': 4, 'P': 8, 'A': 16}
    fl = sum(bits[c] for c in flags)
    tcp = struct.pack('!HHIIBBHHH', sport, dport, seq, ack, 5 << 4, fl,
                      65535, 0, 0) + payload
    pseudo = (socket.inet_aton(src) + socket.inet_aton(dst) +
              struct.pack('!BBH', 0, 6, len(tcp)))
    tcp = tcp[:16] + struct.pack('!H', ip_checksum(pseudo + tcp)) + tcp[18:]
    hdr = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(tcp), ident, 0,
                      64, 6, 0, socket.inet_aton(src), socket.inet_aton(dst))
    hdr = hdr[:10] + struct.pack('!H', ip_checksum(hdr)) + hdr[12:]
    eth = (bytes.fromhex('525400123456') + bytes.fromhex('525400abcdef') +
           b'\x08\x00')
    return eth + hdr + tcp


def tcp_fields(frame):
    """(seq, ack, flags byte, payload) of a frame made by tcp_frame()."""
    seq, ack = struct.unpack('!II', frame[38:46])
    return seq, ack, frame[47], frame[54:]
