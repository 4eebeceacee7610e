# SPDX-License-Identifier: GPL-2.0-or-later
"""docs/own-server.md's quick path, run command by command against the real recorder.

The section's blocks run in the order the guide gives them, as a person types them. Only
what must differ on a test machine is changed: the guide's /tmp/collector and
/etc/metrics become this test's directories, the programs are this build's, the
collector gets a free port instead of 8443 (and is started in the background: it stays up
for the commands after it), and an ```ini block headed by a file of /etc/metrics is merged
into that file. A command the runner does not know fails the test, so every command of
the section stays runnable. tests/files/check_docs_commands.py reads the guide with the
same functions and checks that the section is there."""

import configparser
import os
import queue
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import unittest
import uuid

from harness import BUILD_DIR, SOURCE_DIR, GLib, RecorderTestCase
from uploads import UploadTestCase

sys.path.insert(0, os.path.join(SOURCE_DIR, 'tests', 'files'))
import check_docs_commands as guides  # noqa: E402

GUIDE = 'docs/own-server.md'
SECTION = 'Quick path: the local test collector'
assert (GUIDE, SECTION) in guides.REPLAYED

METRICSCTL = os.path.join(BUILD_DIR, 'daemon', 'cli', 'metricsctl')
GUIDE_TMP = '/tmp/collector'
GUIDE_ETC = '/etc/metrics'
GUIDE_PORT = '8443'
SET_URL = 'com.endlessm.Metrics.SetServerUrl'
SET_ENABLED = 'com.endlessm.Metrics.SetEnabled'

# What the instrumentation would have recorded before the administrator came along.
SYSTEM_LOCALE = uuid.UUID('61d6b53a-559d-4ed3-8241-0a337d14bce0').bytes
HARDWARE_MODEL = uuid.UUID('459fd042-e1c8-4523-9d3e-cab8095a1ca2').bytes
UNDECIDED = """[global]
enabled=true
uploading_enabled=false
environment=production
server_url=https://${environment}.metrics.invalid
"""


