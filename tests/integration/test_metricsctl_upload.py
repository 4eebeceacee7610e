# SPDX-License-Identifier: GPL-2.0-or-later
"""metricsctl and eos-upload-metrics against the real recorder and the local collector."""

import json
import os
import subprocess
import unittest

from harness import BUILD_DIR, SOURCE_DIR
from uploads import UploadTestCase

METRICSCTL = os.path.join(BUILD_DIR, 'daemon', 'cli', 'metricsctl')
EOS_UPLOAD_METRICS = os.path.join(SOURCE_DIR, 'tools', 'eos-upload-metrics')
UNDECIDED = """[global]
enabled=true
uploading_enabled=false
environment=test
server_url={url}
"""


class MetricsctlUploadTest(UploadTestCase):

    def run_tool(self, *argv):
        return subprocess.run(list(argv), capture_output=True, text=True, timeout=300,
                              env=dict(os.environ, LC_ALL='C.UTF-8'))

    def test_upload_and_status(self):
        self.start(UploadMaxRequestBytes=16384)
        markers = self.record_marked(700)
        r = self.run_tool(METRICSCTL, 'upload')
        self.assertEqual(r.returncode, 0, r.stderr)
        requests = len(self.collector.rows())
        self.assertGreater(requests, 1)
        self.assertEqual(r.stdout.strip(), f'Uploaded 700 events in {requests} requests.')
        self.assertIn('Uploading:', r.stderr)  # progress, one line per signal at most
        self.assert_exactly_once(markers)

        s = self.run_tool(METRICSCTL, 'status', '--json')
        self.assertEqual(s.returncode, 0, s.stderr)
        status = json.loads(s.stdout)
        self.assertEqual(status['consent_state'], 'granted')
        self.assertEqual(status['queued_events'], 0)
        self.assertEqual(status['upload_state'], 'idle')
        self.assertEqual(status['last_upload_result'], 'success')
        self.assertEqual(status['server_url'], self.server_url)
        self.assertIsNotNone(status['last_upload_time'])
        self.assertIsNotNone(status['next_upload_time'])

        text = self.run_tool(METRICSCTL, 'status')
        self.assertEqual(text.returncode, 0, text.stderr)
        self.assertIn('granted', text.stdout)
        self.assertIn(f'uploaded 700 events in {requests} requests', text.stdout)

        again = self.run_tool(METRICSCTL, 'upload')
        self.assertEqual((again.returncode, again.stdout.strip()), (0, 'Nothing to upload.'))

    def test_upload_failure_exit_codes(self):
        self.start(UploadRequestTimeoutSeconds=2)
        self.record_marked(3)
        self.collector.set_faults([{'status': 503}] * 3)
        r = self.run_tool(METRICSCTL, 'upload')
        self.assertEqual(r.returncode, 1, r.stdout)
        self.assertIn('com.endlessm.Metrics.Error.UploadServerError', r.stderr)
        self.assertIn('503', r.stderr)

    def test_not_granted(self):
        self.env.write_permissions(UNDECIDED.format(url=self.server_url))
        self.start()
        r = self.run_tool(METRICSCTL, 'upload')
        self.assertEqual(r.returncode, 5, r.stderr)
        self.assertIn('UploadingDisabled', r.stderr)
        e = self.run_tool(EOS_UPLOAD_METRICS)
        self.assertEqual(e.returncode, 1)
        self.assertIn('UploadingDisabled', e.stderr)
        self.assertEqual(self.collector.stats()['connections'], 1)

    def test_eos_upload_metrics(self):
        self.start()
        markers = self.record_marked(12)
        r = self.run_tool(EOS_UPLOAD_METRICS)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.strip(), 'Successfully uploaded all events to servers.')
        self.assert_exactly_once(markers)

    def test_recorder_not_running(self):
        r = self.run_tool(METRICSCTL, 'status')
        self.assertEqual(r.returncode, 3, r.stderr)


if __name__ == '__main__':
    unittest.main()
