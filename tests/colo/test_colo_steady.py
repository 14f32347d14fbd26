"""Steady state: 5 minutes of HTTP load from the client against the COLO
pair with a checkpoint every 2 s (x-checkpoint-delay 2000).  At least 150
checkpoints complete, none hangs (the count never stalls), every response
is correct (the index page, and every 10th request the 1 MiB file by
SHA-256)."""
import time

from colo_env import ONE_MB_SHA256, info_colo

DURATION = 300


def test_five_minutes_of_http_with_checkpoints(pair_factory, client):
    pair = pair_factory(delay_ms=2000)
    n0 = pair.checkpoints()
    run = client.start('http', DURATION, ONE_MB_SHA256)
    t0 = time.time()
    last_n, last_change = n0, t0
    stall = 0.0
    while run.proc.poll() is None and time.time() - t0 < DURATION + 60:
        time.sleep(1)
        n = pair.checkpoints()
        now = time.time()
        if n != last_n:
            last_n, last_change = n, now
        stall = max(stall, now - last_change)
        assert stall < 20, 'no checkpoint for %.0f s' % stall
    result, events = run.result(timeout=60)
    done = pair.checkpoints() - n0
    stats = info_colo(pair.p)
    print('steady: %d checkpoints, %d requests, worst %.2f s, longest gap '
          '%.1f s, pause p50 %s p99 %s' % (
              done, result['requests'], result['worst_seconds'], stall,
              stats['pause p50'], stats['pause p99']))
    assert done >= 150, (done, stats)
    assert result['bad'] == 0 and result['errors'] == 0, events[-5:]
    assert result['requests'] >= 100, result
    assert pair.p.command('query-migrate')['status'] == 'colo'
    assert pair.s.command('query-migrate')['status'] == 'colo'
