# SPDX-License-Identifier: GPL-2.0-or-later
"""metricsctl and the metric registry: `registry list`, `registry show` and `registry check`
(which needs no recorder), and `queue` showing metric names instead of UUIDs."""

import json
import os
import subprocess
import tempfile
import unittest
import uuid

from harness import (BUILD_DIR, REGISTRY_DIR, GLib, RecorderTestCase, boottime_ns,
                     random_event_id)

METRICSCTL = os.path.join(BUILD_DIR, 'daemon', 'cli', 'metricsctl')

LOCALE = '61d6b53a-559d-4ed3-8241-0a337d14bce0'
SESSION_TIME = '5dc0b53c-93f9-4df0-ad6f-bd25e9fe638f'
SESSION_TIME_MONTHLY = '2ee16e97-2993-5dcc-b9d2-841152520ad6'


def registry_uuids():
    """name -> uuid of every entry in this checkout's registry files, in file-name order."""
    out = {}
    for name in sorted(os.listdir(REGISTRY_DIR)):
        if name.endswith('.json'):
            with open(os.path.join(REGISTRY_DIR, name)) as f:
                for entry in json.load(f)['metrics']:
                    out[entry['name']] = entry['uuid']
    return out


def new_entry(uuid_text, name='test metric', payload_type='s'):
    return {'uuid': uuid_text, 'name': name, 'kind': 'singular', 'payload_type': payload_type,
            'fields': [{'name': 'value', 'description': 'the value'}],
            'description': 'For the test.', 'purpose': 'Testing.',
            'approval': 'Nobody: test data.', 'example': "'x'"}


def run_ctl(*args, bus_address='unix:path=/nonexistent/metricsctl-test-bus'):
    """metricsctl with no reachable bus unless one is given: the registry commands need none."""
    env = {'PATH': '/usr/bin:/bin', 'LC_ALL': 'C.UTF-8', 'DBUS_SYSTEM_BUS_ADDRESS': bus_address}
    r = subprocess.run([METRICSCTL, *args], capture_output=True, text=True, timeout=60, env=env)
    return r.returncode, r.stdout, r.stderr


