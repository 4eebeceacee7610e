# SPDX-License-Identifier: GPL-2.0-or-later
"""When uploads happen: schedule, network state (NetworkManager via dbusmock), consent."""

import os
import subprocess
import threading
import time
import unittest

from harness import BUILD_DIR, POLKIT_SET_ENABLED, DBusCallError
from uploads import (NM_METERED_NO, NM_METERED_YES, NM_STATE_CONNECTED_GLOBAL,
                     NM_STATE_DISCONNECTED, UploadTestCase)

ERR = 'com.endlessm.Metrics.Error.'
METRICSCTL = os.path.join(BUILD_DIR, 'daemon', 'cli', 'metricsctl')
UNDECIDED = """[global]
enabled=true
uploading_enabled=false
environment=test
server_url={url}
"""
DECLINED = """[global]
enabled=false
uploading_enabled=false
environment=test
server_url={url}
"""


class ScheduleTestCase(UploadTestCase):
    INTERVAL_S = 1

    def wait_for_slots_after(self, announced, slots, what):
        """Waits until `slots` upload slots have passed from `announced` on (a time the
        recorder reported, in whole seconds: the slot itself counts as the first)."""
        self.assertGreater(announced, 0, 'the recorder announced no time to count from')
        # Whole seconds, truncated: the moment itself may be up to a second later.
        end = announced + 1 + (slots - 1) * self.INTERVAL_S
        self.wait_until(lambda: time.time() >= end, f'{what} (until {end})')


class ScheduleTest(ScheduleTestCase):

    def own_connections_only(self):
        # Each stats() call is one connection of the test's own.
        return self.collector.stats()['connections'] == 1

    def test_scheduled_upload_without_being_asked(self):
        self.start()
        markers = self.record_marked(25)
        self.wait_for(lambda: self.queued() == 0, what='the scheduled upload')
        self.assert_exactly_once(markers)
        self.wait_for(lambda: self.control('LastUploadResult') == 'success', what='the status')
        self.assertEqual(self.control('UploadState'), 'idle')
        self.assertGreater(self.control('NextUploadTime'), 0)

    def test_offline_means_no_attempt_until_the_network_returns(self):
        self.set_network(state=NM_STATE_DISCONNECTED)
        self.start()
        markers = self.record_marked(10)
        self.assertEqual(self.control('UploadState'), 'offline')
        err = self.upload_error()
        self.assertEqual(err.name, ERR + 'NetworkUnavailable', err.message)
        # Three slot intervals of quiet are the claim. Offline the recorder arms no slot
        # and announces none: there is no slot event to wait for.
        time.sleep(3)  # sleep-ok: three slot intervals; offline, no slot is armed to wait for
        self.assertEqual(self.control('UploadState'), 'offline')
        self.assertTrue(self.own_connections_only())
        self.assertEqual(self.queued(), 10)
        self.set_network(state=NM_STATE_CONNECTED_GLOBAL)
        # The missed slots fire once, at once.
        self.wait_for(lambda: self.queued() == 0, what='the upload after reconnecting')
        self.assert_exactly_once(markers)
        self.assertEqual(len(self.collector.rows()), 1)

    def test_metered_waits_unless_allowed(self):
        self.set_network(metered=NM_METERED_YES)
        self.start()
        markers = self.record_marked(10)
        self.assertEqual(self.control('UploadState'), 'metered')
        self.assertEqual(self.upload_error().name, ERR + 'NetworkMetered')
        # Metered, as offline: no slot is armed or announced, none to wait for.
        time.sleep(2.5)  # sleep-ok: slot intervals; metered, no slot is armed to wait for
        self.assertEqual(self.control('UploadState'), 'metered')
        self.assertTrue(self.own_connections_only())
        self.set_network(metered=NM_METERED_NO)
        self.wait_for(lambda: self.queued() == 0, what='the unmetered upload')
        self.assert_exactly_once(markers)

    def test_metered_allowed(self):
        self.set_network(metered=NM_METERED_YES)
        self.start(AllowMeteredUploads='true')
        self.record_marked(4)
        self.wait_for(lambda: self.queued() == 0, what='the metered upload')

    def test_background_failure_backs_off(self):
        self.collector.set_faults([{'status': 500}])
        self.start()
        self.record_marked(3)
        self.wait_for(lambda: self.control('LastUploadResult') == ERR + 'UploadServerError',
                      what='the failed attempt')
        self.assertEqual(self.control('UploadState'), 'retrying')
        self.assertLessEqual(self.control('NextUploadTime'), time.time() + 31)
        self.assertEqual(self.queued(), 3)


