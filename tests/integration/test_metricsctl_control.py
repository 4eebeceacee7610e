# SPDX-License-Identifier: GPL-2.0-or-later
"""metricsctl's control and transparency commands, and the Endless compatibility commands,
against the real recorder (consent, queue, log, server URL, environment)."""

import hashlib
import json
import os
import subprocess
import unittest

from harness import (BUILD_DIR, NOBODY, POLKIT_SET_ENABLED, GLib, boottime_ns, random_event_id)
from uploads import UploadTestCase

METRICSCTL = os.path.join(BUILD_DIR, 'daemon', 'cli', 'metricsctl')
TOOLS = os.path.join(BUILD_DIR, 'tools')
SET_URL = 'com.endlessm.Metrics.SetServerUrl'
SET_ENV = 'com.endlessm.Metrics.SetEnvironment'


class ControlTest(UploadTestCase):

    def run_tool(self, *argv, uid=None, env=None):
        e = {'PATH': '/usr/bin:/bin', 'LC_ALL': 'C.UTF-8',
             'DBUS_SYSTEM_BUS_ADDRESS': self.env.bus_address}
        e.update(env or {})
        argv = list(argv)
        if uid is not None:
            argv = ['setpriv', f'--reuid={uid}', f'--regid={uid}', '--clear-groups'] + argv
        return subprocess.run(argv, capture_output=True, timeout=120, env=e)

    def ctl(self, *args, **kw):
        r = self.run_tool(METRICSCTL, *args, **kw)
        return r.returncode, r.stdout.decode(), r.stderr.decode()

    def test_consent(self):
        self.env.write_permissions(
            f'[global]\nenabled=true\nuploading_enabled=false\nserver_url={self.server_url}\n')
        self.start()
        self.assertEqual(self.ctl('consent', '--json')[1].strip(), '{"consent_state":"undecided"}')
        self.env.set_allowed([])
        code, _, err = self.ctl('consent', 'grant')
        self.assertEqual(code, 4, err)
        self.env.set_allowed([POLKIT_SET_ENABLED])
        code, out, err = self.ctl('consent', 'grant')
        self.assertEqual((code, out.strip()), (0, 'Consent: granted (recording and uploading)'),
                         err)
        self.assertTrue(self.env.read_permissions().getboolean('global', 'uploading_enabled'))
        self.record_marked(3)
        code, out, _ = self.ctl('consent', 'decline')
        self.assertEqual(code, 0)
        self.assertIn('declined', out)
        self.assertIn('deleted', out)
        self.assertEqual(self.queued(), 0)
        self.assertEqual(self.ctl('consent', 'maybe')[0], 2)

    def test_queue_shows_a_user_only_their_own_events(self):
        self.start()
        mine = random_event_id()
        theirs = random_event_id()
        self.client.call('RecordSingularEvent', 'uayxbv',
                         (1000, theirs, boottime_ns(), True, GLib.Variant('s', 'secret')))
        # As nobody, through the bus: the recorder takes the uid from the credentials.
        r = self.run_tool('gdbus', 'call', '--system', '--dest', 'com.endlessm.Metrics',
                          '--object-path', '/com/endlessm/Metrics', '--method',
                          'com.endlessm.Metrics.EventRecorderServer.RecordSingularEvent', '0',
                          '[' + ', '.join(f'byte {b}' for b in mine) + ']', str(boottime_ns()),
                          'true', "<'mine'>", uid=NOBODY)
        self.assertEqual(r.returncode, 0, r.stderr)
        code, out, err = self.ctl('queue', '--json', uid=NOBODY)
        self.assertEqual(code, 0, err)
        events = json.loads(out)['events']
        self.assertEqual([(e['uid'], e['payload']) for e in events], [(NOBODY, "'mine'")])
        self.assertNotIn('secret', out)
        code, out, _ = self.ctl('queue', '--json')
        everyone = {(e['uid'], e['payload']) for e in json.loads(out)['events']}
        self.assertEqual(everyone, {(1000, "'secret'"), (NOBODY, "'mine'")})
        code, text, _ = self.ctl('queue')
        self.assertIn("'secret'", text)
        self.assertIn('singular', text)

    def test_log_show_reproduces_the_bytes_the_collector_received(self):
        self.start()
        self.record_marked(25)
        self.upload()
        code, out, err = self.ctl('log', '--json')
        self.assertEqual(code, 0, err)
        entries = json.loads(out)['uploads']
        self.assertEqual(len(entries), 1)
        entry = entries[0]
        stored = self.collector.rows()[0]
        self.assertEqual(entry['sha512'], stored['sha512'])
        self.assertEqual(entry['outcome'], 'Success')
        self.assertEqual(entry['singular_events'], 25)
        r = self.run_tool(METRICSCTL, 'log', 'show', str(entry['id']), '--raw')
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, bytes(stored['body']))
        self.assertEqual(hashlib.sha512(r.stdout).hexdigest(), stored['sha512'])
        code, out, _ = self.ctl('log', 'show', str(entry['id']), '--json')
        decoded = json.loads(out)
        self.assertEqual(len(decoded['request']['singulars']), 25)
        self.assertEqual(decoded['sha512'], stored['sha512'])
        code, text, _ = self.ctl('log')
        self.assertIn('Success', text)
        # The bytes hold every user's events: not for an unprivileged user.
        code, _, err = self.ctl('log', 'show', str(entry['id']), '--raw', uid=NOBODY)
        self.assertEqual(code, 4, err)
        # Nor the log: its times and counts follow every user's activity.
        code, out, err = self.ctl('log', '--json', uid=NOBODY)
        self.assertEqual(code, 4, err)
        self.assertEqual(self.ctl('log', 'show', '12345')[0], 1)

    def test_set_server_url_and_environment(self):
        self.start()
        self.env.set_allowed([])
        code, _, err = self.ctl('set-server-url', 'https://${environment}.metrics.example.org/')
        self.assertEqual(code, 4, err)
        code, _, err = self.ctl('set-server-url', 'http://metrics.example.org/')
        self.assertEqual(code, 1)
        self.assertIn('InvalidServerUrl', err)
        self.env.set_allowed([SET_URL, SET_ENV])
        code, out, err = self.ctl('set-server-url', 'https://${environment}.metrics.example.org/')
        self.assertEqual(code, 0, err)
        self.assertEqual(out.strip(), 'Uploads go to https://test.metrics.example.org/')
        self.assertEqual(self.env.read_permissions()['global']['server_url'],
                         'https://${environment}.metrics.example.org/')
        code, out, err = self.ctl('set-environment', 'dev')
        self.assertEqual((code, out.strip()), (0, 'Uploads go to https://dev.metrics.example.org/'))
        # A path prefix stays possible, for a server behind a reverse proxy that strips it.
        code, out, err = self.ctl('set-server-url', 'https://metrics.example.org/${environment}/')
        self.assertEqual((code, out.strip()), (0, 'Uploads go to https://metrics.example.org/dev/'),
                         err)
        self.assertEqual(self.control('Environment'), 'dev')
        code, _, err = self.ctl('set-environment', 'staging')
        self.assertEqual(code, 1)
        self.assertIn('InvalidEnvironment', err)
        # An unprivileged caller is refused by polkit's answer for them.
        self.env.set_allowed([])
        self.assertEqual(self.ctl('set-environment', 'production', uid=NOBODY)[0], 4)
        self.assertEqual(self.control('Environment'), 'dev')

    def test_eos_enable_metrics_uploading(self):
        self.env.write_permissions(
            f'# kept\n[global]\nenabled=true\nuploading_enabled=false\nserver_url={self.server_url}\n')
        self.start()
        self.env.set_allowed([POLKIT_SET_ENABLED])
        tool = os.path.join(TOOLS, 'eos-enable-metrics-uploading')
        env = {'METRICS_PERMISSIONS_FILE': self.env.permissions_file}
        r = self.run_tool(tool, '--enable', env=env)
        self.assertEqual((r.returncode, r.stdout, r.stderr), (0, b'', b''))
        self.assertEqual(self.control('ConsentState'), 'granted')
        self.assertIn('# kept', self.env.read_permissions_text())
        r = self.run_tool(tool, '-d', env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.control('ConsentState'), 'undecided')
        r = self.run_tool(tool, '--maybe', env=env)
        self.assertEqual((r.returncode, r.stderr.decode()),
                         (2, 'Invalid flag --maybe; expected --enable or --disable.\n'))
        r = self.run_tool(tool, '--enable', env={'METRICS_PERMISSIONS_FILE': '/nonexistent.conf'})
        self.assertEqual((r.returncode, r.stderr.decode()),
                         (1, 'Configuration file at /nonexistent.conf not found or permission '
                             'denied.\n'))

    def test_eos_select_metrics_env(self):
        # The environment in the host name, as the stock server wants it (nothing is sent).
        self.grant(url='https://${environment}.metrics.example.org/')
        self.start()
        self.env.set_allowed([SET_ENV])
        tool = os.path.join(TOOLS, 'eos-select-metrics-env')
        env = {'METRICS_PERMISSIONS_FILE': self.env.permissions_file}
        r = self.run_tool(tool, 'production', env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.env.read_permissions()['global']['environment'], 'production')
        self.assertEqual(self.control('ServerUrl'), 'https://production.metrics.example.org/')
        r = self.run_tool(tool, 'bogus', env=env)
        self.assertEqual((r.returncode, r.stderr.decode()),
                         (2, 'Invalid enviroment bogus passed in as parameter.\n'))
        r = self.run_tool(tool, 'dev', env={'METRICS_PERMISSIONS_FILE': '/nonexistent.conf'})
        self.assertEqual((r.returncode, r.stderr.decode()),
                         (1, 'Configuration file at /nonexistent.conf not found.\n'))


if __name__ == '__main__':
    unittest.main()