class RegistryCommandsTest(unittest.TestCase):
    """No bus and no recorder anywhere: everything here reads files."""

    def setUp(self):
        if not os.path.exists(METRICSCTL):
            self.fail(f'metricsctl not built: {METRICSCTL} (set METRICS_BUILD_DIR)')
        self.tmp = tempfile.TemporaryDirectory(prefix='metricsctl-registry-')
        self.addCleanup(self.tmp.cleanup)

    def write(self, name, document):
        path = os.path.join(self.tmp.name, name)
        with open(path, 'w') as f:
            f.write(document if isinstance(document, str) else json.dumps(document, indent=2))
        return path

    def test_list(self):
        expected = registry_uuids()
        code, out, err = run_ctl('registry', 'list', '--registry-dir', REGISTRY_DIR)
        self.assertEqual((code, err), (0, ''))
        lines = out.splitlines()
        self.assertEqual(lines[0].split(), ['NAME', 'KIND', 'PAYLOAD', 'UUID'])
        for name, uuid_text in expected.items():
            self.assertTrue(any(line.startswith(name + ' ') and line.endswith(uuid_text)
                                for line in lines), f'{name} {uuid_text} not listed:\n{out}')
        self.assertIn(f'{len(expected)} metrics in {REGISTRY_DIR}.', out)

        code, out, err = run_ctl('registry', 'list', '--json', f'--registry-dir={REGISTRY_DIR}')
        self.assertEqual(code, 0, err)
        listed = json.loads(out)
        self.assertEqual(listed['directory'], REGISTRY_DIR)
        self.assertEqual(listed['problems'], [])
        self.assertEqual({m['name']: m['uuid'] for m in listed['metrics']}, expected)
        session = next(m for m in listed['metrics'] if m['uuid'] == SESSION_TIME)
        self.assertEqual((session['kind'], session['payload_type'], session['monthly_uuid']),
                         ('timer', None, SESSION_TIME_MONTHLY))

    def test_list_reports_problems_and_keeps_the_valid_metrics(self):
        self.write('good.json', {'format': 1, 'owner': 'Test',
                                 'metrics': [new_entry('3b0f6a52-1c1e-4c7a-9e4e-0f2d5a6b7c8d')]})
        self.write('bad.json', '{"format": 1,')
        code, out, err = run_ctl('registry', 'list', '--registry-dir', self.tmp.name)
        self.assertEqual(code, 0, err)
        self.assertIn('test metric', out)
        self.assertIn('1 metric in', out)
        self.assertIn(os.path.join(self.tmp.name, 'bad.json') + ': is not valid JSON', err)
        code, out, _ = run_ctl('registry', 'list', '--json', '--registry-dir', self.tmp.name)
        problems = json.loads(out)['problems']
        self.assertEqual([p['file'] for p in problems], [os.path.join(self.tmp.name, 'bad.json')])

    def test_check_refuses_hostile_files_with_a_message(self):
        # Each of these used to abort metricsctl (an uncaught nlohmann exception) or would
        # exhaust its stack or memory; each is now a problem naming the file and exit 1.
        cases = {
            'overflow.json': ('{"format":1,"owner":"x","metrics":[],"note":1e400}',
                              "is not valid JSON: number overflow parsing '1e400' "
                              "(field 'note')"),
            'negative.json': ('{"format":1,"owner":"x","metrics":[{"example_count":-1e400}]}',
                              "number overflow parsing '-1e400' (entry 1, field "
                              "'example_count')"),
            'deep.json': ('[' * 1000000, 'arrays and objects are nested more than 64 deep'),
            'many.json': ('{"format":1,"owner":"x","metrics":[' + ','.join(['{}'] * 100000)
                          + ']}', "field 'metrics': has more than 10000 entries"),
            'huge.json': ('{"format":1,"owner":"x","metrics":[],"x":"' + 'a' * 1100000 + '"}',
                          'is larger than 1048576 bytes'),
        }
        for name, (text, message) in cases.items():
            with self.subTest(name):
                path = self.write(name, text)
                code, out, err = run_ctl('registry', 'check', '--registry-dir',
                                         os.path.join(self.tmp.name, 'none'), path)
                self.assertEqual(code, 1, out + err)
                self.assertIn(f'{path}: ', out)
                self.assertIn(message, out)
                self.assertIn(f'{path}: 0 metrics, 1 problem', out)
                code, out, err = run_ctl('registry', 'check', '--json', '--registry-dir',
                                         os.path.join(self.tmp.name, 'none'), path)
                self.assertEqual(code, 1, out + err)
                problem = json.loads(out)['problems'][0]
                self.assertEqual(problem['file'], path)
                self.assertIn(message.split("': ")[-1], problem['message'])

    def test_json_output_with_a_file_name_that_is_not_utf8(self):
        # A plain JSON dump threw on the name (metricsctl aborted); its bytes become U+FFFD.
        name = os.fsdecode(b'caf\xe9.json')
        path = self.write(name, {'format': 1, 'owner': 'Test', 'metrics': [
            new_entry('3b0f6a52-1c1e-4c7a-9e4e-0f2d5a6b7c8d')]})
        code, out, err = run_ctl('registry', 'check', '--json', '--registry-dir',
                                 os.path.join(self.tmp.name, 'none'), path)
        self.assertEqual(code, 0, out + err)
        checked = json.loads(out)['files'][0]
        self.assertEqual((checked['file'], checked['metrics']),
                         (os.path.join(self.tmp.name, 'caf\ufffd.json'), 1))
        code, out, err = run_ctl('registry', 'list', '--json', '--registry-dir', self.tmp.name)
        self.assertEqual(code, 0, out + err)
        self.assertEqual(len(json.loads(out)['metrics']), 1)

    def test_list_without_a_registry_fails(self):
        code, _, err = run_ctl('registry', 'list', '--registry-dir',
                               os.path.join(self.tmp.name, 'none'))
        self.assertEqual(code, 1)
        self.assertIn('no metric registry at', err)

    def test_show(self):
        code, out, err = run_ctl('registry', 'show', 'System Locale', '--registry-dir',
                                 REGISTRY_DIR)
        self.assertEqual(code, 0, err)
        self.assertIn(f'UUID: {LOCALE}', out)
        self.assertIn('Kind: singular', out)
        self.assertIn('Payload: s (string)', out)
        self.assertIn("Example: 'de_DE'", out)
        self.assertIn(os.path.join(REGISTRY_DIR, 'fedora.json') + ', entry 3', out)
        # By the monthly twin's UUID: the timer it belongs to.
        code, out, err = run_ctl('registry', 'show', SESSION_TIME_MONTHLY.upper(), '--json',
                                 '--registry-dir', REGISTRY_DIR)
        self.assertEqual(code, 0, err)
        shown = json.loads(out)
        self.assertEqual((shown['name'], shown['uuid'], shown['example_count']),
                         ('daily session time', SESSION_TIME, 19800))
        code, out, err = run_ctl('registry', 'show', 'no such metric', '--registry-dir',
                                 REGISTRY_DIR)
        self.assertEqual((code, out), (1, ''))
        self.assertIn("is named 'no such metric'", err)

    def test_check_a_good_file(self):
        code, out, err = run_ctl('registry', 'check', os.path.join(REGISTRY_DIR, 'fedora.json'),
                                 '--registry-dir', REGISTRY_DIR)
        self.assertEqual(code, 0, err)
        self.assertIn('fedora.json: 5 metrics, no problems', out)

    def test_check_without_an_installed_registry_says_so(self):
        missing = os.path.join(self.tmp.name, 'none')
        code, out, err = run_ctl('registry', 'check', os.path.join(REGISTRY_DIR, 'fedora.json'),
                                 '--registry-dir', missing)
        self.assertEqual(code, 0, err)
        self.assertEqual(out.splitlines()[-1],
                         'UUIDs not checked against an installed registry: there is none in '
                         f'{missing} (--registry-dir names another).')
        code, out, _ = run_ctl('registry', 'check', os.path.join(REGISTRY_DIR, 'fedora.json'),
                               '--registry-dir', REGISTRY_DIR)
        self.assertNotIn('not checked', out)

    def test_check_reports_each_problem_precisely(self):
        entries = [new_entry('3b0f6a52-1c1e-4c7a-9e4e-0f2d5a6b7c8d', 'fine'),
                   new_entry('4c1f7b63-2d2f-4d8b-8f5f-1a3e6b7c8d9e', 'bad type', '(ss'),
                   # Already the locale metric of the installed registry.
                   new_entry(LOCALE, 'clash')]
        path = self.write('mine.json', {'format': 1, 'owner': 'Test', 'metrics': entries})
        code, out, err = run_ctl('registry', 'check', path, '--registry-dir', REGISTRY_DIR)
        self.assertEqual(code, 1, err)
        lines = out.splitlines()
        self.assertIn(f"{path}: entry 2 (4c1f7b63-2d2f-4d8b-8f5f-1a3e6b7c8d9e): field "
                      f"'payload_type': '(ss' is not a GVariant type", out)
        clash = [line for line in lines if line.startswith(f"{path}: entry 3 ({LOCALE}): "
                                                            f"field 'uuid': ")]
        self.assertEqual(len(clash), 1, out)
        self.assertIn('fedora.json', clash[0])
        self.assertIn(f'{path}: 1 metric, 2 problems', lines)

        code, out, _ = run_ctl('registry', 'check', path, '--json', '--registry-dir',
                               REGISTRY_DIR)
        self.assertEqual(code, 1)
        checked = json.loads(out)
        self.assertEqual(checked['checked_against'], REGISTRY_DIR)
        self.assertEqual([(p['entry'], p['field']) for p in checked['problems']],
                         [(2, 'payload_type'), (3, 'uuid')])
        self.assertEqual(checked['files'][0]['metrics'], 1)

    def test_check_a_file_that_is_not_a_registry_file(self):
        path = self.write('broken.json', '{"format": 1, "metrics": [\n  {,\n]}\n')
        code, out, _ = run_ctl('registry', 'check', path, '--registry-dir', self.tmp.name + '/x')
        self.assertEqual(code, 1)
        self.assertIn(f'{path}: is not valid JSON: parse error at line 2', out)
        code, out, _ = run_ctl('registry', 'check', os.path.join(self.tmp.name, 'missing.json'))
        self.assertEqual(code, 1)
        self.assertIn('missing.json', out)

    def test_usage_errors(self):
        for args in (['registry'], ['registry', 'frob'], ['registry', 'show'],
                     ['registry', 'list', 'extra'], ['registry', 'check'],
                     ['registry', 'list', '--registry-dir'], ['status', '--registry-dir', '/x'],
                     ['registry', 'list', '--quiet']):
            with self.subTest(args=args):
                code, _, err = run_ctl(*args)
                self.assertEqual(code, 2, err)


