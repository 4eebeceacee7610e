# SPDX-License-Identifier: GPL-2.0-or-later
"""The metric registry in the running recorder: enforce mode refuses unknown UUIDs, wrong
payload types and wrong kinds with named errors and counters and never stores them;
permissive mode stores them with a rate-limited warning; a malformed registry file is
reported precisely and the valid files still apply; registry files added, changed or
removed while the recorder runs take effect without a restart."""

import json
import os
import shutil
import unittest
import uuid

from harness import (CONTROL_IFACE, ERROR_PREFIX, REGISTRY_DIR, GLib, RecorderTestCase,
                     boottime_ns, monthly_id, random_event_id)

UNKNOWN_EVENT = ERROR_PREFIX + 'UnknownEvent'
WRONG_PAYLOAD_TYPE = ERROR_PREFIX + 'WrongPayloadType'
WRONG_EVENT_KIND = ERROR_PREFIX + 'WrongEventKind'
WRONG_PAYLOAD_VALUE = ERROR_PREFIX + 'WrongPayloadValue'

STARTUP = uuid.UUID('bf7e8aed-2932-455c-a28e-d407cfd5aaba').bytes       # (tttttt), endless.json
SESSION_TIME = uuid.UUID('5dc0b53c-93f9-4df0-ad6f-bd25e9fe638f').bytes  # timer, endless.json
LOCALE = uuid.UUID('61d6b53a-559d-4ed3-8241-0a337d14bce0').bytes        # s, fedora.json
STORAGE = uuid.UUID('af253a97-88ce-4daa-84c6-1157dcf802c5').bytes       # (ss), fedora.json
# fedora.json, with allowed values: a timer of `s` (desktop IDs) and an `a(ssu)`.
IDE_USAGE = uuid.UUID('49d0451a-f706-4f50-81d2-70cc0ec923a4').bytes
TOOLBX = uuid.UUID('1d6482fd-00c8-4223-8be8-dfacacd92ae7').bytes

STARTUP_PAYLOAD = GLib.Variant('(tttttt)', (1, 2, 3, 4, 5, 15))

# Written at test time: one good entry and one whose payload type is not a GVariant type.
PARTIAL_GOOD = '0a7c54a8-43cf-4b65-a4a1-6b2d3c6b6a11'
PARTIAL_BAD = '2f1e9c4d-8b7a-4e36-9d15-c3b2a1f0e9d8'
PARTIAL_JSON = {
    'format': 1,
    'owner': 'Integration test',
    'metrics': [
        {
            'uuid': PARTIAL_GOOD, 'name': 'test counter', 'kind': 'aggregate',
            'payload_type': 's',
            'fields': [{'name': 'what', 'description': 'what was counted'}],
            'description': 'A count for the test.', 'purpose': 'Testing.',
            'approval': 'Nobody: test data.', 'example': "'x'", 'example_count': 3,
        },
        {
            'uuid': PARTIAL_BAD, 'name': 'broken metric', 'kind': 'singular',
            'payload_type': '(ss',
            'fields': [{'name': 'a', 'description': 'a'}],
            'description': 'Broken on purpose.', 'purpose': 'Testing.',
            'approval': 'Nobody: test data.', 'example': "('a', 'b')",
        },
    ],
}


def registry_problem_lines(log):
    return [line for line in log.splitlines() if 'metric registry: ' in line]


class RegistryTestCase(RecorderTestCase):
    START_DAEMON = False

    def setUp(self):
        super().setUp()
        self.registry = os.path.join(self.env.root, 'registry.d')
        os.mkdir(self.registry)

    def install(self, name, source=None, text=None):
        """Puts a registry file in place atomically, as a package manager does."""
        tmp = os.path.join(self.registry, '.' + name + '.tmp')
        if source is not None:
            shutil.copy(os.path.join(REGISTRY_DIR, source), tmp)
        else:
            with open(tmp, 'w') as f:
                f.write(text)
        os.rename(tmp, os.path.join(self.registry, name))

    def start_enforcing(self):
        self.env.start_daemon(registry_mode='enforce', registry_directory=self.registry)

    def refused(self):
        (counts,) = self.client.call('Get', 'ss', [CONTROL_IFACE, 'RefusedEvents'],
                                     iface='org.freedesktop.DBus.Properties')
        return counts

    def queued(self):
        (events,) = self.client.call('GetQueuedEvents', 'u', [1000], iface=CONTROL_IFACE)
        return events

    def recordable(self, event_id, payload):
        try:
            self.client.record_singular(event_id, payload)
            return True
        except Exception:
            return False

    def wait_for_log(self, text):
        self.wait_until(lambda: text in self.env.daemon_log(),
                        message=f'{text!r} in the daemon log')