class OwnServerGuideTest(UploadTestCase):
    """A machine as installed: the recorder enforcing the registry, consent undecided,
    the shipped kind of server URL (never contacted here), NetworkManager online, polkit
    saying yes to the administrator, and two events waiting."""

    def setUp(self):
        # The guide starts its own collector: UploadTestCase's is not wanted.
        RecorderTestCase.setUp(self)
        self.work = tempfile.mkdtemp(prefix='own-server-guide-')
        self.addCleanup(subprocess.run, ['rm', '-rf', self.work])
        self.start_network_manager()
        self.env.write_permissions(UNDECIDED)
        self.env.set_allowed([SET_URL, SET_ENABLED])
        self.env.write_recorder_conf(UploadIntervalSeconds=86400, UploadRequestTimeoutSeconds=5)
        self.env.start_daemon(env={'GIO_USE_NETWORK_MONITOR': 'networkmanager'},
                              registry_mode='enforce')
        self.client.record_singular(SYSTEM_LOCALE, GLib.Variant('s', 'xx_XX'))
        self.client.record_singular(HARDWARE_MODEL,
                                    GLib.Variant('(sss)', ('Guide Vendor', 'Guide Model', 'vm')))
        self.collector = None
        self.port = None

    # ---------------------------------------------------------------- the runner
    def local(self, text):
        text = text.replace(GUIDE_TMP, os.path.join(self.work, 'collector'))
        text = text.replace(GUIDE_ETC, self.env.config_dir)
        if self.port is not None:
            text = text.replace(GUIDE_PORT, str(self.port))
        return text

    def tool_env(self):
        return {'PATH': '/usr/bin:/bin', 'LC_ALL': 'C.UTF-8',
                'DBUS_SYSTEM_BUS_ADDRESS': self.env.bus_address}

    def run_command(self, words):
        """Runs one command of the guide; returns (program, completed process or None)."""
        name = guides.program(words)
        argv = [self.local(w) for w in words]
        if name == 'metrics-test-collector':
            self.start_collector(argv)
            return name, None
        if name == 'metricsctl':
            argv[0] = METRICSCTL
        elif name == 'make-test-cert.sh':
            argv[0] = os.path.join(SOURCE_DIR, words[0])
        elif name not in ('cp', 'sqlite3'):
            self.fail(f'{GUIDE}, "{SECTION}": the test does not know how to run {words}; '
                      'teach it, or keep the section to commands it runs')
        r = subprocess.run(argv, capture_output=True, text=True, timeout=120, env=self.tool_env())
        self.assertEqual(r.returncode, 0, f'{" ".join(words)} failed:\n{r.stdout}{r.stderr}')
        return name, r

    def start_collector(self, argv):
        self.assertTrue(argv[0].startswith('build/'), argv[0])
        argv[0] = os.path.join(BUILD_DIR, argv[0][len('build/'):])
        argv[argv.index('--port') + 1] = '0'  # a free one: 8443 may be taken on this machine
        stderr = open(os.path.join(self.work, 'collector.err'), 'w')
        self.addCleanup(stderr.close)
        self.collector = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=stderr, text=True)
        self.addCleanup(self.stop_collector)
        self.collector_lines = queue.Queue()
        threading.Thread(target=lambda: [self.collector_lines.put(line.rstrip('\n'))
                                         for line in self.collector.stdout],
                         daemon=True).start()
        first = self.collector_lines.get(timeout=10)
        self.assertTrue(first.startswith('LISTENING '), first)
        self.port = int(first.split()[1])

    def stop_collector(self):
        if self.collector.poll() is None:
            self.collector.send_signal(signal.SIGINT)  # the guide's Ctrl+C
            self.collector.wait(timeout=10)
        self.collector.stdout.close()

    def apply_ini(self, block):
        first, _, body = block.partition('\n')
        self.assertTrue(first.startswith('# ' + GUIDE_ETC + '/'),
                        f'an ini block of "{SECTION}" must start with the file it goes into: {first}')
        target = os.path.basename(first[2:].strip())
        self.assertEqual(target, 'recorder.conf', f'the test merges only recorder.conf: {first}')
        parsed = configparser.ConfigParser(interpolation=None)
        parsed.optionxform = str
        parsed.read_string(body)
        keys = {k: self.local(v) for k, v in parsed['Recorder'].items()}
        self.env.write_recorder_conf(**{**self.env.recorder_settings, **keys})

    # ---------------------------------------------------------------- the test
    def test_quick_path_runs_as_written(self):
        with open(os.path.join(SOURCE_DIR, GUIDE), encoding='utf-8') as f:
            text = guides.section(f.read(), SECTION)
        self.assertIsNotNone(text, f'{GUIDE} has no section "{SECTION}"')

        ran = []
        for language, block in guides.code_blocks(text):
            if language == 'ini':
                self.apply_ini(block)
            elif language == 'sh':
                for words in guides.shell_commands(block):
                    ran.append((words, *self.run_command(words)))

        programs = [(name, words[1] if len(words) > 1 else '') for words, name, _ in ran]
        for step in (('make-test-cert.sh', ''), ('metrics-test-collector', ''),
                     ('metricsctl', 'set-server-url'), ('metricsctl', 'upload'),
                     ('sqlite3', '')):
            self.assertIn(step[0], [p for p, _ in programs], f'the quick path lost {step}')
            if step[1]:
                self.assertIn(step, programs, f'the quick path lost {step}')

        # The machine now sends where the guide said, with consent.
        (set_url,) = [self.local(words[2]) for words, name, _ in ran
                      if name == 'metricsctl' and words[1] == 'set-server-url']
        self.assertIn(f':{self.port}', set_url)
        permissions = self.env.read_permissions()['global']
        self.assertEqual(permissions['server_url'], set_url)
        self.assertEqual(permissions['uploading_enabled'], 'true')

        upload = next(r for words, name, r in ran if name == 'metricsctl' and words[1] == 'upload')
        self.assertIn('Uploaded 2 events in 1 request', upload.stdout)

        # What the collector stored is what the guide's queries show: both events.
        db = sqlite3.connect(os.path.join(self.work, 'collector', 'uploads.db'))
        self.addCleanup(db.close)
        (stored,) = db.execute('SELECT request_json FROM requests').fetchone()
        for payload in ("'xx_XX'", "('Guide Vendor', 'Guide Model', 'vm')"):
            self.assertIn(payload, stored)
        shown = [r.stdout for words, name, r in ran if name == 'sqlite3']
        self.assertTrue(any("'xx_XX'" in out for out in shown), shown)
        self.assertEqual(self.collector_lines.qsize(), 1, 'one JSON line per accepted request')


if __name__ == '__main__':
    unittest.main()