class QueueNamesTest(RecorderTestCase):
    """`metricsctl queue` against the real recorder: names from the registry."""

    def ctl(self, *args):
        return run_ctl(*args, bus_address=self.env.bus_address)

    def test_queue_shows_metric_names(self):
        unknown = random_event_id()
        self.client.record_singular(uuid.UUID(LOCALE).bytes, GLib.Variant('s', 'de_DE'))
        self.client.record_aggregate(uuid.UUID(SESSION_TIME).bytes, 60, ts=boottime_ns())
        self.client.record_singular(unknown, None)

        code, out, err = self.ctl('queue', '--registry-dir', REGISTRY_DIR)
        self.assertEqual(code, 0, err)
        self.assertTrue(any('system locale' in line and "'de_DE'" in line
                            for line in out.splitlines()), out)
        self.assertTrue(any('daily session time (monthly)' in line
                            for line in out.splitlines()), out)
        self.assertTrue(any(line.startswith('count') and 'daily session time ' in line
                            for line in out.splitlines()), out)
        # Registered events by name, not by UUID; the unknown one by its UUID.
        self.assertNotIn(LOCALE, out)
        self.assertIn(str(uuid.UUID(bytes=unknown)), out)

        code, out, err = self.ctl('queue', '--json', '--registry-dir', REGISTRY_DIR)
        self.assertEqual(code, 0, err)
        named = {(e['event_id'], e['name']) for e in json.loads(out)['events']}
        self.assertEqual(named, {(LOCALE, 'system locale'),
                                 (SESSION_TIME, 'daily session time'),
                                 (SESSION_TIME_MONTHLY, 'daily session time (monthly)'),
                                 (str(uuid.UUID(bytes=unknown)), None)})


if __name__ == '__main__':
    unittest.main()