class EnforceTest(RegistryTestCase):

    def setUp(self):
        super().setUp()
        self.install('endless.json', 'endless.json')
        self.install('fedora.json', 'fedora.json')
        self.start_enforcing()

    def test_unknown_uuid_is_refused_and_never_stored(self):
        unknown = random_event_id()
        self.assertDBusError(UNKNOWN_EVENT, self.client.record_singular, unknown,
                             GLib.Variant('s', 'x'))
        self.assertDBusError(UNKNOWN_EVENT, self.client.record_singular, unknown, None)
        self.assertDBusError(UNKNOWN_EVENT, self.client.record_aggregate, unknown, 3)
        self.assertDBusError(UNKNOWN_EVENT, self.client.record_sequence, unknown,
                             [(boottime_ns(), None), (boottime_ns(), GLib.Variant('u', 1))])
        e = self.assertDBusError(UNKNOWN_EVENT, self.client.start_timer, unknown)
        self.assertIn(str(uuid.UUID(bytes=unknown)), e.message)
        self.assertIn('registry', e.message)
        self.assertEqual(self.env.table_rows(), {'singular': 0, 'counts': 0, 'aggregate': 0})
        self.assertEqual(self.queued(), [])
        self.assertEqual(self.client.get_property('QueuedEvents', iface=CONTROL_IFACE), 0)
        self.assertEqual(self.refused(), {UNKNOWN_EVENT: 5})
        # Refusals are in the journal (rate-limited), with the caller's uid.
        self.assertIn('refused an event of root', self.env.daemon_log())

    def test_wrong_payload_type_is_refused_and_never_stored(self):
        self.assertDBusError(WRONG_PAYLOAD_TYPE, self.client.record_singular, LOCALE,
                             GLib.Variant('u', 7))
        e = self.assertDBusError(WRONG_PAYLOAD_TYPE, self.client.record_singular, LOCALE, None)
        self.assertIn("'s'", e.message)
        self.assertIn('system locale', e.message)
        self.assertDBusError(WRONG_PAYLOAD_TYPE, self.client.record_singular, STARTUP,
                             GLib.Variant('(ttttt)', (1, 2, 3, 4, 5)))
        self.assertDBusError(WRONG_PAYLOAD_TYPE, self.client.record_singular, STORAGE,
                             GLib.Variant('(sss)', ('ssd', 'nvme', 'x')))
        self.assertDBusError(WRONG_PAYLOAD_TYPE, self.client.start_timer, SESSION_TIME,
                             GLib.Variant('s', 'alice'))
        # One bad element: nothing of the sequence is stored.
        e = self.assertDBusError(WRONG_PAYLOAD_TYPE, self.client.record_sequence, LOCALE,
                                 [(boottime_ns(), GLib.Variant('s', 'de_DE')),
                                  (boottime_ns(), GLib.Variant('i', 3))])
        self.assertIn('element 2', e.message)
        self.assertEqual(self.env.table_rows(), {'singular': 0, 'counts': 0, 'aggregate': 0})
        self.assertEqual(self.queued(), [])
        self.assertEqual(self.refused(), {WRONG_PAYLOAD_TYPE: 6})

        # What the registry describes is stored.
        self.client.record_singular(LOCALE, GLib.Variant('s', 'de_DE'))
        self.client.record_singular(STARTUP, STARTUP_PAYLOAD)
        self.client.record_sequence(LOCALE, [(boottime_ns(), GLib.Variant('s', 'fr_FR')),
                                             (boottime_ns(), GLib.Variant('s', 'C'))])
        self.client.stop_timer(self.client.start_timer(SESSION_TIME))
        stored = sorted((kind, event_id, payload)
                        for kind, event_id, _uid, _t, _p, _c, payload in self.queued())
        self.assertEqual(stored, sorted([
            ('singular', str(uuid.UUID(bytes=LOCALE)), "'de_DE'"),
            ('singular', str(uuid.UUID(bytes=LOCALE)), "'fr_FR'"),
            ('singular', str(uuid.UUID(bytes=LOCALE)), "'C'"),
            ('singular', str(uuid.UUID(bytes=STARTUP)),
             '(uint64 1, uint64 2, uint64 3, uint64 4, uint64 5, uint64 15)'),
            # The timer ran less than a second: a count of 0 for its day and month, as the
            # original stores it.
            ('count', str(uuid.UUID(bytes=SESSION_TIME)), ''),
            ('count', str(uuid.UUID(bytes=bytes(monthly_id(SESSION_TIME)))), ''),
        ]))
        self.assertEqual(self.refused(), {WRONG_PAYLOAD_TYPE: 6})

    def test_wrong_kind_is_refused(self):
        # A singular metric cannot be counted, a timer cannot be a single event, and the
        # monthly twin is the recorder's to derive.
        self.assertDBusError(WRONG_EVENT_KIND, self.client.record_aggregate, LOCALE, 1,
                             GLib.Variant('s', 'de_DE'))
        self.assertDBusError(WRONG_EVENT_KIND, self.client.start_timer, LOCALE,
                             GLib.Variant('s', 'de_DE'))
        self.assertDBusError(WRONG_EVENT_KIND, self.client.record_singular, SESSION_TIME, None)
        e = self.assertDBusError(WRONG_EVENT_KIND, self.client.record_aggregate,
                                 monthly_id(SESSION_TIME), 60)
        self.assertIn('monthly twin', e.message)
        self.assertEqual(self.env.table_rows(), {'singular': 0, 'counts': 0, 'aggregate': 0})
        self.assertEqual(self.refused(), {WRONG_EVENT_KIND: 4})
        # A timer metric may be counted directly, as aggregate events.
        self.client.record_aggregate(SESSION_TIME, 60)
        self.assertEqual(len(self.env.counts(SESSION_TIME)), 1)

    def test_a_value_outside_its_list_is_refused_and_never_stored(self):
        secret = 'org.example.MyPrivateProject'
        e = self.assertDBusError(WRONG_PAYLOAD_VALUE, self.client.start_timer, IDE_USAGE,
                                 GLib.Variant('s', secret))
        self.assertIn("field 'application'", e.message)
        self.assertIn('allowed values', e.message)
        self.assertNotIn(secret, e.message)
        self.assertDBusError(WRONG_PAYLOAD_VALUE, self.client.record_aggregate, IDE_USAGE, 60,
                             GLib.Variant('s', 'org.gnome.builder'))  # case counts
        e = self.assertDBusError(WRONG_PAYLOAD_VALUE, self.client.record_singular, TOOLBX,
                                 GLib.Variant('a(ssu)', [('fedora', '41', 1), (secret, '1', 1)]))
        self.assertIn("field '[2].distribution'", e.message)
        self.assertEqual(self.env.table_rows(), {'singular': 0, 'counts': 0, 'aggregate': 0})
        self.assertEqual(self.refused(), {WRONG_PAYLOAD_VALUE: 3})
        self.assertNotIn(secret, self.env.daemon_log())

        # Listed values are stored; a field without a list (the release) takes any text.
        self.client.stop_timer(self.client.start_timer(IDE_USAGE,
                                                       GLib.Variant('s', 'org.gnome.Builder')))
        self.client.record_singular(TOOLBX, GLib.Variant('a(ssu)', [('ubuntu', '24.04', 2)]))
        self.client.record_singular(TOOLBX, GLib.Variant('a(ssu)', []))
        self.assertEqual(len(self.env.singulars(TOOLBX)), 2)
        self.assertEqual(self.refused(), {WRONG_PAYLOAD_VALUE: 3})

    def test_refusal_journal_lines_are_rate_limited(self):
        for _ in range(60):
            self.assertDBusError(UNKNOWN_EVENT, self.client.record_singular, random_event_id(),
                                 None)
        self.assertEqual(self.refused(), {UNKNOWN_EVENT: 60})
        lines = [line for line in self.env.daemon_log().splitlines()
                 if 'refused an event' in line]
        # A burst of 10, then one line every 6 seconds.
        self.assertGreaterEqual(len(lines), 10)
        self.assertLessEqual(len(lines), 12, lines)


