#!/usr/bin/python3
"""The main job: a COLO pair of the test guest, client traffic, a dead
primary, failover, and the client still served.

Run by scripts/run-demo.sh (which installs and builds first).  Everything
happens in network namespaces this script creates (addresses 10.78/10.79
exist only inside them) and is removed at the end, also on Ctrl-C.

    scripts/colo-demo.py [--traffic SECONDS] [--memory MIB] [--delay MS]
"""
import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

SRC = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(SRC, 'tests', 'colo'))

from colo_env import (Net, Pair, Client, GUEST_IP, ONE_MB_SHA256,  # noqa
                      info_colo, primary_args, secondary_args, wait_for)

# bench/colo's failover probe: new requests, each bounded by 0.3 s
PROBE = os.path.join(SRC, 'bench', 'colo', 'probe.py')
PROBE_SECONDS = 15


def probe_first_after(path, t_kill):
    """End time of the first successful probe request started after
    @t_kill (None if none), and whether any succeeded before it."""
    before, after = False, []
    with open(path) as f:
        for line in f:
            d = json.loads(line)
            if 'start' not in d:
                continue
            if d['end'] < t_kill:
                before = True
            elif d['start'] > t_kill:
                after.append(d['end'])
    return (min(after) if after else None), before


def say(msg=''):
    print(msg, flush=True)


def step(msg):
    say('\n== ' + msg)


