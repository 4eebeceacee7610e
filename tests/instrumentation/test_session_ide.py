# SPDX-License-Identifier: GPL-2.0-or-later
"""IDE usage on a private session bus with a stand-in systemd user manager and a stand-in
recorder: a timer of the IDE's desktop ID while one of its units runs, counted once
however many units it has; escaped unit names; units already running at start; nothing
at all for other applications; switched off by either switch file; SIGTERM stops the
timers. (The time counted, with the real recorder: test_session_end_to_end.)"""

import signal
import time
import unittest

from session_env import IDE_USAGE, SessionTestCase

BUILDER_SCOPE = 'app-gnome-org.gnome.Builder-4711.scope'


class IdeUsageTest(SessionTestCase):

    def started(self, payload):
        return [t for t in self.timers_of() if t[0] == payload]

    def test_an_ide_unit_starts_and_stops_a_timer_of_its_desktop_id(self):
        self.collector.start()
        self.wait_for(lambda: self.manager.subscribers() == 1, what='Subscribe')
        self.manager.add_unit(BUILDER_SCOPE, 'active')
        self.wait_for(lambda: self.started("'org.gnome.Builder'"), what='the timer')
        self.assertEqual(self.calls_for(IDE_USAGE),
                         [('StartAggregateTimer', "'org.gnome.Builder'")])
        self.manager.remove_unit(BUILDER_SCOPE)
        self.wait_for(lambda: self.started("'org.gnome.Builder'")[0][2], what='StopTimer')
        self.assertIn('ide-usage: timer stopped for org.gnome.Builder', self.collector.log())
        self.settle()
        self.assertEqual(len(self.timers_of()), 1)

    def test_two_units_of_one_ide_count_once(self):
        self.collector.start()
        self.wait_for(lambda: self.manager.subscribers() == 1, what='Subscribe')
        # GNOME Shell's scope and dbus-broker's service of a D-Bus activated second window.
        self.manager.add_unit(BUILDER_SCOPE, 'active')
        self.wait_for(lambda: self.timers_of(), what='the timer')
        self.manager.add_unit('dbus-:1.2-org.gnome.Builder@0.service', 'active')
        self.settle()
        self.manager.remove_unit(BUILDER_SCOPE)
        self.settle()
        timers = self.timers_of()
        self.assertEqual(len(timers), 1, timers)
        self.assertFalse(timers[0][2], 'stopped while the second unit runs')
        self.manager.remove_unit('dbus-:1.2-org.gnome.Builder@0.service')
        self.wait_for(lambda: self.timers_of()[0][2], what='StopTimer after the last unit')
        self.settle()
        self.assertEqual(len(self.timers_of()), 1)

    def test_other_applications_yield_no_call_at_all(self):
        self.collector.start()
        self.wait_for(lambda: self.manager.subscribers() == 1, what='Subscribe')
        self.settle()
        before = len(self.all_recorder_calls())
        for name in ('app-gnome-org.mozilla.firefox-100.scope',
                     'app-gnome-org.gnome.Terminal-101.scope',
                     'app-flatpak-com.spotify.Client-102.scope',
                     'app-org.kde.konsole@abc.service',
                     'dbus-:1.2-org.gnome.Nautilus@0.service',
                     'gnome-shell-wayland.service', 'pipewire.service'):
            self.manager.add_unit(name, 'active')
        # An IDE's name in another case is another application.
        self.manager.add_unit('app-gnome-org.gnome.builder-103.scope', 'active')
        self.settle(1.0)
        self.manager.remove_unit('app-gnome-org.mozilla.firefox-100.scope')
        self.settle()
        self.assertEqual(self.all_recorder_calls()[before:], [])
        self.assertEqual(self.timers_of(), [])

    def test_escaped_unit_names_decode_to_the_right_id(self):
        self.collector.start()
        self.wait_for(lambda: self.manager.subscribers() == 1, what='Subscribe')
        self.manager.add_unit('app-gnome-jetbrains\\x2didea\\x2dce-555.scope', 'active')
        self.manager.add_unit(
            'app-flatpak-com.jetbrains.IntelliJ\\x2dIDEA\\x2dCommunity-556.scope', 'active')
        self.wait_for(lambda: len(self.timers_of()) == 2, what='two timers')
        self.assertEqual(sorted(t[0] for t in self.timers_of()),
                         ["'com.jetbrains.IntelliJ-IDEA-Community'", "'jetbrains-idea-ce'"])

    def test_units_running_at_start_are_picked_up(self):
        self.manager.add_unit('app-org.kde.kate@0123abcd.service', 'active')
        self.manager.add_unit('app-gnome-code-77.scope', 'inactive')  # loaded, not running
        self.manager.add_unit('app-gnome-org.mozilla.firefox-78.scope', 'active')
        self.collector.start()
        self.wait_for(lambda: self.timers_of(), what='the timer of the running IDE')
        self.settle()
        self.assertEqual([t[0] for t in self.timers_of()], ["'org.kde.kate'"])
        # The one that was not running starts when it does.
        self.manager.set_state('app-gnome-code-77.scope', 'active')
        self.wait_for(lambda: len(self.timers_of()) == 2, what="code's timer")
        self.assertEqual(self.timers_of()[1][0], "'code'")

    def test_a_unit_that_fails_stops_its_timer(self):
        self.collector.start()
        self.wait_for(lambda: self.manager.subscribers() == 1, what='Subscribe')
        self.manager.add_unit('app-gnome-org.gnome.TextEditor-9.scope', 'activating')
        self.wait_for(lambda: self.timers_of(), what='the timer')
        self.manager.set_state('app-gnome-org.gnome.TextEditor-9.scope', 'active')
        self.manager.set_state('app-gnome-org.gnome.TextEditor-9.scope', 'failed')
        self.wait_for(lambda: self.timers_of()[0][2], what='StopTimer')
        self.assertEqual(len(self.timers_of()), 1)

    def test_sigterm_stops_every_timer(self):
        self.manager.add_unit(BUILDER_SCOPE, 'active')
        self.manager.add_unit('app-gnome-emacs-5.scope', 'active')
        self.collector.start()
        self.wait_for(lambda: len(self.timers_of()) == 2, what='two timers')
        self.assertEqual(self.collector.stop(signal.SIGTERM), 0)
        # Stopped through libmetrics before the collector ends. (libmetrics sends StopTimer
        # from its own thread; one not yet sent at exit is stopped by the recorder when the
        # connection closes, with the same time.)
        log = self.collector.log()
        end = log.index('] stopped')
        self.assertLess(log.index('timer stopped for org.gnome.Builder'), end)
        self.assertLess(log.index('timer stopped for emacs'), end)

    def test_switched_off_by_the_administrator_or_the_user(self):
        for system, user in (('[Collectors]\nide-usage=false\n', ''),
                             ('', '[Collectors]\nide-usage=false\n')):
            with self.subTest(system=system, user=user):
                self.collector.write_config(system)
                self.collector.write_config(user, user=True)
                self.manager.add_unit(BUILDER_SCOPE, 'active')
                self.collector.start()
                self.settle(1.0)
                self.assertIn('collectors: toolbx-images;', self.collector.log())
                self.assertEqual(self.manager.subscribers(), 0)
                self.assertEqual(self.manager.calls('ListUnits'), [])
                self.assertEqual(self.collector.stop(), 0)
                self.manager.remove_unit(BUILDER_SCOPE)
        self.assertEqual(self.timers_of(), [])

    def test_the_user_manager_leaving_stops_the_timers(self):
        self.manager.add_unit(BUILDER_SCOPE, 'active')
        self.collector.start()
        self.wait_for(lambda: self.timers_of(), what='the timer')
        self.manager.stop()
        self.wait_for(lambda: self.timers_of()[0][2], what='StopTimer')
        self.assertTrue(self.collector.alive())


if __name__ == '__main__':
    unittest.main()
