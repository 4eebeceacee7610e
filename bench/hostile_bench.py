#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""What a hostile local user costs the others (docs/benchmarks.md, "Hostile callers").

Runs the recorder on a private system-like bus (the integration tests' harness, in a
temporary directory) and, as unprivileged uids through setpriv:

1. memory: VmRSS of the recorder after start and a little warm-up, then `--calls` hostile
   calls from one uid (nobody) over 8 connections renewed every 10 000 calls (1 KiB
   events, malformed ids, 100-element sequences, timers, GetQueuedEvents(100000),
   Control1 GetAll, 64 in flight), its disconnect, and `--settle` seconds: VmRSS after,
   the difference, and the peak (VmHWM).
2. listings: `--queue` events queued by root, then another uid's record latency (one
   RecordSingularEvent at a time, `--probes` calls, 10 ms apart) without, then with nobody
   looping on GetQueuedEvents(100000) (one call in flight): median and p95.

Needs root (setpriv) and Debian's /usr/bin/python3 (gi). Usage:

    METRICS_BUILD_DIR=build /usr/bin/python3 bench/hostile_bench.py [--calls N] [--queue N]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), 'tests', 'integration'))
from harness import (NOBODY, OTHER_UID, PYTHON, GLib, Harness,  # noqa: E402
                     random_event_id)
from test_isolation import Hostile  # noqa: E402


def status_kib(pid, field):
    with open(f'/proc/{pid}/status') as f:
        for line in f:
            if line.startswith(field + ':'):
                return int(line.split()[1])
    raise RuntimeError(f'{field} not in /proc/{pid}/status')


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def memory(env, calls, settle):
    pid = env.daemon_proc.pid
    eid = random_event_id()
    for _ in range(100):
        env.client.record_singular(eid, GLib.Variant('s', 'warm-up'))
    time.sleep(1)
    before = status_kib(pid, 'VmRSS')
    started = time.monotonic()
    result = Hostile(env, NOBODY, {'op': 'mixed', 'calls': calls, 'connections': 8,
                                   'window': 64}).result
    seconds = time.monotonic() - started
    time.sleep(settle)
    after = status_kib(pid, 'VmRSS')
    peak = status_kib(pid, 'VmHWM')
    return {'calls': calls, 'seconds': round(seconds, 1), 'rss_before_kib': before,
            'rss_after_kib': after, 'difference_kib': after - before, 'peak_kib': peak,
            'results': result}


def latencies(env, probes):
    return Hostile(env, OTHER_UID, {'op': 'latency', 'calls': probes}).result['ms']


def listings(env, queue, probes):
    eid = random_event_id()
    calls = [('RecordSingularEvent', 'uayxbv', [0, eid, i, True, GLib.Variant('u', i)],
              '/com/endlessm/Metrics', 'com.endlessm.Metrics.EventRecorderServer')
             for i in range(queue)]
    for i in range(0, queue, 10000):
        env.client.call_async_many(calls[i:i + 10000], window=64)
    quiet = latencies(env, probes)
    script = os.path.join(env.client_dir, 'hostile_client.py')
    loop = subprocess.Popen(
        ['setpriv', f'--reuid={NOBODY}', f'--regid={NOBODY}', '--clear-groups', PYTHON, script,
         env.bus_address, json.dumps({'op': 'list', 'calls': 10**9, 'window': 1})],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={'PATH': '/usr/bin:/bin', 'HOME': env.client_dir, 'LANG': 'C.UTF-8'})
    try:
        time.sleep(1)
        busy = latencies(env, probes)
    finally:
        loop.kill()
        loop.wait()

    def summary(ms):
        return {'median_ms': round(statistics.median(ms), 2), 'p95_ms': round(percentile(ms, 95), 2)}
    return {'queue': queue, 'probes': probes, 'quiet': summary(quiet), 'listing_loop': summary(busy)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--calls', type=int, default=100000)
    parser.add_argument('--settle', type=float, default=3)
    parser.add_argument('--queue', type=int, default=56000)
    parser.add_argument('--probes', type=int, default=300)
    parser.add_argument('--skip-memory', action='store_true')
    parser.add_argument('--skip-listings', action='store_true')
    args = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit('needs root: the hostile callers run as other uids through setpriv')

    env = Harness()
    try:
        env.start_bus()
        env.write_permissions()
        env.write_cache_size(100000000)  # room for the listing queue
        env.start_daemon()
        mem = None if args.skip_memory else memory(env, args.calls, args.settle)
        lst = None if args.skip_listings else listings(env, args.queue, args.probes)
    finally:
        env.close()
    print(json.dumps({'memory': mem, 'listings': lst}), file=sys.stderr)
    if mem:
        print('| hostile calls | s | RSS before KiB | RSS after KiB | difference KiB | peak KiB |')
        print('|---:|---:|---:|---:|---:|---:|')
        print(f"| {mem['calls']} | {mem['seconds']} | {mem['rss_before_kib']} | "
              f"{mem['rss_after_kib']} | {mem['difference_kib']} | {mem['peak_kib']} |")
        print()
    if lst:
        print('| queued events | other uid\'s record latency | median ms | p95 ms |')
        print('|---:|---|---:|---:|')
        for label, key in (('quiet', 'quiet'), ('nobody loops on GetQueuedEvents(100000)',
                                                 'listing_loop')):
            print(f"| {lst['queue']} | {label} | {lst[key]['median_ms']} | "
                  f"{lst[key]['p95_ms']} |")


if __name__ == '__main__':
    main()
