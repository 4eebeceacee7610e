# SPDX-License-Identifier: GPL-2.0-or-later
"""The units, the files around them and docs/hardening.md agree.

check_unit_directives.py BUILD_DIR HARDENING_MD

* every [Service] directive of both units is one the sandbox test knows how to treat
  (tests/files/unit_sandbox.py) and docs/hardening.md names;
* the recorder's ExecStart= uses the directory its CacheDirectory= creates, and the
  directory it may write (ReadWritePaths=) is the one tmpfiles.d gives the service user;
* the units, sysusers.d, the bus policy and the polkit actions name the same user.
"""

import os
import re
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import unit_sandbox  # noqa: E402

BUILD_DIR, HARDENING_MD = sys.argv[1], sys.argv[2]
del sys.argv[1:3]
UNITS = [os.path.join(BUILD_DIR, 'systemd', u) for u in
         ('eos-metrics-event-recorder.service', 'eos-metrics-instrumentation.service')]
RECORDER, INSTRUMENTATION = UNITS


def read(*parts):
    with open(os.path.join(*parts), encoding='utf-8') as f:
        return f.read()


class UnitDirectives(unittest.TestCase):
    def test_every_directive_is_classified_for_the_sandbox_test(self):
        for unit in UNITS:
            with self.subTest(unit=os.path.basename(unit)):
                settings = unit_sandbox.service_settings(unit)
                self.assertEqual(unit_sandbox.unclassified_directives(settings), [])

    def test_the_hardening_page_names_every_directive(self):
        page = read(HARDENING_MD)
        for unit in UNITS:
            for key in unit_sandbox.service_settings(unit):
                with self.subTest(unit=os.path.basename(unit), directive=key):
                    self.assertIn(f'`{key}=', page)

    def test_recorder_state_directory_is_its_cache_directory(self):
        s = unit_sandbox.service_settings(RECORDER)
        (exec_start,) = s['ExecStart']
        match = re.search(r'--persistent-cache-directory=%C/(\S+)', exec_start)
        self.assertIsNotNone(match, exec_start)
        self.assertIn(match.group(1), ' '.join(s['CacheDirectory']).split())

    def test_recorder_writes_where_tmpfiles_gives_the_user_a_directory(self):
        s = unit_sandbox.service_settings(RECORDER)
        user = s['User'][-1]
        tmpfiles = [line.split() for line in read(BUILD_DIR, 'systemd', 'metrics.tmpfiles.conf')
                    .splitlines() if line and not line.startswith('#')]
        owned = {f[1] for f in tmpfiles if f[0] == 'd' and f[3] == user and f[4] == user}
        for path in ' '.join(s['ReadWritePaths']).split():
            self.assertIn(path, owned)

    def test_one_service_user_everywhere(self):
        users = {unit_sandbox.service_settings(u)['User'][-1] for u in UNITS}
        self.assertEqual(len(users), 1, users)
        (user,) = users
        sysusers = read(BUILD_DIR, 'systemd', 'metrics.sysusers.conf')
        self.assertRegex(sysusers, rf'(?m)^u {re.escape(user)} ')
        self.assertIn(f'<policy user="{user}">', read(BUILD_DIR, 'dbus', 'com.endlessm.Metrics.conf'))
        policy = read(BUILD_DIR, 'dbus', 'com.endlessm.Metrics.policy')
        actions = re.findall(r'<action id="([^"]+)"', policy)
        owners = re.findall(r'org\.freedesktop\.policykit\.owner">unix-user:([^<]+)<', policy)
        self.assertEqual(owners, [user] * len(actions))
        service = read(BUILD_DIR, 'dbus', 'com.endlessm.Metrics.service')
        self.assertIn(f'User={user}\n', service)
        self.assertIn('SystemdService=eos-metrics-event-recorder.service\n', service)


if __name__ == '__main__':
    unittest.main(verbosity=2)