class PermissiveTest(RegistryTestCase):

    def test_permissive_stores_what_enforce_refuses(self):
        self.install('fedora.json', 'fedora.json')
        self.env.start_daemon(registry_mode='permissive', registry_directory=self.registry)
        unknown = random_event_id()
        self.client.record_singular(unknown, GLib.Variant('s', 'x'))
        self.client.record_singular(LOCALE, GLib.Variant('u', 7))
        self.client.record_aggregate(LOCALE, 2, GLib.Variant('s', 'de_DE'))
        self.client.stop_timer(self.client.start_timer(unknown))
        self.assertEqual(len(self.env.singulars(unknown)), 1)
        self.assertEqual(len(self.env.singulars(LOCALE)), 1)
        self.assertEqual(len(self.env.counts(LOCALE)), 1)
        self.assertEqual(self.refused(), {})
        log = self.env.daemon_log()
        self.assertIn('RegistryMode=permissive', log)
        warnings = [line for line in log.splitlines() if 'stored an event' in line]
        self.assertEqual(len(warnings), 4, warnings)
        self.assertTrue(any(str(uuid.UUID(bytes=unknown)) in w and 'UnknownEvent' in w
                            for w in warnings), warnings)
        self.assertTrue(any('WrongPayloadType' in w for w in warnings), warnings)
        self.assertTrue(any('WrongEventKind' in w for w in warnings), warnings)

        # A value outside its list too: stored, counted as stored anyway, never refused.
        self.client.record_aggregate(IDE_USAGE, 30, GLib.Variant('s', 'org.example.Other'))
        self.assertEqual(len(self.env.counts(IDE_USAGE)), 1)
        self.assertEqual(self.refused(), {})
        self.wait_for_log('(WrongPayloadValue)')

        # A client recording unregistered events in a loop cannot flood the journal.
        for _ in range(60):
            self.client.record_singular(random_event_id(), None)
        self.assertEqual(len(self.env.singulars()), 62)
        warnings = [line for line in self.env.daemon_log().splitlines()
                    if 'stored an event' in line]
        self.assertLessEqual(len(warnings), 12, warnings[-3:])


