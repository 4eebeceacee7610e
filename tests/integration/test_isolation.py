# SPDX-License-Identifier: GPL-2.0-or-later
"""No local user can starve, spy on or disturb another: hostile unprivileged uids (run
through setpriv) flood events, timers and listings, forge the bus driver's signals and
read Control1's figures; root and other uids must not notice."""

import json
import os
import pwd
import re
import shutil
import subprocess
import unittest

from harness import (CONTROL_IFACE, ERROR_PREFIX, NOBODY, OTHER_UID, PYTHON, GLib,
                     RecorderTestCase, random_event_id)

HERE = os.path.dirname(os.path.abspath(__file__))
ACCESS_DENIED = 'org.freedesktop.DBus.Error.AccessDenied'
MAXIMUM = 200000


def third_uid():
    """An existing account other than NOBODY and OTHER_UID (the bus wants a real user)."""
    for name in ('daemon', 'bin', 'sys', 'mail', 'news'):
        try:
            uid = pwd.getpwnam(name).pw_uid
        except KeyError:
            continue
        if uid not in (0, NOBODY, OTHER_UID):
            return uid
    raise unittest.SkipTest('no third unprivileged account on this machine')


class Hostile:
    """hostile_client.py running as `uid`; with hold=True it keeps its connections open
    until finish()."""

    def __init__(self, env, uid, spec, hold=False):
        script = os.path.join(env.client_dir, 'hostile_client.py')
        if not os.path.exists(script):
            shutil.copy(os.path.join(HERE, 'hostile_client.py'), script)
            os.chmod(script, 0o755)
        spec = dict(spec, hold=hold)
        argv = ['setpriv', f'--reuid={uid}', f'--regid={uid}', '--clear-groups', PYTHON, script,
                env.bus_address, json.dumps(spec)]
        environ = {'PATH': '/usr/bin:/bin', 'HOME': env.client_dir, 'LANG': 'C.UTF-8'}
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, env=environ,
                                     cwd=env.client_dir)
        env.extra_procs.append(self.proc)
        line = self.proc.stdout.readline()
        if not line:
            self.proc.wait(30)
            problem = self.proc.stderr.read()
            self.finish()
            raise AssertionError(f'hostile client failed: {problem}')
        self.result = json.loads(line)
        if not hold:
            self.finish()

    def finish(self):
        if self.proc.poll() is None:
            self.proc.stdin.close()
            self.proc.wait(60)
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if not stream.closed:
                stream.close()


