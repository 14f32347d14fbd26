#!/usr/bin/python3
"""Per-path latency of the guest's httpd: the request loop of
tests/colo/client.py http (GET / and every 10th request /1M.bin, one at a
time, Connection: close), timed per path.  Prints one JSON line:
{path: {n, p50_ms, p90_ms, max_ms}, 'requests': N, 'errors': E}
(failed requests are counted, not timed).

usage: lat.py HOST SECONDS
"""
import http.client
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__)))), 'tests', 'colo'))
from client import get  # noqa: E402  (the test client's request)


def main():
    host, seconds = sys.argv[1], float(sys.argv[2])
    end = time.time() + seconds
    times = {'/': [], '/1M.bin': []}
    n = errors = 0
    while time.time() < end:
        path = '/1M.bin' if n % 10 == 9 else '/'
        t0 = time.perf_counter()
        n += 1
        try:
            status, _ = get(host, path)
        except (OSError, http.client.HTTPException):
            status = None
        if status != 200:
            errors += 1             # not a latency: counted apart
            continue
        times[path].append((time.perf_counter() - t0) * 1000)
    out = {'requests': n, 'errors': errors}
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