class MalformedFileTest(RegistryTestCase):

    def test_malformed_files_are_reported_precisely_and_the_valid_ones_apply(self):
        self.install('a-broken.json', text='{"format": 1, "owner": "x", "metrics": [\n  {,\n]}\n')
        self.install('b-partial.json', text=json.dumps(PARTIAL_JSON, indent=2))
        self.install('fedora.json', 'fedora.json')
        self.start_enforcing()
        lines = registry_problem_lines(self.env.daemon_log())
        broken = os.path.join(self.registry, 'a-broken.json')
        partial = os.path.join(self.registry, 'b-partial.json')
        # The file that is not JSON: named, with the place the parser stopped.
        self.assertTrue(any(broken in line and 'line 2' in line for line in lines), lines)
        # The bad entry: file, entry, UUID and field.
        self.assertIn(f"{partial}: entry 2 ({PARTIAL_BAD}): field 'payload_type': ",
                      '\n'.join(lines))
        self.assertEqual(len(lines), 2, lines)
        self.assertIn('6 metrics, 2 problems', self.env.daemon_log())

        # The valid files, and the valid entry of the partly broken one, apply.
        self.client.record_singular(LOCALE, GLib.Variant('s', 'de_DE'))
        self.client.record_aggregate(uuid.UUID(PARTIAL_GOOD).bytes, 3, GLib.Variant('s', 'x'))
        self.assertDBusError(UNKNOWN_EVENT, self.client.record_singular,
                             uuid.UUID(PARTIAL_BAD).bytes, GLib.Variant('(ss)', ('a', 'b')))
        self.assertEqual(len(self.env.singulars(LOCALE)), 1)
        self.assertEqual(len(self.env.counts(uuid.UUID(PARTIAL_GOOD).bytes)), 1)


# Files that used to abort the recorder (an uncaught nlohmann exception: a crash loop, as
# the file is read again at every start) or would exhaust its stack or memory.
HOSTILE_FILES = {
    'a-overflow.json': '{"format":1,"owner":"x","metrics":[],"note":1e400}',
    'b-negative.json': '{"format":1,"owner":"x","metrics":[{"example_count":-1e400}]}',
    'c-deep.json': '[' * 1000000,
    'd-many.json': '{"format":1,"owner":"x","metrics":[' + ','.join(['{}'] * 100000) + ']}',
}