def show_stats(pair, prefix='   '):
    s = info_colo(pair.p)
    say('%scheckpoints %s (%s); PVM pause p50 %s, p99 %s; background %s '
        'bytes' % (prefix, s['checkpoints'], s['triggers'], s['pause p50'],
                   s['pause p99'], s['background bytes']))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--traffic', type=float, default=20,
                    help='seconds of client traffic before the kill')
    ap.add_argument('--memory', default='256', help='guest RAM in MiB')
    ap.add_argument('--delay', type=int, default=2000,
                    help='x-checkpoint-delay in ms')
    args = ap.parse_args()
    if os.geteuid() != 0:
        raise SystemExit('colo-demo: needs root (network namespaces, taps)')
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(1))

    tmp = tempfile.mkdtemp(prefix='tandem-demo-')
    net = pair = None
    summary = {}
    try:
        step('Network: namespaces client, primary and secondary')
        net = Net('tdemo')
        say('   client %s (br0 = the LAN), guest %s on both replicas;'
            % ('10.78.0.1', GUEST_IP))
        say('   replication link primary 10.79.0.1 <-> secondary 10.79.0.2')

        step('Starting the PVM and the SVM (COLO-FT.txt command lines)')
        say('   primary:   qemu-system-x86_64 ... ' + ' '.join(primary_args()))
        say('   secondary: qemu-system-x86_64 ... ' +
            ' '.join(secondary_args()))
        t0 = time.monotonic()
        pair = Pair(net, tmpdir=tmp, memory=args.memory,
                    delay_ms=args.delay)
        say('   migrate with x-colo: both sides in COLO after %.1f s; PVM '
            'pause when COLO started: %s'
            % (time.monotonic() - t0, info_colo(pair.p)['start pause']))

        step('The guest boots on the PVM while checkpoints keep the SVM '
             'in step')
        deadline = time.monotonic() + 400
        while True:
            try:
                pair.pvm.guest.expect('TANDEM-GUEST-READY', 10)
                break
            except AssertionError:
                if time.monotonic() > deadline or not pair.pvm.alive():
                    raise
                show_stats(pair)
        pair.wait_checkpoint(60)
        say('   guest ready after %.1f s' % (time.monotonic() - t0))
        show_stats(pair)

        step('Client traffic for %.0f s: HTTP (index + 1 MiB file), '
             '/cgi-bin/token (differs per replica: each forces a '
             'checkpoint), one long echo connection' % args.traffic)
        client = Client(net, os.path.join(tmp, 'client'))
        os.makedirs(client.tmpdir, exist_ok=True)
        total = args.traffic + 25
        echo = client.start('echo', total)
        tokens = client.start('tokens', total)
        http = client.start('http', total, ONE_MB_SHA256)
        n0 = pair.checkpoints()
        end = time.monotonic() + args.traffic
        while time.monotonic() < end:
            time.sleep(min(5, max(0.1, end - time.monotonic())))
            show_stats(pair)
        summary['checkpoints during traffic'] = pair.checkpoints() - n0
        stats = info_colo(pair.p)

        # the failover figure, as bench/colo measures it: the first new
        # request that succeeds after the kill (the clients above run one
        # request at a time, so one caught by the kill holds them up)
        probe_out = os.path.join(client.tmpdir, 'probe.out')
        probe = client.popen([sys.executable, PROBE, GUEST_IP,
                              str(PROBE_SECONDS), '3', '0.3'],
                             stdout=open(probe_out, 'w'),
                             stderr=subprocess.DEVNULL)
        time.sleep(1)

        step('Killing the primary: SIGKILL to pid %d' % pair.pvm.pid)
        t_kill = time.time()
        pair.pvm.kill()
        ev = pair.s.get_event('COLO_EXIT', timeout=15)
        say('   secondary: %s' % (ev and ev['data']))
        t_hb = time.time()
        pair.failover_to_secondary()
        say('   secondary: x-colo-lost-heartbeat, filters and chardevs '
            'removed: %s' % pair.s.command('query-colo-status'))

        step('The client is still served by the former secondary')
        e_res, _ = echo.result(timeout=total + 60)
        t_res, t_ev = tokens.result(timeout=60)
        h_res, _ = http.result(timeout=60)
        probe.wait(timeout=PROBE_SECONDS + 30)
        first, probe_before = probe_first_after(probe_out, t_kill)
        after = [e['t'] for e in t_ev
                 if e.get('kind') == 'token' and e['t'] > t_hb]
        got = t_res['tokens']
        say('   echo connection: %d lines echoed, %s' % (
            e_res['lines'], 'never broken' if e_res['failed'] is None
            else 'BROKEN: ' + e_res['failed']))
        say('   tokens: %d served, %d after the failover, repeated: %d, '
            'errors: %d' % (len(got), len(after), len(got) - len(set(got)),
                            t_res['errors']))
        say('   HTTP: %d requests, %d bad, %d errors' % (
            h_res['requests'], h_res['bad'], h_res['errors']))
        if t_res['errors'] + h_res['errors']:
            say('   (an error is a request that got no answer within the '
                'client\'s 20 s timeout: a connection was lost)')
        ok = (e_res['failed'] is None and len(got) == len(set(got)) and
              after and first is not None and probe_before and
              h_res['bad'] == 0 and h_res['errors'] + t_res['errors'] == 0)

        step('Summary')
        rows = [
            ('PVM pause when COLO started', stats['start pause']),
            ('checkpoints during traffic',
             summary['checkpoints during traffic']),
            ('checkpoint triggers', stats['triggers']),
            ('PVM pause per checkpoint p50 / p99',
             '%s / %s' % (stats['pause p50'], stats['pause p99'])),
            ('bytes per checkpoint (mean)', stats['bytes mean']),
            ('background transfer', stats['background bytes'] + ' bytes'),
            ('failover: kill -> new request served',
             '%.0f ms' % ((first - t_kill) * 1000) if first else '-'),
            ('failover: heartbeat -> new request',
             '%.0f ms' % ((first - t_hb) * 1000) if first else '-'),
            ('client result', 'OK: no connection lost, nothing repeated'
             if ok else 'FAILED'),
        ]
        for k, v in rows:
            say('   %-38s %s' % (k, v))
        return 0 if ok else 1
    finally:
        step('Cleaning up')
        if pair is not None:
            pair.close()
        if net is not None:
            net.close()
        say('   processes stopped, namespaces removed')


if __name__ == '__main__':
    sys.exit(main())
