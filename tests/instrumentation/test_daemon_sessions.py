# SPDX-License-Identifier: GPL-2.0-or-later
"""Daily session time: one libmetrics timer per human user that logind lists.

Against dbusmock's logind template and the stand-in recorder, which logs every
StartAggregateTimer (uid, event id) and every StopTimer on the timer it handed out.
"""

import signal
import unittest

from instrumentation_env import SESSION_TIME, InstrumentationTestCase


class SessionTimeTest(InstrumentationTestCase):
    def setUp(self):
        super().setUp()
        self.mocks.start_recorder()

    def timers_of(self, uid):
        return [t for t in self.mocks.timers() if t[0] == uid]

    def start_daemon_and_wait_for_list_users(self):
        """Signals sent before the daemon's match rules reach the bus would be lost to
        it; its ListUsers call follows them on its connection, so once logind saw the
        call, the rules are in place."""
        self.daemon.start()
        self.wait_until(lambda: self.mocks.logind.GetMethodCalls(
            'ListUsers', dbus_interface='org.freedesktop.DBus.Mock'), what='ListUsers')

    def test_listed_human_users_get_a_timer_and_system_users_none(self):
        self.mocks.start_logind(users=[(0, 'root'), (42, 'gdm'), (1000, 'alice'),
                                       (60001, 'dynamic'), (65534, 'nobody')])
        self.daemon.start()
        self.wait_until(lambda: self.timers_of(1000), what='the timer of uid 1000')
        self.settle()
        timers = self.mocks.timers()
        self.assertEqual([(uid, event) for uid, event, _p, _s in timers], [(1000, SESSION_TIME)])
        self.assertFalse(timers[0][3], 'the timer stopped while alice is logged in')

    def test_user_new_starts_and_user_removed_stops_a_timer(self):
        self.mocks.start_logind()
        self.start_daemon_and_wait_for_list_users()
        self.mocks.user_new(1001, 'bob')
        self.wait_until(lambda: self.timers_of(1001), what='the timer of uid 1001')
        self.assertFalse(self.timers_of(1001)[0][3])
        self.mocks.user_removed(1001)
        self.wait_until(lambda: self.timers_of(1001)[0][3], what='the StopTimer of uid 1001')
        self.settle()
        self.assertEqual(len(self.mocks.timers()), 1, 'one start, nothing else')

    def test_system_users_from_signals_get_no_timer(self):
        self.mocks.start_logind()
        self.start_daemon_and_wait_for_list_users()
        for uid, name in ((0, 'root'), (42, 'gdm'), (999, 'sddm'), (60001, 'dyn'),
                          (65534, 'nobody')):
            self.mocks.user_new(uid, name)
        # A human user after them: once its timer shows, the others had their turn.
        self.mocks.user_new(1002, 'carol')
        self.wait_until(lambda: self.timers_of(1002), what='the timer of uid 1002')
        self.settle()
        self.assertEqual([t[0] for t in self.mocks.timers()], [1002])

    def test_a_repeated_user_new_does_not_start_a_second_timer(self):
        self.mocks.start_logind(users=[(1000, 'alice')])
        self.start_daemon_and_wait_for_list_users()
        self.wait_until(lambda: self.timers_of(1000), what='the timer of uid 1000')
        self.mocks.logind.EmitSignal('org.freedesktop.login1.Manager', 'UserNew', 'uo',
                                     [1000, '/org/freedesktop/login1/user/1000'],
                                     dbus_interface='org.freedesktop.DBus.Mock')
        self.mocks.user_new(1003, 'dave')
        self.wait_until(lambda: self.timers_of(1003), what='the timer of uid 1003')
        self.settle()
        self.assertEqual(len(self.timers_of(1000)), 1)

    def test_sigterm_stops_every_timer_before_exit(self):
        self.mocks.start_logind(users=[(1000, 'alice'), (1004, 'erin')])
        self.daemon.start()
        self.wait_until(lambda: len(self.mocks.timers()) == 2, what='two timers')
        self.assertEqual(self.daemon.stop(signal.SIGTERM), 0)
        # Stopped through libmetrics before the daemon ends. (libmetrics sends StopTimer
        # from its own thread; one not yet sent at exit is stopped by the recorder when
        # the connection closes, with the same time: test_daemon_end_to_end counts it.)
        log = self.daemon.log()
        end = log.index('] stopped')
        self.assertLess(log.index('timer stopped for uid 1000'), end)
        self.assertLess(log.index('timer stopped for uid 1004'), end)

    def test_logind_starting_late_is_followed(self):
        self.daemon.start()
        self.mocks.start_logind(users=[(1000, 'alice')])
        self.wait_until(lambda: self.timers_of(1000), what='the timer of uid 1000')

    def test_switched_off_no_timers(self):
        self.daemon.write_config('[Collectors]\nsession-time=false\n')
        self.mocks.start_logind(users=[(1000, 'alice')])
        self.daemon.start()
        self.mocks.user_new(1001, 'bob')
        # The daily events show that the daemon is running and talking to the recorder.
        self.wait_until(lambda: len(self.mocks.singulars()) >= 4, what='the daily events')
        self.settle()
        self.assertEqual(self.mocks.timers(), [])


if __name__ == '__main__':
    unittest.main()