class HostileFileTest(RegistryTestCase):

    def assertStillEnforcing(self):
        self.assertTrue(self.env.daemon_alive(), self.env.daemon_log()[-3000:])
        self.client.record_singular(LOCALE, GLib.Variant('s', 'de_DE'))
        self.assertDBusError(UNKNOWN_EVENT, self.client.record_singular, random_event_id(),
                             GLib.Variant('s', 'x'))

    def assertProblemsReported(self, names):
        lines = registry_problem_lines(self.env.daemon_log())
        for name in names:
            path = os.path.join(self.registry, name)
            self.assertTrue(any(path + ': ' in line for line in lines), (name, lines))

    def test_hostile_files_at_start_are_skipped(self):
        self.install('fedora.json', 'fedora.json')
        for name, text in HOSTILE_FILES.items():
            self.install(name, text=text)
        self.start_enforcing()
        self.assertProblemsReported(HOSTILE_FILES)
        self.assertIn("number overflow parsing '1e400' (field 'note')", self.env.daemon_log())
        self.assertStillEnforcing()

    def test_hostile_file_at_run_time_is_skipped_and_survives_a_restart(self):
        self.install('fedora.json', 'fedora.json')
        self.start_enforcing()
        pid = self.env.daemon_proc.pid
        self.install('a-overflow.json', text=HOSTILE_FILES['a-overflow.json'])
        self.wait_for_log('registry reloaded: 0 added, 0 removed, 0 changed, 1 problem')
        self.assertEqual(self.env.daemon_proc.pid, pid)
        self.assertStillEnforcing()
        for name in ('b-negative.json', 'c-deep.json', 'd-many.json'):
            self.install(name, text=HOSTILE_FILES[name])
        self.wait_for_log('0 changed, 4 problems')
        self.assertEqual(self.env.daemon_proc.pid, pid)
        self.assertProblemsReported(HOSTILE_FILES)
        self.assertStillEnforcing()
        # The files stay: the next start reads them again (no crash loop).
        self.env.restart_daemon()
        self.assertStillEnforcing()


class ReloadTest(RegistryTestCase):

    def test_files_added_changed_and_removed_apply_without_restart(self):
        self.install('fedora.json', 'fedora.json')
        self.start_enforcing()
        pid = self.env.daemon_proc.pid
        self.assertDBusError(UNKNOWN_EVENT, self.client.record_singular, STARTUP,
                             STARTUP_PAYLOAD)

        self.install('endless.json', 'endless.json')
        self.wait_until(lambda: self.recordable(STARTUP, STARTUP_PAYLOAD),
                        message='the added registry file to take effect')
        self.wait_for_log('registry reloaded: 3 added, 0 removed, 0 changed, 0 problems')
        self.assertEqual(self.env.daemon_proc.pid, pid)
        self.assertTrue(self.env.daemon_alive())

        # Broken by an edit: its metrics stop, the problem is reported, the rest stays.
        self.install('endless.json', text='{"format": 1, "metrics": [}')
        self.wait_until(lambda: not self.recordable(STARTUP, STARTUP_PAYLOAD),
                        message='the broken registry file to be dropped')
        self.wait_for_log('0 added, 3 removed')
        self.assertTrue(any('endless.json' in line
                            for line in registry_problem_lines(self.env.daemon_log())))
        self.client.record_singular(LOCALE, GLib.Variant('s', 'de_DE'))

        # Removed: refused again.
        self.install('endless.json', 'endless.json')
        self.wait_until(lambda: self.recordable(STARTUP, STARTUP_PAYLOAD),
                        message='the repaired registry file to take effect')
        os.unlink(os.path.join(self.registry, 'fedora.json'))
        self.wait_until(lambda: not self.recordable(LOCALE, GLib.Variant('s', 'de_DE')),
                        message='the removed registry file to be dropped')
        self.assertEqual(self.env.daemon_proc.pid, pid)

    def test_registry_directory_created_after_start(self):
        missing = os.path.join(self.env.root, 'later.d')
        self.env.start_daemon(registry_mode='enforce', registry_directory=missing)
        log = self.env.daemon_log()
        self.assertIn(f'{missing}: does not exist', log)
        self.assertIn('every event is refused', log)
        self.assertDBusError(UNKNOWN_EVENT, self.client.record_singular, LOCALE,
                             GLib.Variant('s', 'de_DE'))
        os.mkdir(missing)
        shutil.copy(os.path.join(REGISTRY_DIR, 'fedora.json'), os.path.join(missing, 'x.json'))
        self.wait_until(lambda: self.recordable(LOCALE, GLib.Variant('s', 'de_DE')),
                        message='the new registry directory to take effect')


if __name__ == '__main__':
    unittest.main()
