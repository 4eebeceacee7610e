# SPDX-License-Identifier: GPL-2.0-or-later
"""Every sample output of the docs, replayed against the real recorder and compared.

A sample is a ``` block whose lines "$ COMMAND" are followed by what COMMAND prints
(stdout and stderr as a terminal shows them), headed by "<!-- sample: NAME -->";
tests/files/check_docs_commands.py finds them (samples(), sample_pattern()) and fails on
one without a scenario here. For each sample a fresh recorder, the local collector and
NetworkManager (online, unmetered) are started, scenario_NAME brings the recorder into
the state the sample shows, and the block's commands run in bash, one after the other, as
a person types them (`sudo` runs its command as is: the test is root). Every line must
match the sample's line, literally but for the placeholders of PLACEHOLDERS (documented in
docs/metricsctl.md, "Samples"). Only what must differ on a test machine is rewritten in
the output, as the docs say: this test's configuration directory reads /etc/metrics, this
checkout's registry /usr/share/metrics/registry.d (metricsctl is given it with
--registry-dir), and the collector at 127.0.0.1:PORT production.metrics.example.org.

METRICS_DOCS_SAMPLES_SHOW=1 prints what each sample's commands printed (to write one).
"""

import glob
import json
import os
import pty
import subprocess
import sys
import tempfile
import unittest
import uuid

from harness import BUILD_DIR, NOBODY, POLKIT_SET_ENABLED, REGISTRY_DIR, SOURCE_DIR, GLib
from uploads import UploadTestCase

sys.path.insert(0, os.path.join(SOURCE_DIR, 'tests', 'files'))
import check_docs_commands as docs  # noqa: E402

METRICSCTL = os.path.join(BUILD_DIR, 'daemon', 'cli', 'metricsctl')
INSTALLED_REGISTRY = '/usr/share/metrics/registry.d'
SET_URL = 'com.endlessm.Metrics.SetServerUrl'
REQUEUE = 'com.endlessm.Metrics.RequeueSetAside'
SYSTEM_LOCALE = uuid.UUID('61d6b53a-559d-4ed3-8241-0a337d14bce0').bytes
SESSION_TIME = uuid.UUID('5dc0b53c-93f9-4df0-ad6f-bd25e9fe638f').bytes
PERMISSIONS = """[global]
enabled=true
uploading_enabled={uploading}
environment=production
server_url={url}
"""
# Commands that read the metric registry (they take --registry-dir).
REGISTRY_READERS = ('queue', 'log', 'set-aside', 'registry')
WRAPPER = """#!/bin/bash
# metricsctl, reading this checkout's registry where it reads one.
for word in "$@"; do
  case $word in
    -*) ;;
    {readers}) exec {real} --registry-dir={registry} "$@" ;;
    *) break ;;
  esac
done
exec {real} "$@"
"""
MARK = '\x1e'


def terminal_text(raw):
    """What stays on the screen: a line rewritten after "\\r\\e[K" shows its last text."""
    lines = raw.replace('\r\n', '\n').split('\n')
    return '\n'.join(line.split('\r\x1b[K')[-1] for line in lines)


