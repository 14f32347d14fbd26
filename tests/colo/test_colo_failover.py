"""Failover with real clients.

Primary dies: with an established echo connection, a token loop and
HTTP load running, the PVM is killed (SIGKILL by PID) at a random moment;
the secondary gets COLO-FT.txt's failover sequence (x-colo-lost-heartbeat
first).  The same echo connection keeps working, new requests succeed,
and no token the client received is ever served again (the survivor
never repeats or contradicts output the client saw).

Secondary dies: the primary reports COLO_EXIT (error), gets COLO-FT.txt's
primary failover sequence and keeps serving, the echo connection intact.
"""
import random
import time

from colo_env import ONE_MB_SHA256, info_colo, wait_for


def check_tokens(result, events):
    tokens = result['tokens']
    assert result['malformed'] == 0, [e for e in events
                                      if e.get('kind') == 'malformed']
    dup = {t for t in tokens if tokens.count(t) > 1}
    assert not dup, 'tokens served twice: %s' % sorted(dup)
    return tokens


def first_ok_after(events, t):
    oks = [e['t'] for e in events if e.get('kind') == 'token' and e['t'] > t]
    return min(oks) if oks else None


def test_kill_primary_failover_keeps_connections(pair_factory, client):
    pair = pair_factory()
    echo = client.start('echo', 60)
    tokens = client.start('tokens', 60)
    http = client.start('http', 60, ONE_MB_SHA256)
    time.sleep(random.uniform(8, 20))
    assert pair.checkpoints() > 0
    t_kill = time.time()
    pair.pvm.kill()
    ev = pair.s.get_event('COLO_EXIT', timeout=15)
    assert ev is not None and ev['data'] == {'mode': 'secondary',
                                             'reason': 'error'}, ev
    t_hb = time.time()
    pair.failover_to_secondary()
    assert pair.s.command('query-colo-status') == {
        'mode': 'none', 'last-mode': 'secondary', 'reason': 'request'}
    assert pair.s.command('query-status')['status'] == 'running'
    assert pair.s.command('query-migrate')['status'] == 'completed'

    t_done = time.time()
    e_res, e_ev = echo.result(timeout=120)
    t_res, t_ev = tokens.result(timeout=120)
    h_res, h_ev = http.result(timeout=120)
    assert e_res['failed'] is None, (e_res, e_ev[-5:])
    assert e_res['lines'] > 100, e_res
    got = check_tokens(t_res, t_ev)
    first = first_ok_after(t_ev, t_hb)
    assert first is not None, 'no token served after the failover'
    assert h_res['bad'] == 0, h_ev[-5:]
    assert h_res['last_ok'] and h_res['last_ok'] > t_hb, h_res
    # Every request started after the failover succeeds.  A request
    # whose connection was being opened while the primary died may time
    # out (see the closing note of issue 7); it is reported, not hidden.
    # Two clients open connections (tokens, http): at most one each.
    straddling = []
    for ev in t_ev + h_ev:
        if ev.get('kind') == 'error':
            assert ev['start'] < t_done, ('a request started after the '
                                          'failover failed', ev)
            straddling.append(ev)
    assert len(straddling) <= 2, straddling
    print('failover: kill->first token %.3f s, heartbeat->first token '
          '%.3f s, %d tokens, %d request(s) straddling the failover lost'
          % (first - t_kill, first - t_hb, len(got), len(straddling)))


def test_kill_secondary_primary_keeps_serving(pair_factory, client):
    pair = pair_factory()
    echo = client.start('echo', 40)
    http = client.start('http', 40, ONE_MB_SHA256)
    time.sleep(random.uniform(5, 12))
    pair.svm.kill()
    ev = pair.p.get_event('COLO_EXIT', timeout=15)
    assert ev is not None and ev['data'] == {'mode': 'primary',
                                             'reason': 'error'}, ev
    t_fo = time.time()
    pair.failover_to_primary()
    assert pair.p.command('query-colo-status') == {
        'mode': 'none', 'last-mode': 'primary', 'reason': 'request'}
    wait_for(lambda: pair.p.command('query-migrate')['status'] ==
             'completed', 10, 'migration completed')
    e_res, e_ev = echo.result(timeout=120)
    h_res, h_ev = http.result(timeout=120)
    assert e_res['failed'] is None, (e_res, e_ev[-5:])
    assert h_res['bad'] == 0 and h_res['errors'] == 0, h_ev[-5:]
    assert h_res['last_ok'] and h_res['last_ok'] > t_fo, h_res
    assert pair.p.command('query-status')['status'] == 'running'


