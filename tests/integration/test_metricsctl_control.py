# SPDX-License-Identifier: GPL-2.0-or-later
"""metricsctl's control and transparency commands, and the Endless compatibility commands,
against the real recorder (consent, queue, log, server URL, environment)."""

import hashlib
import json
import os
import pty
import subprocess
import tempfile
import unittest
import uuid

from harness import (BUILD_DIR, NOBODY, POLKIT_SET_ENABLED, REGISTRY_DIR, GLib, boottime_ns,
                     random_event_id)
from uploads import UploadTestCase

METRICSCTL = os.path.join(BUILD_DIR, 'daemon', 'cli', 'metricsctl')
TOOLS = os.path.join(BUILD_DIR, 'tools')
SET_URL = 'com.endlessm.Metrics.SetServerUrl'
SET_ENV = 'com.endlessm.Metrics.SetEnvironment'
SYSTEM_LOCALE = uuid.UUID('61d6b53a-559d-4ed3-8241-0a337d14bce0').bytes
SESSION_TIME = uuid.UUID('5dc0b53c-93f9-4df0-ad6f-bd25e9fe638f').bytes


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
        # Refused before anything changed: nothing is paused by it.
        self.assertNotIn('paused', err)
        self.assertIn("'metricsctl set-server-url URL'", err)
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

    def test_status_after_the_url_was_fixed(self):
        # No server_url: uploading waits, and the status says why...
        self.env.write_permissions('[global]\nenabled=true\nuploading_enabled=true\n'
                                   'environment=test\n')
        self.start()
        status = json.loads(self.ctl('status', '--json')[1])
        self.assertEqual(status['upload_state'], 'paused')
        self.assertIn('has no [global] server_url', status['last_upload_message'])
        # ...until it is set: then the problem is gone from the status, not just the state.
        self.env.set_allowed([SET_URL])
        code, _, err = self.ctl('set-server-url', self.server_url)
        self.assertEqual(code, 0, err)
        status = json.loads(self.ctl('status', '--json')[1])
        self.assertEqual(status['upload_state'], 'idle')
        self.assertEqual((status['last_upload_result'], status['last_upload_message']), ('', ''))
        code, text, _ = self.ctl('status')
        self.assertNotIn('server_url', text)
        self.assertNotIn('paused', text)

    def test_status_after_a_refused_destination_was_changed(self):
        self.grant(url=f'https://127.0.0.1:{self.collector.port}/wrong/${{environment}}/')
        self.collector.set_rules(path_status=[('/wrong/', 405)])
        self.start()
        self.record_marked(2)
        code, _, err = self.ctl('upload')
        self.assertEqual(code, 1, err)
        self.assertEqual(self.control('UploadState'), 'paused')
        self.env.set_allowed([SET_URL])
        code, _, err = self.ctl('set-server-url', self.server_url)
        self.assertEqual(code, 0, err)
        status = json.loads(self.ctl('status', '--json')[1])
        self.assertEqual(status['upload_state'], 'idle')
        # The refusal is still the last result, and the message says it is dealt with.
        self.assertEqual(status['last_upload_result'],
                         'com.endlessm.Metrics.Error.UploadDestinationWrong')
        self.assertTrue(status['last_upload_message'].endswith(
            f'; since then the upload destination changed to {self.server_url}: uploading resumed'),
            status['last_upload_message'])

    def test_queue_events_and_running_counts(self):
        self.start()
        self.client.record_singular(SYSTEM_LOCALE, GLib.Variant('s', 'de_DE'))
        self.client.record_aggregate(SESSION_TIME, 60)
        self.assertEqual(self.control('RunningCounts'), 2)  # the day's and the month's
        status = json.loads(self.ctl('status', '--json')[1])
        self.assertEqual((status['queued_events'], status['running_counts']), (1, 2))
        code, text, _ = self.ctl('status')
        self.assertIn('Queue: 1 event, 2 running counts (', text)
        code, out, _ = self.ctl('queue', '--registry-dir', REGISTRY_DIR)
        kinds = [line.split()[0] for line in out.splitlines()[1:]]
        self.assertEqual(sorted(kinds), ['count', 'count', 'singular'])
        # Another user sees their own: none.
        code, out, err = self.ctl('status', '--json', uid=NOBODY)
        self.assertEqual(code, 0, err)
        self.assertEqual(json.loads(out)['running_counts'], 0)

    def test_one_event_in_one_request(self):
        self.start()
        self.record_marked(1)
        code, out, err = self.ctl('upload')
        self.assertEqual((code, out), (0, 'Uploaded 1 event in 1 request.\n'), err)
        self.assertEqual(self.control('LastUploadMessage'), 'uploaded 1 event in 1 request')

    def test_files_the_recorder_reads(self):
        self.env.write_permissions(
            f'[global]\nenabled=true\nuploading_enabled=false\nserver_url={self.server_url}\n')
        self.start()
        self.assertEqual(self.control('PermissionsFile'), self.env.permissions_file)
        self.assertEqual(self.control('SettingsFile'),
                         os.path.join(self.env.config_dir, 'recorder.conf'))
        code, _, err = self.ctl('upload')
        self.assertEqual(code, 5, err)
        self.assertIn("run 'metricsctl consent grant'", err)
        self.assertIn(self.env.permissions_file, err)

    def test_configuration_advice_names_the_file_and_key(self):
        self.start(ProxyUrl='sock5h://127.0.0.1:9050')
        code, _, err = self.ctl('upload')
        self.assertEqual(code, 1, err)
        self.assertIn('UploadConfigurationInvalid', err)
        self.assertIn('Fix (or remove) ProxyUrl in the [Recorder] group of '
                      + os.path.join(self.env.config_dir, 'recorder.conf'), err)

    def test_log_show_names_the_events(self):
        self.start()
        self.client.record_singular(SYSTEM_LOCALE, GLib.Variant('s', 'de_DE'))
        self.record_marked(1)
        self.upload()
        entry = json.loads(self.ctl('log', '--json')[1])['uploads'][0]
        code, text, err = self.ctl('log', 'show', str(entry['id']), '--registry-dir',
                                   REGISTRY_DIR)
        self.assertEqual(code, 0, err)
        self.assertIn("  singular system locale t=", text)
        self.assertNotIn('61d6b53a', text)
        # An event the registry does not know keeps its UUID.
        self.assertEqual(sum(line.startswith('  singular ') and line.count('-') >= 4
                             for line in text.splitlines()), 1, text)
        code, out, _ = self.ctl('log', 'show', str(entry['id']), '--json',
                                '--registry-dir', REGISTRY_DIR)
        named = {e['event_id']: e['name'] for e in json.loads(out)['request']['singulars']}
        self.assertEqual(named['61d6b53a-559d-4ed3-8241-0a337d14bce0'], 'system locale')
        self.assertEqual(sorted(named.values(), key=str), [None, 'system locale'])

    def test_polkit_agent_for_a_user_on_a_terminal(self):
        self.start()
        self.env.set_allowed([SET_ENV])
        bin_dir = tempfile.mkdtemp(dir=self.env.root)
        os.chmod(bin_dir, 0o777)
        calls = os.path.join(bin_dir, 'calls')
        agent = os.path.join(bin_dir, 'pkttyagent')
        # Says it is registered (closes the notify fd), then waits to be stopped.
        with open(agent, 'w') as f:
            f.write('#!/bin/bash\necho "$@" >> ' + calls + '\n'
                    'while [[ $# -gt 0 ]]; do [[ $1 == --notify-fd ]] && eval "exec $2>&-"; '
                    'shift; done\nexec sleep 120\n')
        os.chmod(agent, 0o755)
        env = {'PATH': f'{bin_dir}:/usr/bin:/bin'}

        def on_terminal(uid):
            master, slave = pty.openpty()
            argv = [METRICSCTL, 'set-environment', 'dev']
            if uid is not None:
                argv = ['setpriv', f'--reuid={uid}', f'--regid={uid}', '--clear-groups'] + argv
            e = {'LC_ALL': 'C.UTF-8', 'DBUS_SYSTEM_BUS_ADDRESS': self.env.bus_address, **env}
            try:
                p = subprocess.run(argv, stdin=slave, capture_output=True, timeout=60, env=e)
            finally:
                os.close(slave)
                os.close(master)
            return p

        p = on_terminal(NOBODY)
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(calls) as f:
            words = f.read().split()
        self.assertEqual(words[0], '--process')
        self.assertTrue(words[1].isdigit(), words)
        self.assertEqual(words[2:3] + words[4:], ['--notify-fd', '--fallback'])
        # Root is not asked by polkit, and nobody types into a pipe: no agent.
        os.unlink(calls)
        self.assertEqual(on_terminal(None).returncode, 0)
        r = self.run_tool(METRICSCTL, 'set-environment', 'test', uid=NOBODY, env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertFalse(os.path.exists(calls))

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
        # Declined: setting uploading_enabled alone changes nothing; it says so (exit 0 as
        # the original) and what to run instead.
        code, _, err = self.ctl('consent', 'decline')
        self.assertEqual(code, 0, err)
        r = self.run_tool(tool, '--enable', env=env)
        self.assertEqual((r.returncode, r.stdout), (0, b''))
        self.assertIn(f'uploading_enabled=true is set in {self.env.permissions_file}, but '
                      'nothing changes', r.stderr.decode())
        self.assertIn('run: metricsctl consent grant', r.stderr.decode())
        self.assertEqual(self.control('ConsentState'), 'declined')
        self.assertTrue(self.env.read_permissions().getboolean('global', 'uploading_enabled'))
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
                         (2, 'Invalid environment bogus passed in as parameter.\n'))
        r = self.run_tool(tool, 'dev', env={'METRICS_PERMISSIONS_FILE': '/nonexistent.conf'})
        self.assertEqual((r.returncode, r.stderr.decode()),
                         (1, 'Configuration file at /nonexistent.conf not found.\n'))


if __name__ == '__main__':
    unittest.main()
