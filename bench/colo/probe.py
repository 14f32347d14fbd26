"""Failover probe for bench/colo/run; runs in the client namespace.

    probe.py HOST SECONDS THREADS ATTEMPT_TIMEOUT

THREADS threads each GET / from HOST in a loop, one new connection per
request, every attempt bounded by ATTEMPT_TIMEOUT seconds (so a request
lost while no replica answers is retried soon, and a new one starts about
every ATTEMPT_TIMEOUT / THREADS seconds).  Every successful request is
printed as a JSON line {"start": t0, "end": t1} (host wall clock, the
same clock the bench reads), then a final {"done": true}.
"""
import http.client
import json
import sys
import threading
import time


def main():
    host, seconds = sys.argv[1], float(sys.argv[2])
    threads, timeout = int(sys.argv[3]), float(sys.argv[4])
    end = time.time() + seconds
    lock = threading.Lock()

    def worker():
        while time.time() < end:
            t0 = time.time()
            c = http.client.HTTPConnection(host, 80, timeout=timeout)
            try:
                c.request('GET', '/', headers={'Connection': 'close'})
                r = c.getresponse()
                body = r.read()
                ok = r.status == 200 and b'Tandem' in body
            except (OSError, http.client.HTTPException):
                ok = False
            finally:
                c.close()
            t1 = time.time()
            if ok:
                with lock:
                    sys.stdout.write(json.dumps({'start': t0, 'end': t1})
                                     + '\n')
                    sys.stdout.flush()
                time.sleep(0.02)
            elif t1 - t0 < timeout:
                time.sleep(min(0.05, timeout))

    ts = [threading.Thread(target=worker, daemon=True)
          for _ in range(threads)]
    for i, t in enumerate(ts):
        t.start()
        time.sleep(timeout / threads)
    for t in ts:
        t.join(seconds + timeout + 5)
    print(json.dumps({'done': True}), flush=True)


if __name__ == '__main__':
    main()
