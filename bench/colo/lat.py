#!/usr/bin/python3
"""Per-path latency of the guest's httpd: the request loop of
tests/colo/client.py http (GET / and every 10th request /1M.bin, one at a
time, Connection: close), timed per path.  Prints one JSON line:
{path: {n, p50_ms, p90_ms, max_ms}, 'requests': N}.

usage: lat.py HOST SECONDS
"""
import http.client
import json
import statistics
import sys
import time


def get(host, path):
    c = http.client.HTTPConnection(host, 80, timeout=10)
    try:
        c.request('GET', path, headers={'Connection': 'close'})
        r = c.getresponse()
        return r.status, r.read()
    finally:
        c.close()


def main():
    host, seconds = sys.argv[1], float(sys.argv[2])
    end = time.time() + seconds
    times = {'/': [], '/1M.bin': []}
    n = 0
    while time.time() < end:
        path = '/1M.bin' if n % 10 == 9 else '/'
        t0 = time.perf_counter()
        try:
            get(host, path)
        except (OSError, http.client.HTTPException):
            pass
        times[path].append((time.perf_counter() - t0) * 1000)
        n += 1
    out = {'requests': n}
    for path, v in times.items():
        if v:
            v.sort()
            out[path] = {'n': len(v), 'p50_ms': round(statistics.median(v),
                                                      2),
                         'p90_ms': round(v[int(0.9 * (len(v) - 1))], 2),
                         'max_ms': round(v[-1], 2)}
    print(json.dumps(out))


if __name__ == '__main__':
    main()
