# SPDX-License-Identifier: GPL-2.0-or-later
"""End to end: the daemon records through libmetrics into the real recorder, which
uploads to the test collector; the collector decodes the payloads, which must be the
fixtures' values. A restart within 24 h adds no second daily (or startup) event.

The recorder enforces the registry this repository installs (registry/), so an event
of a wrong UUID or payload type would be refused rather than pass unnoticed.
"""

import json
import os
import sys
import time
import unittest
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'integration'))

from uploads import UploadTestCase  # noqa: E402

from harness import today  # noqa: E402
from instrumentation_env import (BOOT_STAMPS, BOOT_TIMES, DAILY, HARDWARE_INFO,  # noqa: E402
                                 HARDWARE_MODEL, PRIMARY_STORAGE, SANITIZER_MARKERS,
                                 SESSION_TIME, STARTUP_FINISHED, SYSTEM_LOCALE, GLib,
                                 Instrumentation, Mocks, lscpu_fields, root_fs_gib)

ALICE = 1000


class EndToEndTest(UploadTestCase):
    def setUp(self):
        super().setUp()
        # Our UUIDs are in the registry: they must pass where unknown ones are refused.
        self.env.registry_mode = 'enforce'
        self.daemon = Instrumentation(self.env)
        self.addCleanup(self.daemon.kill)
        self.mocks = Mocks(self.env)
        self.addCleanup(self.mocks.close)
        self.addCleanup(self.check_instrumentation_logs)
        self.mocks.start_logind(users=[(0, 'root'), (42, 'gdm'), (ALICE, 'alice')])
        self.mocks.start_systemd(BOOT_STAMPS)
        self.start()

    def check_instrumentation_logs(self):
        if self.daemon.alive():
            self.daemon.stop()
        logs = self.daemon.all_logs()
        found = [m for m in SANITIZER_MARKERS if m in logs]
        if found:
            self.fail(f'sanitizer report in the instrumentation log: {found}\n{logs[-6000:]}')

    # ---------------------------------------------------------------- the recorder's queue
    def queued_events(self):
        """Event UUIDs of the recorder's queued singular events, in order."""
        return [str(uuid.UUID(bytes=bytes(row[1]))) for row in self.env.singulars()]

    def session_seconds(self, uid):
        return self.env.count_value(uuid.UUID(SESSION_TIME).bytes, today(), uid=uid) or 0

    def run_daemon_once(self, until):
        self.daemon.start()
        self.wait_for(lambda: until() and 'timer started for uid 1000' in self.daemon.log(),
                      what='the daemon\'s events in the recorder and alice\'s timer')
        time.sleep(2)  # alice's timer gets at least one whole second on the recorder
        self.assertEqual(self.daemon.stop(), 0)

    # ---------------------------------------------------------------- the collector
    def uploaded_singulars(self):
        """{uuid: [payload text as the collector decoded it]} of every upload."""
        out = {}
        for row in self.collector.rows():
            for event in json.loads(row['request_json'])['singulars']:
                out.setdefault(event['event_id'], []).append(event['payload'])
        return out

    def test_one_run_reaches_the_collector_and_a_restart_within_24h_adds_nothing(self):
        self.run_daemon_once(lambda: len(self.queued_events()) >= 5)
        self.assertEqual(sorted(self.queued_events()), sorted([STARTUP_FINISHED, *DAILY]))
        # The timer of the human user only; its time arrives when it stops.
        self.wait_for(lambda: self.session_seconds(ALICE) >= 1, what="alice's session time")
        for system_uid in (0, 42):
            self.assertEqual(self.session_seconds(system_uid), 0)

        events, requests = self.upload()
        self.assertEqual((events, requests), (5, 1))
        uploaded = self.uploaded_singulars()
        self.assertEqual(sorted(uploaded), sorted([STARTUP_FINISHED, *DAILY]))

        def text(type_string, value):
            return GLib.Variant(type_string, value).print_(True)

        self.assertEqual(uploaded[STARTUP_FINISHED], [text('(tttttt)', BOOT_TIMES)])
        self.assertEqual(uploaded[PRIMARY_STORAGE], [text('(ss)', ('ssd', 'nvme'))])
        self.assertEqual(uploaded[HARDWARE_MODEL],
                         [text('(sss)', ('LENOVO', 'ThinkPad X1 Carbon Gen 9', 'laptop'))])
        self.assertEqual(uploaded[SYSTEM_LOCALE], [text('s', 'de_DE')])
        (info_text,) = uploaded[HARDWARE_INFO]
        info = GLib.Variant.parse(GLib.VariantType('(uuuua(sqds))'), info_text, None, None)
        ram, total, used, free, cpus = info.unpack()
        self.assertEqual(ram, 15713)
        expected_total, expected_used, expected_free = root_fs_gib(self.daemon.root)
        self.assertEqual(total, expected_total)
        self.assertLessEqual(abs(used - expected_used), 1)
        self.assertLessEqual(abs(free - expected_free), 1)
        self.assertEqual(cpus, [lscpu_fields('good-x86-laptop.json')])

        # The same boot, minutes later: nothing is due, startup was recorded.
        seconds_after_first_run = self.session_seconds(ALICE)
        self.run_daemon_once(lambda: 'next daily check in 23 h' in self.daemon.log())
        log = self.daemon.log()
        self.assertIn('already recorded for this boot', log)
        self.assertNotIn('due now', log)
        # The second run did reach the recorder (its timer counted) and added no event.
        self.wait_for(lambda: self.session_seconds(ALICE) > seconds_after_first_run,
                      what="the second run's session time")
        self.assertEqual(self.queued_events(), [])  # the upload emptied the queue
        self.upload()
        self.assertEqual(sum(len(v) for v in self.uploaded_singulars().values()), 5)


if __name__ == '__main__':
    unittest.main()