class DocsSamplesTest(UploadTestCase):

    def setUp(self):
        super().setUp()
        self.cwd = tempfile.mkdtemp(prefix='docs-samples-', dir=self.env.root)
        self.bin = os.path.join(self.cwd, '.bin')
        os.mkdir(self.bin)
        with open(os.path.join(self.bin, 'metricsctl'), 'w') as f:
            f.write(WRAPPER.format(readers='|'.join(REGISTRY_READERS), real=METRICSCTL,
                                   registry=REGISTRY_DIR))
        os.chmod(os.path.join(self.bin, 'metricsctl'), 0o755)

    # ---------------------------------------------------------------- the runner
    def permissions(self, uploading=True, url=None):
        self.env.write_permissions(PERMISSIONS.format(
            uploading='true' if uploading else 'false', url=url or self.server_url))

    def shown(self, text):
        """The output as the docs show it (see the module's docstring)."""
        text = text.replace(f'127.0.0.1:{self.collector.port}', 'production.metrics.example.org')
        text = text.replace(self.env.config_dir, '/etc/metrics')
        return text.replace(REGISTRY_DIR, INSTALLED_REGISTRY)

    def run_commands(self, commands):
        """What each command leaves on a terminal, with $? carried from one to the next as
        in a shell. stdout and stderr are a terminal, as a person's are: progress lines are
        rewritten in place and cleared; the pager is off (PAGER=cat)."""
        script = 'sudo() { "$@"; }\n__rc=0\n' + ''.join(
            f"printf '{MARK}\\n'; (exit $__rc); {{ {c}\n}}; __rc=$?\n" for c in commands)
        env = {'PATH': f'{self.bin}:/usr/bin:/bin', 'LC_ALL': 'C.UTF-8', 'HOME': self.cwd,
               'PAGER': 'cat', 'TERM': 'dumb', 'DBUS_SYSTEM_BUS_ADDRESS': self.env.bus_address}
        master, slave = pty.openpty()
        try:
            p = subprocess.Popen(['bash', '-c', script], stdin=subprocess.DEVNULL, stdout=slave,
                                 stderr=slave, env=env, cwd=self.cwd)
            os.close(slave)
            slave = None
            raw = b''
            while True:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # EIO: every writer is gone and the output drained
                    break
                if not chunk:
                    break
                raw += chunk
            p.wait(timeout=300)
        finally:
            if slave is not None:
                os.close(slave)
            os.close(master)
        outputs = terminal_text(raw.decode()).split(MARK + '\n')[1:]
        self.assertEqual(len(outputs), len(commands), raw)
        return [self.shown(o) for o in outputs]

    def check_sample(self, doc, name, runs):
        scenario = getattr(self, 'scenario_' + name.replace('-', '_'), None)
        self.assertIsNotNone(scenario, f'{doc}: no scenario_{name} for its sample')
        scenario()
        outputs = self.run_commands([command for command, _ in runs])
        if os.environ.get('METRICS_DOCS_SAMPLES_SHOW'):
            sys.stderr.write(f'\n--- {doc}: {name}\n' + ''.join(
                f'$ {c}\n{o}' for (c, _), o in zip(runs, outputs)))
        for (command, expected), output in zip(runs, outputs):
            actual = [line.rstrip() for line in output.splitlines()]
            where = f'{doc}, sample {name}, "$ {command}"'
            self.assertEqual(len(actual), len(expected),
                             f'{where}: {len(actual)} lines, the docs show {len(expected)}:\n'
                             + output)
            for want, got in zip(expected, actual):
                self.assertRegex(got, '^' + docs.sample_pattern(want.rstrip()) + '$',
                                 f'{where}: the docs show\n{want}\nwhere it prints')

    # ---------------------------------------------------------------- state
    def record_locale_and_session_time(self):
        self.client.record_singular(SYSTEM_LOCALE, GLib.Variant('s', 'de_DE'))
        self.client.record_aggregate(SESSION_TIME, 5400)

    def upload_fails(self):
        err = self.upload_error()
        return err.name

    # ---------------------------------------------------------------- the scenarios
    # docs/metricsctl.md
    def scenario_status(self):
        self.permissions()
        self.start()
        self.record_locale_and_session_time()
        self.record_marked(11)
        self.collector.set_faults([{'status': 503}] * 10)
        self.upload_fails()

    def scenario_status_json(self):
        self.permissions(uploading=False)
        self.start()
        self.record_locale_and_session_time()

    def scenario_upload(self):
        self.permissions()
        self.start(UploadMaxRequestBytes=16384)
        self.record_marked(700)

    def scenario_upload_json(self):
        self.permissions()
        self.start()
        self.record_marked(12)

    def scenario_upload_undecided(self):
        self.permissions(uploading=False)
        self.start()

    def scenario_upload_destination_wrong(self):
        # A path prefix the server does not serve: the collector, as azafea-metrics-proxy,
        # routes only /2|3/<sha512> at the root of its site.
        self.permissions(url=self.server_url.rstrip('/') + '/metrics/')
        self.start()
        self.record_marked(3)

    def scenario_consent(self):
        self.permissions(uploading=False)
        self.env.set_allowed([POLKIT_SET_ENABLED])
        self.start()
        self.record_marked(3)

    def scenario_queue(self):
        self.permissions()
        self.start()
        self.record_locale_and_session_time()

    def scenario_log(self):
        self.permissions()
        self.start()
        self.record_marked(25)
        self.upload()

    def scenario_set_aside(self):
        self.permissions()
        self.env.set_allowed([REQUEUE])
        self.start()
        self.record_marked(40)
        self.collector.set_faults([{'status': 400}])
        self.upload_fails()

    def scenario_set_server_url(self):
        self.permissions()
        self.env.set_allowed([SET_URL])
        self.start()

    def scenario_registry_list(self):
        pass  # files only

    def scenario_registry_show(self):
        pass

    def scenario_registry_check(self):
        entries = [
            {'uuid': '3b0f6a52-1c1e-4c7a-9e4e-0f2d5a6b7c8d', 'name': 'my metric',
             'kind': 'singular', 'payload_type': 's',
             'fields': [{'name': 'value', 'description': 'what it is'}],
             'description': 'Mine.', 'purpose': 'Mine.', 'approval': 'Mine.', 'example': "'x'"},
            {'uuid': '4c1f7b63-2d2f-4d8b-8f5f-1a3e6b7c8d9e', 'name': 'my pair',
             'kind': 'singular', 'payload_type': '(ss',
             'fields': [], 'description': 'Mine.', 'purpose': 'Mine.', 'approval': 'Mine.'},
            {'uuid': '61d6b53a-559d-4ed3-8241-0a337d14bce0', 'name': 'my locale',
             'kind': 'singular', 'payload_type': 's',
             'fields': [{'name': 'value', 'description': 'what it is'}],
             'description': 'Mine.', 'purpose': 'Mine.', 'approval': 'Mine.', 'example': "'x'"},
        ]
        with open(os.path.join(self.cwd, 'mine.json'), 'w') as f:
            json.dump({'format': 1, 'owner': 'Me', 'metrics': entries}, f, indent=2)

    def scenario_help(self):
        pass

    # docs/admin-guide.md
    def scenario_status_proxy_invalid(self):
        self.permissions()
        self.start(ProxyUrl='sock5h://127.0.0.1:9050')


def _add_tests():
    for path in sorted(glob.glob(os.path.join(SOURCE_DIR, 'docs', '*.md'))):
        doc = os.path.relpath(path, SOURCE_DIR)
        with open(path, encoding='utf-8') as f:
            found = docs.samples(f.read())
        for name, runs in found:
            if name is None:
                continue  # check_docs_commands.py fails on it
            test = f'test_{os.path.basename(doc)[:-3]}_{name}'.replace('-', '_')
            setattr(DocsSamplesTest, test,
                    lambda self, d=doc, n=name, r=runs: self.check_sample(d, n, r))


_add_tests()

if __name__ == '__main__':
    unittest.main()
