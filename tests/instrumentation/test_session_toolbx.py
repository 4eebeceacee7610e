# SPDX-License-Identifier: GPL-2.0-or-later
"""The Toolbx event with podman stand-ins printing fixtures of `podman ps --all --format
json`: several Toolbx images, a container that is not Toolbx's, an unknown image, no
containers, output that is not podman's JSON, a podman that hangs past the timeout, one
that fails, and no podman at all. The event (singular, a(ssu)) goes out at most once a
day per user, across restarts and reboots."""

import os
import time
import unittest

from session_env import TOOLBX, SessionTestCase

SEVERAL = ("[('arch', 'other', 1), ('fedora', '41', 2), ('fedora', 'rawhide', 1), "
           "('other', 'other', 1), ('rhel', '9.4', 1), ('ubuntu', '24.04', 1)]")


class ToolbxTest(SessionTestCase):

    def toolbx_events(self):
        return self.calls_for(TOOLBX)

    def run_once(self, expect_event=True):
        """Starts the collector, waits for its Toolbx outcome, stops it."""
        self.collector.start()
        if expect_event:
            self.wait_for(self.toolbx_events, what='the Toolbx event')
            self.collector.wait_log('next Toolbx check in 24 h 0 min')
        self.settle()
        self.assertEqual(self.collector.stop(), 0)

    def test_several_images_by_distribution_and_release(self):
        self.collector.set_podman('several-images.json')
        self.run_once()
        self.assertEqual(self.toolbx_events(), [('RecordSingularEvent', SEVERAL)])
        log = self.collector.log()
        self.assertIn('toolbx-images: recorded ' + SEVERAL, log)
        # What identifies the user's containers stays here, even out of the journal.
        for secret in ('my-secret-project', 'alice-private-toolbox', 'registry.example.com'):
            self.assertNotIn(secret, log)
        self.assertEqual(self.collector.podman_calls(),
                         ['ps --all --filter label=com.github.containers.toolbox=true '
                          '--format json'])

    def test_a_container_without_the_toolbx_label_is_not_counted(self):
        self.collector.set_podman('not-toolbx.json')
        self.run_once()
        self.assertEqual(self.toolbx_events(), [('RecordSingularEvent', "[('fedora', '41', 1)]")])
        self.assertIn('container 1 has no Toolbx label and is not counted', self.collector.log())

    def test_no_containers_sends_the_empty_list(self):
        self.collector.set_podman('none.json')
        self.run_once()
        self.assertEqual(self.toolbx_events(), [('RecordSingularEvent', '[]')])

    def test_no_podman_installed_sends_the_empty_list(self):
        self.collector.podman = os.path.join(self.collector.dir, 'no-such-podman')
        self.run_once()
        self.assertEqual(self.toolbx_events(), [('RecordSingularEvent', '[]')])
        self.assertIn('sending the empty list', self.collector.log())

    def test_output_that_is_not_podmans_json_sends_nothing(self):
        self.collector.set_podman('malformed.json')
        self.collector.start()
        self.collector.wait_log('not a JSON array of containers; nothing sent, next try in 1 h')
        self.settle()
        self.assertEqual(self.toolbx_events(), [])
        self.assertFalse(os.path.exists(self.collector.schedule_file))

    def test_a_failing_podman_sends_nothing(self):
        self.collector.set_podman('none.json', mode='fail')
        self.collector.start()
        self.collector.wait_log('exited with status 125; nothing sent, next try in 1 h')
        self.settle()
        self.assertEqual(self.toolbx_events(), [])

    def test_a_podman_that_hangs_is_killed_at_the_timeout_and_sends_nothing(self):
        self.collector.set_podman('none.json', mode='hang')
        self.collector.podman_timeout = 2
        self.collector.start()
        log = self.collector.wait_log('did not finish within 2 s and was killed')
        self.assertIn('nothing sent, next try in 1 h', log)
        self.assertEqual(self.toolbx_events(), [])
        # The stand-in is gone, not left behind.
        self.wait_for(lambda: not any(self.hung_podmans()), timeout=5, what='podman killed')
        # The collector stayed responsive meanwhile: it said ready before podman returned.
        self.assertLess(log.index('] ready'), log.index('did not finish'))

    def hung_podmans(self):
        found = []
        for pid in os.listdir('/proc'):
            if not pid.isdigit():
                continue
            try:
                with open(f'/proc/{pid}/cmdline', 'rb') as f:
                    argv = f.read().split(b'\0')
            except OSError:
                continue
            # The stand-in runs as "python3 PODMAN ps …"; the collector only names it.
            if len(argv) > 1 and argv[1] == self.collector.podman.encode():
                found.append(pid)
        return found

    def test_at_most_once_a_day_across_restarts_and_reboots(self):
        self.collector.set_podman('none.json')
        self.run_once()
        self.assertIn('[daily toolbx-images]', self.collector.schedule_text())
        # A restart in the same boot, and a reboot within the day: nothing, not even podman.
        self.collector.start()
        self.collector.wait_log('next Toolbx check in 23 h')
        self.assertEqual(self.collector.stop(), 0)
        self.collector.set_boot_id('0f3a5b7c-0000-4000-8000-000000000001')
        self.collector.start()
        self.collector.wait_log('next Toolbx check in 23 h')
        self.assertEqual(self.collector.stop(), 0)
        self.assertEqual(len(self.toolbx_events()), 1)
        self.assertEqual(len(self.collector.podman_calls()), 1)
        # A day later (the deadline in the past, in another boot): the next event.
        self.collector.write_schedule('[daily toolbx-images]\nBootId=old\n'
                                      'DueBoottimeNs=1\nDueWallNs=%d\n' % (time.time_ns() - 1))
        self.run_once()
        self.assertEqual(len(self.toolbx_events()), 2)

    def test_switched_off(self):
        self.collector.write_config('[Collectors]\ntoolbx-images=false\n', user=True)
        self.collector.start()
        self.settle(1.0)
        self.assertIn('collectors: ide-usage;', self.collector.log())
        self.assertEqual(self.toolbx_events(), [])
        self.assertEqual(self.collector.podman_calls(), [])
        self.assertFalse(os.path.exists(self.collector.schedule_file))

    def test_not_in_the_registry_it_does_not_run(self):
        empty = os.path.join(self.env.root, 'empty-registry')
        os.mkdir(empty)
        self.collector.registry_dir = empty
        self.collector.start()
        self.settle(1.0)
        log = self.collector.log()
        self.assertIn('toolbx-images (1d6482fd-00c8-4223-8be8-dfacacd92ae7) is not in the metric '
                      'registry', log)
        self.assertIn('collectors: ide-usage, toolbx-images;', log)  # switched on, yet
        self.assertEqual(self.collector.podman_calls(), [])
        self.assertEqual(self.manager.subscribers(), 0)


if __name__ == '__main__':
    unittest.main()
