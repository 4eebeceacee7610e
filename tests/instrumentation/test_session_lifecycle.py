# SPDX-License-Identifier: GPL-2.0-or-later
"""The session collector as the user manager runs it: READY=1 once it is on both buses and
knows the consent, STOPPING=1 and status 0 on SIGTERM and SIGINT, status 1 without a
session bus or when it goes, 2 on a bad command line."""

import signal
import subprocess
import unittest

from session_env import COLLECTOR, SessionTestCase
from test_daemon_lifecycle import NotifySocket


class SessionLifecycleTest(SessionTestCase):
    def setUp(self):
        super().setUp()
        self.notify = NotifySocket(self.env.root)
        self.addCleanup(self.notify.close)

    def test_ready_then_stopping_and_status_0_on_sigterm(self):
        self.collector.start(wait_ready=False, env={'NOTIFY_SOCKET': self.notify.path})
        self.assertIn('READY=1', self.notify.receive().split('\n'))
        # It was subscribed to the user manager when it said so, or about to be.
        self.wait_for(lambda: self.manager.subscribers() == 1, what='Subscribe')
        self.assertEqual(self.collector.stop(signal.SIGTERM), 0)
        self.assertIn('STOPPING=1', self.notify.receive().split('\n'))

    def test_sigint_is_a_clean_stop_too(self):
        self.collector.start()
        self.assertEqual(self.collector.stop(signal.SIGINT), 0)
        self.assertIn('] stopped', self.collector.log())

    def test_no_session_bus_is_status_1_with_the_reason(self):
        self.collector.start(wait_ready=False, session_bus=False,
                             env={'NOTIFY_SOCKET': self.notify.path})
        self.collector.proc.wait(20)
        self.assertEqual(self.collector.proc.returncode, 1)
        self.assertIn('cannot connect to the session bus', self.collector.log())
        self.assertNotIn('READY=1', self.notify.pending())

    def test_losing_the_session_bus_ends_it_with_status_1(self):
        self.collector.start()
        self.session_bus.close()
        self.collector.proc.wait(20)
        self.assertEqual(self.collector.proc.returncode, 1)
        self.assertIn('lost a bus', self.collector.log())

    def test_a_bad_command_line_is_status_2(self):
        for args in (['--no-such-option'], ['--podman-timeout', '0'], ['extra']):
            p = subprocess.run([COLLECTOR, *args], capture_output=True, text=True, timeout=20)
            self.assertEqual(p.returncode, 2, args)
            self.assertIn('eos-metrics-session-collector: ', p.stderr)


if __name__ == '__main__':
    unittest.main()