class IsolationTest(RecorderTestCase):
    START_DAEMON = False

    def control(self, name):
        return self.client.get_property(name, iface=CONTROL_IFACE)

    # ------------------------------------------------------------- starving others
    def test_two_flooding_uids_cannot_starve_root_or_a_third_uid(self):
        self.env.write_cache_size(MAXIMUM)
        self.env.start_daemon()
        third = third_uid()
        # Each flooder: 64 connections starting timers, then events until refused.
        flood = {'op': 'flood', 'connections': 64, 'timers': 64, 'events': 5000}
        first = Hostile(self.env, NOBODY, flood, hold=True)
        second = Hostile(self.env, OTHER_UID, flood, hold=True)
        for h in (first, second):
            r = h.result
            self.assertEqual(r['event_error'], ERROR_PREFIX + 'UserQuotaExceeded', r)
            self.assertEqual(set(r['timer_errors']), {ERROR_PREFIX + 'TooManyTimers'}, r)
            self.assertLessEqual(r['timers'], 256, 'a uid got more timers than MaxTimersPerUid')
            self.assertGreater(r['events'], 0)
        for uid in (NOBODY, OTHER_UID):
            self.assertLessEqual(self.env.total_size(uid=uid), MAXIMUM // 4)
        # While both keep their timers running and their shares full: root (here also
        # the service user) records and times, and so does a third uid, from its first event.
        eid = random_event_id()
        for _ in range(20):
            self.client.record_singular(eid, GLib.Variant('s', 'root records'))
        self.client.stop_timer(self.client.start_timer(eid))
        timers = [self.client.start_timer(eid) for _ in range(20)]
        for path in timers:
            self.client.stop_timer(path)
        self.assertEqual(len(self.env.singulars(eid)), 20)
        third_flood = Hostile(self.env, third, {'op': 'flood', 'connections': 1, 'timers': 5,
                                                'events': 20})
        self.assertEqual(third_flood.result['timers'], 5, third_flood.result)
        self.assertEqual(third_flood.result['events'], 20, third_flood.result)
        first.finish()
        second.finish()
        # Their timers stopped with their connections: every slot is free again.
        self.wait_until(lambda: Hostile(self.env, NOBODY, {'op': 'flood', 'connections': 1,
                                                           'timers': 1}).result['timers'] == 1,
                        message='the flooder\'s timers to be released')

    # ------------------------------------------------------------- forged signals
    def forge_departure(self, destination):
        self.env.start_daemon()
        victim = self.env.connect()
        eid = random_event_id()
        path = victim.start_timer(eid)
        target = self.env.daemon_unique_name if destination == 'recorder' else None
        Hostile(self.env, NOBODY, {'op': 'forge', 'victim': victim.unique_name,
                                   'destination': target})
        # The timer still runs and its owner can stop it.
        victim.stop_timer(path)
        self.assertTrue(self.env.daemon_alive())

    def test_forged_name_owner_changed_unicast_changes_nothing(self):
        self.forge_departure('recorder')

    def test_forged_name_owner_changed_broadcast_changes_nothing(self):
        self.forge_departure(None)

    # ------------------------------------------------------------- watching others
    def test_unprivileged_figures_are_of_their_own_uid(self):
        self.env.start_daemon()
        props = ['QueuedEvents', 'QueuedBytes', 'RefusedEvents', 'ConsentState', 'UploadState']
        eid = random_event_id()
        for _ in range(3):
            self.client.record_singular(eid, GLib.Variant('s', 'root works'))
        self.assertDBusError(ERROR_PREFIX + 'InvalidEventId', self.client.record_singular,
                             b'short')
        seen = Hostile(self.env, NOBODY, {'op': 'read', 'properties': props}).result
        self.assertEqual(seen['errors'], {})
        self.assertEqual(seen['values']['QueuedEvents'], 0, seen)
        self.assertEqual(seen['values']['QueuedBytes'], 0, seen)
        self.assertEqual(seen['values']['RefusedEvents'], {}, seen)
        self.assertEqual(seen['values']['ConsentState'], 'undecided')
        # The upload log follows everyone's activity: not for an unprivileged user.
        self.assertEqual(seen['upload_log'], ACCESS_DENIED, seen)
        # Its own events and refusals it does see.
        own = {'op': 'flood', 'connections': 1, 'events': 2}
        self.assertEqual(Hostile(self.env, NOBODY, own).result['events'], 2)
        seen = Hostile(self.env, NOBODY, {'op': 'read', 'properties': props}).result
        self.assertEqual(seen['values']['QueuedEvents'], 2, seen)
        self.assertEqual(seen['values']['QueuedBytes'], self.env.total_size(uid=NOBODY))
        other = Hostile(self.env, OTHER_UID, {'op': 'read', 'properties': props}).result
        self.assertEqual(other['values']['QueuedEvents'], 0, other)
        # Root sees the whole queue and every refusal.
        self.assertEqual(self.control('QueuedEvents'), 5)
        self.assertEqual(self.control('QueuedBytes'), self.env.total_size())
        self.assertEqual(self.control('RefusedEvents'), {ERROR_PREFIX + 'InvalidEventId': 1})
        self.client.call('GetUploadLog', 'u', [10], iface=CONTROL_IFACE)

    # ------------------------------------------------------------- expensive listings
    def test_listings_are_indexed_and_rate_limited(self):
        self.env.start_daemon()
        for _ in range(50):
            self.client.record_singular(random_event_id())
        # One uid's listing reads that uid's rows through an index, not everyone's rows.
        plan = self.env.query('EXPLAIN QUERY PLAN SELECT id, uid, event_id, os_version, '
                              'relative_ns, payload FROM singular WHERE uid = ?1 '
                              'ORDER BY id LIMIT ?2', (NOBODY, 10))
        self.assertTrue(any('singular_uid' in row[-1] for row in plan), plan)
        # A caller looping on listings is refused before it costs the others.
        r = Hostile(self.env, NOBODY, {'op': 'list', 'calls': 2000, 'window': 64}).result
        self.assertIn(ERROR_PREFIX + 'RateLimited', r['errors'], r)
        self.assertGreater(r['ok'], 0, r)
        # Another uid and root still list.
        other = Hostile(self.env, OTHER_UID, {'op': 'list', 'calls': 3}).result
        self.assertEqual(other['ok'], 3, other)
        (events,) = self.client.call('GetQueuedEvents', 'u', [1000], iface=CONTROL_IFACE)
        self.assertEqual(len(events), 50)

    def test_refused_listings_are_answered_late(self):
        # A caller that loops on refused listings must wait for its refusals (held until
        # its bucket would admit a call again) instead of spinning the bus. Seen from one
        # connection: a refusal is answered after calls it sent later, which a recorder
        # answering at once never does (one connection's calls are handled in order).
        self.env.start_daemon()
        held = 32  # HeldRefusals::kMaxPerUid: past it, refusals are answered at once
        r = Hostile(self.env, NOBODY, {'op': 'list', 'exhaust': True, 'calls': held + 16,
                                       'window': held + 16}).result
        order = r['order']
        self.assertEqual(sorted(i for i, _ in order), list(range(held + 16)), r)  # all answered
        refused = ERROR_PREFIX + 'RateLimited'
        overtaken = [i for pos, (i, outcome) in enumerate(order)
                     if outcome == refused and any(j > i for j, _ in order[:pos])]
        self.assertTrue(overtaken, r)
        # At most kMaxPerUid wait at a time.
        self.assertLessEqual(len(overtaken), held, r)
        # Others are not held up: another uid lists at once.
        other = Hostile(self.env, OTHER_UID, {'op': 'list', 'calls': 3}).result
        self.assertEqual(other['ok'], 3, other)

    # ------------------------------------------------------------- the journal
    def test_journal_never_names_a_callers_uid(self):
        # Enforced registry: the flooder's unknown events are refused and logged; then a
        # permissive one stores them and logs that.
        self.env.start_daemon(registry_mode='enforce')
        refused = Hostile(self.env, NOBODY, {'op': 'flood', 'connections': 1, 'events': 3}).result
        self.assertEqual(refused['event_error'], ERROR_PREFIX + 'UnknownEvent', refused)
        self.env.restart_daemon(registry_mode='permissive')
        stored = Hostile(self.env, NOBODY, {'op': 'flood', 'connections': 1, 'events': 3}).result
        self.assertEqual(stored['events'], 3, stored)
        other = Hostile(self.env, OTHER_UID, {'op': 'flood', 'connections': 1, 'events': 1,
                                              'timers': 1}).result
        self.assertEqual(other['events'], 1, other)
        self.env.stop_daemon()
        log = self.env.daemon_log(all_runs=True)
        event_id = '686f7374'  # the start of the flooder's event id (b'host...') as a UUID
        lines = [line for line in log.splitlines() if event_id in line]
        self.assertTrue(any('refused an event of an unprivileged caller' in line
                            for line in lines), log)
        self.assertTrue(any('stored an event of an unprivileged caller' in line
                            for line in lines), log)
        for line in log.splitlines():
            self.assertNotIn(str(NOBODY), line)
            self.assertIsNone(re.search(rf'\buid\s*{OTHER_UID}\b', line), line)
            self.assertIsNone(re.search(r'\buid \d', line), line)


if __name__ == '__main__':
    unittest.main()