class DestinationPauseTest(ScheduleTestCase):
    """The server says the destination is wrong (405 and the like): no further slot until
    the server URL changes or a forced upload succeeds; a forced upload is allowed."""
    INTERVAL_S = 1

    def pause_on_405(self):
        self.collector.set_faults([{'status': 405}])
        self.start()
        markers = self.record_marked(5)
        self.wait_for(lambda: self.control('LastUploadResult') not in ('', 'success'),
                      what='the refused attempt')
        if self.control('LastUploadResult') == ERR + 'UploadRejected':
            self.skipTest('405 is not yet classified as Outcome::Pause (upload_policy)')
        self.wait_for(lambda: self.control('UploadState') == 'paused', what='the pause')
        self.assertIn('405', self.control('LastUploadMessage'))
        self.assertEqual(self.control('NextUploadTime'), 0)
        # Three slots after the refused attempt (the recorder's LastUploadTime): none is used.
        self.wait_for_slots_after(self.control('LastUploadTime'), 4, 'three slots paused')
        stats = self.collector.stats()
        self.assertEqual((stats['accepted'], stats['faults_applied']), (0, 1), stats)
        self.assertEqual(self.control('UploadState'), 'paused')
        self.assertEqual(self.queued(), 5)
        return markers

    def test_a_new_server_url_ends_the_pause(self):
        markers = self.pause_on_405()
        # A forced upload is allowed while paused; refused again, the pause stays.
        self.collector.set_faults([{'status': 405}])
        self.assertIn('405', self.upload_error().message)
        self.assertEqual(self.control('UploadState'), 'paused')
        self.env.set_allowed(['com.endlessm.Metrics.SetServerUrl'])
        r = subprocess.run(
            [METRICSCTL, 'set-server-url',
             f'https://localhost:{self.collector.port}/'],
            capture_output=True, text=True, timeout=60, env=dict(os.environ, LC_ALL='C.UTF-8'))
        self.assertEqual(r.returncode, 0, r.stderr)
        # The schedule resumes by itself: no forced upload.
        self.wait_for(lambda: self.queued() == 0, what='the resumed schedule')
        self.assert_exactly_once(markers)
        self.assertNotEqual(self.control('UploadState'), 'paused')

    def test_a_forced_upload_that_succeeds_ends_the_pause(self):
        markers = self.pause_on_405()
        self.assertEqual(self.upload(), (5, 1))
        self.assert_exactly_once(markers)
        self.wait_for(lambda: self.control('UploadState') == 'idle', what='the schedule')
        # Slots again: the next events go without being asked.
        more = self.record_marked(3, start=5)
        self.wait_for(lambda: self.queued() == 0, what='the scheduled upload')
        self.assert_exactly_once(markers | more)


class ConsentGateTest(UploadTestCase):
    """Undecided or declined: not one connection, through many scheduled slots."""
    INTERVAL_S = 1

    def check_no_connection(self, permissions, upload_error):
        self.env.write_permissions(permissions.format(url=self.server_url))
        self.start()
        self.record_marked(5) if upload_error == 'UploadingDisabled' else None
        self.assertEqual(self.control('UploadState'), 'disabled')
        self.assertEqual(self.control('NextUploadTime'), 0)
        with self.assertRaises(DBusCallError) as cm:
            self.client.call('UploadEvents')
        self.assertEqual(cm.exception.name, ERR + upload_error)
        self.assertEqual(self.upload_error().name, ERR + upload_error)
        # Five slot intervals: without consent no slot is armed (NextUploadTime 0), so the
        # recorder has no slot to report passing.
        time.sleep(5)  # sleep-ok: five slot intervals; without consent no slot is armed
        self.assertEqual(self.collector.stats()['connections'], 1, 'the daemon connected')
        self.assertEqual(self.env.query('SELECT COUNT(*) FROM ledger')[0][0], 0)

    def test_undecided(self):
        self.check_no_connection(UNDECIDED, 'UploadingDisabled')
        # Granting starts the schedule: the gate, not the setup, kept the daemon quiet.
        self.grant()
        self.wait_for(lambda: self.queued() == 0, what='the upload after granting')

    def test_declined(self):
        self.check_no_connection(DECLINED, 'MetricsDisabled')

    def test_declining_during_an_upload_cancels_it(self):
        self.env.set_allowed([POLKIT_SET_ENABLED])
        self.start()
        self.record_marked(20)
        self.collector.set_faults([{'hang': True}])
        errors = []

        def upload():
            try:
                self.upload()
            except DBusCallError as e:
                errors.append(e)
        caller = threading.Thread(target=upload, daemon=True)
        caller.start()
        self.wait_for(lambda: self.collector.stats()['hung'] == 1, what='the hanging request')
        self.client.call('SetEnabled', 'b', (False,))
        # Ended by the decline: the hanging request alone would end in UploadTimeout.
        self.wait_for(lambda: not caller.is_alive(), 'Upload to return after declining')
        self.assertEqual(errors[0].name, ERR + 'UploadingDisabled')
        self.assertEqual(self.queued(), 0)
        self.assertEqual(self.env.query('SELECT COUNT(*) FROM ledger')[0][0], 0)
        self.assertEqual(self.control('ConsentState'), 'declined')
        self.assertEqual(self.control('UploadState'), 'disabled')


if __name__ == '__main__':
    unittest.main()
