# SPDX-License-Identifier: GPL-2.0-or-later
"""Startup finished: the boot's timing, once per boot, from systemd.

Against dbusmock's systemd template (with Subscribe and the Manager's timestamp
properties added) and the stand-in recorder.
"""

import unittest
import uuid

from instrumentation_env import (BOOT_STAMPS, BOOT_TIMES, STARTUP_FINISHED, GLib,
                                 InstrumentationTestCase)


def times_variant(times):
    return GLib.Variant('(tttttt)', tuple(times))


class StartupFinishedTest(InstrumentationTestCase):
    def setUp(self):
        super().setUp()
        self.mocks.start_recorder()

    def startup_events(self):
        return self.mocks.singulars_of(STARTUP_FINISHED)

    def start_daemon_and_wait_for_subscribe(self):
        """The daemon's Subscribe call follows its match rule on its connection: once
        systemd saw it, a signal reaches the daemon."""
        self.daemon.start()
        self.wait_until(lambda: self.mocks.systemd_calls('Subscribe'), what='Subscribe')

    def test_recorded_once_from_the_signal(self):
        self.mocks.start_systemd()  # still booting: FinishTimestampMonotonic is 0
        self.start_daemon_and_wait_for_subscribe()
        self.daemon.wait_log('boot has not finished yet')
        self.assertEqual(self.startup_events(), [])
        self.mocks.startup_finished((1, 2, 3, 4, 5, 15))
        self.wait_until(self.startup_events, what='the startup event')
        # systemd emits it once per boot; a second one must not count twice.
        self.mocks.startup_finished((9, 9, 9, 9, 9, 45))
        self.settle()
        events = self.startup_events()
        self.assertEqual(len(events), 1)
        self.assertEqual(events[0].get_type_string(), '(tttttt)')
        self.assertTrue(events[0].equal(times_variant((1, 2, 3, 4, 5, 15))), str(events[0]))

    def test_a_daemon_started_after_boot_reads_the_managers_timestamps(self):
        self.mocks.start_systemd(BOOT_STAMPS)
        self.daemon.start()
        self.wait_until(self.startup_events, what='the startup event')
        self.settle()
        events = self.startup_events()
        self.assertEqual(len(events), 1)
        self.assertTrue(events[0].equal(times_variant(BOOT_TIMES)), str(events[0]))
        self.assertIn('the daemon started after boot finished', self.daemon.log())

    def test_in_a_container_only_userspace_counts(self):
        self.mocks.start_systemd({'UserspaceTimestampMonotonic': 100,
                                  'FinishTimestampMonotonic': 2_100}, virtualization='podman')
        self.daemon.start()
        self.wait_until(self.startup_events, what='the startup event')
        self.assertTrue(self.startup_events()[0].equal(times_variant((0, 0, 0, 0, 2000, 2000))))

    def test_a_restart_in_the_same_boot_records_nothing_a_reboot_records_again(self):
        self.mocks.start_systemd(BOOT_STAMPS)
        self.daemon.start()
        self.wait_until(self.startup_events, what='the startup event')
        self.assertEqual(self.daemon.stop(), 0)
        self.assertEqual(self.daemon.schedule()['startup-finished']['RecordedBootId'],
                         self.daemon.boot_id)

        self.daemon.start()
        self.daemon.wait_log('already recorded for this boot')
        # The signal of a re-executed systemd must not count either.
        self.mocks.startup_finished()
        self.settle()
        self.assertEqual(len(self.startup_events()), 1)
        self.assertEqual(self.daemon.stop(), 0)

        self.daemon.set_boot_id(str(uuid.uuid4()))
        self.daemon.start()
        self.wait_until(lambda: len(self.startup_events()) == 2, what='the next boot\'s event')

    def test_out_of_order_timestamps_are_not_recorded(self):
        stamps = dict(BOOT_STAMPS, FinishTimestampMonotonic=1_000_000)  # before userspace
        self.mocks.start_systemd(stamps)
        self.daemon.start()
        self.daemon.wait_log('out of order')
        self.settle()
        self.assertEqual(self.startup_events(), [])

    def test_without_systemd_the_daemon_runs_and_records_the_rest(self):
        self.daemon.start()
        self.daemon.wait_log('waiting for the StartupFinished signal')
        self.wait_until(lambda: len(self.mocks.singulars()) >= 4, what='the daily events')
        self.assertEqual(self.startup_events(), [])

    def test_switched_off(self):
        self.daemon.write_config('[Collectors]\nstartup-finished=false\n')
        self.mocks.start_systemd(BOOT_STAMPS)
        self.daemon.start()
        self.wait_until(lambda: len(self.mocks.singulars()) >= 4, what='the daily events')
        self.settle()
        self.assertEqual(self.startup_events(), [])
        self.assertEqual(self.mocks.systemd_calls('Subscribe'), [])


if __name__ == '__main__':
    unittest.main()
