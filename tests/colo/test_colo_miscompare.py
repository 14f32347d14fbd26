"""A reply that differs between the replicas (/cgi-bin/token prints the
clocks, the TSC and random bytes) makes colo-compare request a
checkpoint; every client still gets one well-formed answer, never two;
right after such a checkpoint the PVM's and the SVM's guest RAM are equal
page for page (per-page hashes taken by both sides with the VM stopped).
"""
from colo_env import info_colo


def compare_stats(pair):
    return pair.p.command('qom-get', path='/objects/comp0',
                          property='stats')


def test_token_miscompare_checkpoints_and_equal_memory(pair_factory, client):
    pair = pair_factory(delay_ms=20000)   # periodic checkpoints out of the way
    before = compare_stats(pair)
    n0 = pair.checkpoints()
    run = client.start('tokens', 12)
    result, events = run.result(timeout=120)
    tokens = result['tokens']
    assert result['errors'] == 0 and result['malformed'] == 0, events[-5:]
    assert len(tokens) >= 5, result
    assert len(set(tokens)) == len(tokens), 'a token was served twice'
    after = compare_stats(pair)
    miscompares = after['miscompares-tcp'] - before['miscompares-tcp']
    by_miscompare = (after['checkpoint-requests-miscompare'] -
                     before['checkpoint-requests-miscompare'])
    # each token reply differs: every request triggers a checkpoint, by
    # a miscompare, or by compare_timeout when the SVM's reply is late
    # (a loaded host)
    timeouts = (after['checkpoint-requests-timeout'] -
                before['checkpoint-requests-timeout'])
    assert miscompares + timeouts >= len(tokens), \
        (miscompares, timeouts, len(tokens))
    assert by_miscompare + timeouts >= len(tokens), \
        (by_miscompare, timeouts, len(tokens))
    done = pair.checkpoints() - n0
    assert done >= len(tokens), (done, len(tokens))
    trig = info_colo(pair.p)['triggers']
    assert 'miscompare=0' not in trig, trig

    # memory equal page for page right after a miscompare checkpoint
    for i in range(3):
        ck_p, ck_s, diff = pair.page_hashes(
            trigger=lambda: client.start('tokens', 0.1))
        assert ck_p == ck_s
        assert diff == [], 'pages differ after checkpoint %d: %s' % (
            ck_p, diff[:20])
    # and after a periodic/external one
    ck_p, ck_s, diff = pair.page_hashes()
    assert diff == [], diff[:20]
