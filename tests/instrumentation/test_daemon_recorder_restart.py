# SPDX-License-Identifier: GPL-2.0-or-later
"""Session timers across a restart of the real recorder (a package update): the
recorder saves the time of its timers when it stops and forgets them, so the daemon
starts the timers of users still logged in again on the new instance, and a timer
started while the recorder was away reaches the new instance once.

The real recorder is used because dbusmock owns its name before its methods exist,
which a restarted stand-in would show as refused calls.
"""

import os
import sys
import time
import unittest
import uuid
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'integration'))

from harness import RecorderTestCase, today  # noqa: E402
from instrumentation_env import (SANITIZER_MARKERS, SESSION_TIME, Instrumentation,  # noqa: E402
                                 Mocks)


class RecorderRestartTest(RecorderTestCase):
    def setUp(self):
        super().setUp()
        self.daemon = Instrumentation(self.env)
        self.addCleanup(self.daemon.kill)
        self.mocks = Mocks(self.env)
        self.addCleanup(self.mocks.close)
        self.addCleanup(self.check_instrumentation_logs)
        # Only the session timers: the daily events are not what this is about.
        self.daemon.write_config('[Collectors]\nhardware-info=false\nprimary-storage=false\n'
                                 'hardware-model=false\nsystem-locale=false\n'
                                 'startup-finished=false\n')

    def check_instrumentation_logs(self):
        if self.daemon.alive():
            self.daemon.stop()
        logs = self.daemon.all_logs()
        found = [m for m in SANITIZER_MARKERS if m in logs]
        if found:
            self.fail(f'sanitizer report in the instrumentation log: {found}\n{logs[-6000:]}')

    def running_timers(self):
        """The recorder's timer objects (children of /com/endlessm/Metrics)."""
        root = ET.fromstring(self.client.introspect())
        return sorted(n.get('name') for n in root.findall('node')
                      if n.get('name', '').startswith('AggregateTimer'))

    def seconds(self, uid):
        return self.env.count_value(uuid.UUID(SESSION_TIME).bytes, today(), uid=uid) or 0

    def test_timers_start_again_on_the_new_instance_once(self):
        self.mocks.start_logind(users=[(1000, 'alice')])
        self.daemon.start()
        self.wait_until(lambda: len(self.running_timers()) == 1, timeout=20,
                        message="alice's timer")
        time.sleep(1.2)
        self.env.stop_daemon()
        # Saved when the recorder stopped.
        self.assertGreaterEqual(self.seconds(1000), 1)
        alice_before = self.seconds(1000)

        self.mocks.user_new(1001, 'bob')
        self.daemon.wait_log('timer started for uid 1001')
        self.env.start_daemon()
        self.daemon.wait_log('timer started again for uid 1000')
        # alice started again, bob's start delivered once: two timers, not three.
        self.wait_until(lambda: len(self.running_timers()) == 2, timeout=20,
                        message='two timers on the new instance')
        time.sleep(1.5)
        self.assertEqual(len(self.running_timers()), 2)

        self.assertEqual(self.daemon.stop(), 0)
        self.wait_until(lambda: self.running_timers() == [], timeout=20, message='timers stopped')
        self.assertGreaterEqual(self.seconds(1000), alice_before + 1)
        self.assertGreaterEqual(self.seconds(1001), 1)


if __name__ == '__main__':
    unittest.main()
