# SPDX-License-Identifier: GPL-2.0-or-later
"""End to end: the session collector (self.session; self.collector is the test
upload server) records through libmetrics into the real recorder,
which enforces this repository's registry (allowed values included) and uploads to the
test collector. Both metrics arrive with their registered payload types: an IDE that runs
about 5 s is counted that long, the Toolbx event is uploaded and decoded. Declining consent
stops both collectors' sources; granting it again starts them."""

import json
import math
import os
import sys
import time
import unittest
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'integration'))

from uploads import GRANTED, UploadTestCase  # noqa: E402

from harness import CONTROL_IFACE, GLib, decode_payload, today  # noqa: E402
from instrumentation_env import SANITIZER_MARKERS  # noqa: E402
from session_env import (IDE_USAGE, TOOLBX, SessionBus, SessionCollector,  # noqa: E402
                         UserManager)

BUILDER_SCOPE = 'app-gnome-org.gnome.Builder-4711.scope'
SEVERAL = [('arch', 'other', 1), ('fedora', '41', 2), ('fedora', 'rawhide', 1),
           ('other', 'other', 1), ('rhel', '9.4', 1), ('ubuntu', '24.04', 1)]
DECLINED = GRANTED.replace('enabled=true\nuploading_enabled=true',
                           'enabled=false\nuploading_enabled=false')


class SessionEndToEndTest(UploadTestCase):
    def setUp(self):
        super().setUp()
        self.env.registry_mode = 'enforce'
        self.session_bus = SessionBus(self.env)
        self.addCleanup(self.session_bus.close)
        self.manager = UserManager(self.env, self.session_bus)
        self.session = SessionCollector(self.env, self.session_bus)
        self.session.set_podman('several-images.json')
        self.addCleanup(self.session.kill)
        self.addCleanup(self.check_collector_logs)
        self.start()

    def check_collector_logs(self):
        if self.session.alive():
            self.session.stop()
        logs = self.session.all_logs()
        found = [m for m in SANITIZER_MARKERS if m in logs]
        if found:
            self.fail(f'sanitizer report in the collector log: {found}\n{logs[-6000:]}')

    def ide_counts(self):
        """[(period, payload type, payload, seconds)] of IDE usage in the recorder's store."""
        out = []
        for period, _event, payload, _uid, count, _size in self.env.counts(
                uuid.UUID(IDE_USAGE).bytes):
            value = decode_payload(payload)
            out.append((period, value.get_type_string(), value.unpack(), count))
        return out

    def toolbx_singulars(self):
        return [decode_payload(row[4]) for row in self.env.singulars(uuid.UUID(TOOLBX).bytes)]

    def test_both_metrics_arrive_with_their_registered_types(self):
        self.session.start()
        self.wait_for(self.toolbx_singulars, what='the Toolbx event in the recorder')
        (toolbx,) = self.toolbx_singulars()
        self.assertEqual(toolbx.get_type_string(), 'a(ssu)')
        self.assertEqual(toolbx.unpack(), SEVERAL)

        # The IDE runs about 5 s. The recorder stores its next timer id when it starts a
        # timer: once that changed, the recorder's timer runs.
        self.wait_for(lambda: self.manager.subscribers() == 1, what='Subscribe')
        next_id = self.env.meta('next_timer_id')
        t_added = time.monotonic()
        self.manager.add_unit(BUILDER_SCOPE, 'active')
        self.wait_for(lambda: self.env.meta('next_timer_id') != next_id,
                      what='the recorder starting the timer')
        t_running = time.monotonic()
        time.sleep(5)
        t_removed = time.monotonic()
        self.manager.remove_unit(BUILDER_SCOPE)
        self.wait_for(self.ide_counts, what='the IDE count')
        t_counted = time.monotonic()
        ((period, type_string, application, seconds),) = self.ide_counts()
        self.assertEqual((period, type_string, application), (today(), 's', 'org.gnome.Builder'))
        self.assertGreaterEqual(seconds, math.floor(t_removed - t_running))
        self.assertLessEqual(seconds, math.ceil(t_counted - t_added))
        # Nothing of it was refused, by the registry or its allowed values.
        (refused,) = self.client.call('Get', 'ss', [CONTROL_IFACE, 'RefusedEvents'],
                                      iface='org.freedesktop.DBus.Properties')
        self.assertEqual(refused, {})

        # Uploaded: the test collector decodes the Toolbx event. (Daily counts go out
        # once their day is over.)
        events, _requests = self.upload()
        self.assertGreaterEqual(events, 1)
        uploaded = [event['payload'] for row in self.uploaded_requests()
                    for event in row['singulars'] if event['event_id'] == TOOLBX]
        self.assertEqual(len(uploaded), 1)
        decoded = GLib.Variant.parse(GLib.VariantType('a(ssu)'), uploaded[0], None, None)
        self.assertEqual(decoded.unpack(), SEVERAL)

    def uploaded_requests(self):
        return [json.loads(row['request_json']) for row in self.collector.rows()]

    def test_declining_consent_stops_both_and_granting_starts_them_again(self):
        self.manager.add_unit(BUILDER_SCOPE, 'active')
        self.env.write_permissions(DECLINED)
        self.wait_for(lambda: self.control('ConsentState') == 'declined', what='declined')
        self.session.start()
        self.session.wait_log('consent is declined: collectors stopped')
        self.settle(1.0)
        # Declined from the start: neither source was touched.
        self.assertEqual(self.manager.subscribers(), 0)
        self.assertEqual(self.manager.calls('ListUnits'), [])
        self.assertEqual(self.session.podman_calls(), [])

        self.grant()
        self.session.wait_log('consent is granted: collecting')
        self.wait_for(self.toolbx_singulars, what='the Toolbx event')
        self.session.wait_log('timer started for org.gnome.Builder')
        self.assertEqual(self.manager.subscribers(), 1)

        # Declined while an IDE runs: its timer stops, the user manager is let go, and a
        # new IDE is not seen.
        self.env.write_permissions(DECLINED)
        log = self.session.wait_log('consent is declined: collectors stopped')
        self.session.wait_log('timer stopped for org.gnome.Builder')
        self.wait_for(lambda: self.manager.subscribers() == 0, what='Unsubscribe')
        self.manager.add_unit('app-gnome-code-99.scope', 'active')
        self.settle(1.0)
        self.assertNotIn('timer started for code', self.session.log())
        # The recorder kept nothing (declining deletes what was collected).
        self.assertEqual(self.env.table_rows(), {'singular': 0, 'counts': 0, 'aggregate': 0})
        self.assertIn('ready', log)

    def settle(self, seconds=0.5):
        time.sleep(seconds)


if __name__ == '__main__':
    unittest.main()