def test_reprotect_then_fail_over_to_the_new_secondary(pair_factory, client):
    """COLO-FT.txt's re-protection: the secondary dies, the primary runs
    alone, a new secondary is started and the primary enters COLO with it
    again (object-add of the filters and colo-compare, x-colo, migrate);
    then the primary dies and the new secondary takes over.  One echo
    connection lives through all of it."""
    pair = pair_factory()
    echo = client.start('echo', 400)
    time.sleep(3)
    pair.svm.kill()
    assert pair.p.get_event('COLO_EXIT', timeout=15) is not None
    pair.failover_to_primary()
    pair.reprotect()
    assert pair.p.command('query-colo-status')['mode'] == 'primary'
    # the new pair compares: a token forces a checkpoint
    before = pair.p.command('qom-get', path='/objects/comp0',
                            property='stats')['checkpoint-requests-miscompare']
    t_res, t_ev = client.start('tokens', 3).result(timeout=60)
    assert t_res['errors'] == 0 and t_res['tokens'], t_ev[-5:]
    after = pair.p.command('qom-get', path='/objects/comp0',
                           property='stats')['checkpoint-requests-miscompare']
    assert after > before
    pair.pvm.kill()
    pair.failover_to_secondary()
    t_res, t_ev = client.start('tokens', 3).result(timeout=60)
    assert t_res['errors'] == 0 and t_res['tokens'], t_ev[-5:]
    echo.proc.terminate()
    e_res, e_ev = echo.result(timeout=30)
    assert e_res['failed'] is None, (e_res, e_ev[-5:])


def test_replication_link_goes_silent(pair_factory, net, client):
    """The link between the hosts drops every packet (no reset): both
    sides detect it within their I/O timeout, report COLO_EXIT (error) and
    keep running; the primary, after its failover sequence, serves."""
    pair = pair_factory()
    echo = client.start('echo', 60)
    time.sleep(3)
    t0 = time.time()
    net.cut_replication_link()
    ev_p = pair.p.get_event('COLO_EXIT', timeout=30)
    ev_s = pair.s.get_event('COLO_EXIT', timeout=30)
    assert ev_p and ev_p['data'] == {'mode': 'primary', 'reason': 'error'}
    assert ev_s and ev_s['data'] == {'mode': 'secondary', 'reason': 'error'}
    print('link cut: COLO_EXIT after %.1f s' % (time.time() - t0))
    for c in (pair.p, pair.s):
        assert c.command('query-status')['status'] == 'running'
    pair.failover_to_primary()
    t_res, t_ev = client.start('tokens', 3).result(timeout=60)
    assert t_res['errors'] == 0 and t_res['tokens'], t_ev[-5:]
    echo.proc.terminate()
    e_res, e_ev = echo.result(timeout=60)
    assert e_res['failed'] is None, (e_res, e_ev[-5:])


def test_failover_before_the_first_checkpoint(net, client, tmp_path):
    """A connection established while the replicas have never been
    checkpointed since the guest came up (the SVM's TCP sequence numbers
    are its own; the secondary's filter-rewriter translates them) survives
    the primary's death: after x-colo-lost-heartbeat the rewriter keeps
    translating sequence numbers and TCP timestamps (the client drops
    segments whose timestamp is behind the PVM's as old duplicates).
    QEMU 7.2 resets such connections."""
    from colo_env import Pair
    # the guest boots before the first periodic checkpoint is due
    pair = Pair(net, tmpdir=str(tmp_path), delay_ms=600000)
    try:
        pair.pvm.guest.wait_ready(400)
        # The replicas boot separately: a connection made before the
        # SVM's echo service is up gets a timeout checkpoint
        # (docs/devel/colo.rst, "End to end").
        pair.svm.guest.wait_ready(400)
        # A checkpoint on demand (colo-compare) during the 5 s would give
        # the SVM the PVM's connection: that is the other failover test.
        # Such a run does not test this case; open a new connection.
        for attempt in range(3):
            n = pair.checkpoints()
            echo = client.start('echo', 40)
            time.sleep(5)
            at_kill = pair.checkpoints()
            if at_kill == n:
                break
            print('attempt %d: a checkpoint came (%s); again' % (
                attempt, info_colo(pair.p).get('triggers')))
            echo.proc.terminate()
            echo.result(timeout=60)
        pair.pvm.kill()
        pair.failover_to_secondary()
        # the connection never went through a checkpoint
        assert at_kill == n, (n, at_kill)
        e_res, e_ev = echo.result(timeout=120)
        assert e_res['failed'] is None, (e_res, e_ev[-5:])
        assert e_res['lines'] > 100, e_res
        print('before first checkpoint: %d checkpoints since boot began, '
              'echo %d lines' % (n, e_res['lines']))
    finally:
        pair.close()
