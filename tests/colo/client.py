"""Client programs for the COLO end-to-end tests; run in the client
namespace (ip netns exec ... python3 client.py MODE ARGS).

  http HOST SECONDS SHA256_OF_1M   GET / and every 10th request /1M.bin,
                                   each body checked
  tokens HOST SECONDS              GET /cgi-bin/token in a loop, every
                                   token recorded
  echo HOST SECONDS                one TCP connection to the echo service,
                                   a numbered line every 50 ms, each echo
                                   checked

SIGTERM ends a program early, and it still prints its result.
Each prints one JSON object on stdout at the end (or when it fails) and
progress/events as JSON lines on stderr with timestamps, so a test can
tell what happened when.  Every wait is bounded by the socket timeout.
"""
import hashlib
import http.client
import json
import signal
import socket
import sys
import time

TIMEOUT = 20
STOP = []


def running(end):
    return time.time() < end and not STOP


def event(**kw):
    kw['t'] = time.time()
    sys.stderr.write(json.dumps(kw) + '\n')
    sys.stderr.flush()


def get(host, path):
    c = http.client.HTTPConnection(host, 80, timeout=TIMEOUT)
    try:
        c.request('GET', path, headers={'Connection': 'close'})
        r = c.getresponse()
        return r.status, r.read()
    finally:
        c.close()


def run_http(host, seconds, sha_1m):
    end = time.time() + seconds
    n = bad = errors = 0
    worst = 0.0
    index = None
    last_ok = None
    while running(end):
        path = '/1M.bin' if n % 10 == 9 else '/'
        t0 = time.time()
        try:
            status, body = get(host, path)
        except (OSError, http.client.HTTPException) as e:
            errors += 1
            event(kind='error', path=path, error=repr(e), start=t0)
            n += 1
            continue
        dt = time.time() - t0
        worst = max(worst, dt)
        n += 1
        if path == '/':
            index = index or body
            good = status == 200 and body == index and b'Tandem' in body
        else:
            good = (status == 200 and len(body) == 1 << 20 and
                    hashlib.sha256(body).hexdigest() == sha_1m)
        if not good:
            bad += 1
            event(kind='bad', path=path, status=status, length=len(body))
        else:
            last_ok = time.time()
            if dt > 2:
                event(kind='slow', path=path, seconds=dt)
    return {'requests': n, 'bad': bad, 'errors': errors,
            'worst_seconds': worst, 'last_ok': last_ok}


def run_tokens(host, seconds):
    end = time.time() + seconds
    tokens = []
    errors = 0
    malformed = 0
    while running(end):
        t0 = time.time()
        try:
            status, body = get(host, '/cgi-bin/token')
        except (OSError, http.client.HTTPException) as e:
            errors += 1
            event(kind='error', error=repr(e), start=t0)
            continue
        text = body.decode(errors='replace').strip()
        parts = text.split('-')
        if status != 200 or len(parts) != 4 or len(parts[3]) != 32:
            malformed += 1
            event(kind='malformed', status=status, body=text[:100])
            continue
        tokens.append(text)
        event(kind='token', token=text)
    return {'tokens': tokens, 'errors': errors, 'malformed': malformed}


def run_echo(host, seconds):
    s = socket.create_connection((host, 7), timeout=TIMEOUT)
    s.settimeout(TIMEOUT)
    end = time.time() + seconds
    i = 0
    worst = 0.0
    try:
        while running(end):
            msg = ('line-%07d\n' % i).encode()
            t0 = time.time()
            s.sendall(msg)
            got = b''
            while len(got) < len(msg):
                chunk = s.recv(len(msg) - len(got))
                if not chunk:
                    raise EOFError('connection closed by the server')
                got += chunk
            dt = time.time() - t0
            if got != msg:
                return {'lines': i, 'failed': 'echo mismatch %r' % got}
            if dt > 0.5:
                event(kind='slow', line=i, seconds=dt)
            worst = max(worst, dt)
            i += 1
            time.sleep(0.05)
    except (OSError, EOFError) as e:
        return {'lines': i, 'failed': repr(e), 'worst_seconds': worst}
    finally:
        s.close()
    return {'lines': i, 'failed': None, 'worst_seconds': worst}


def main():
    signal.signal(signal.SIGTERM, lambda *a: STOP.append(1))
    mode, host, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
    if mode == 'http':
        out = run_http(host, seconds, sys.argv[4])
    elif mode == 'tokens':
        out = run_tokens(host, seconds)
    elif mode == 'echo':
        out = run_echo(host, seconds)
    else:
        raise SystemExit('unknown mode ' + mode)
    print(json.dumps(out), flush=True)


if __name__ == '__main__':
    main()
