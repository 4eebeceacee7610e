# SPDX-License-Identifier: GPL-2.0-or-later
"""A system-like bus for the packaging tests: closed by default like a distribution's
system.conf (no one owns names, method calls are refused unless a policy allows them),
with the recorder's real policy file included, and the real polkitd reading the real
polkit actions (and, optionally, rules) in a private mount namespace.

Nothing touches the host's bus, /etc or /usr: polkitd sees the test's directories
bind-mounted over its own only inside its namespace.
"""

import os
import subprocess
import time

POLKITD_CANDIDATES = ('/usr/lib/polkit-1/polkitd', '/usr/libexec/polkitd')

BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <!-- The default policy of a distribution's system bus. -->
  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
    <allow send_destination="org.freedesktop.DBus"
           send_interface="org.freedesktop.DBus.Introspectable"/>
    <allow send_destination="org.freedesktop.DBus"
           send_interface="org.freedesktop.DBus.Properties"/>
  </policy>
  <!-- What the distribution's own policies grant polkitd (which switches to its own
       user) and NetworkManager (mocked, as root). -->
  <policy user="root">
    <allow own="org.freedesktop.PolicyKit1"/>
    <allow own="org.freedesktop.NetworkManager"/>
  </policy>
  <policy user="polkitd">
    <allow own="org.freedesktop.PolicyKit1"/>
  </policy>
  <policy context="default">
    <allow send_destination="org.freedesktop.PolicyKit1"/>
    <allow send_destination="org.freedesktop.NetworkManager"/>
  </policy>
  <include>{policy}</include>
</busconfig>
"""


def find_polkitd():
    for path in POLKITD_CANDIDATES:
        if os.access(path, os.X_OK):
            return path
    return None


def substitute_user(text, configured, stand_in):
    """The installed files name the configured service user, which the build machine
    does not have: point them at the stand-in account instead (nothing else changes)."""
    for old, new in ((f'user="{configured}"', f'user="{stand_in}"'),
                     (f'unix-user:{configured}<', f'unix-user:{stand_in}<')):
        text = text.replace(old, new)
    return text


class SystemBus:
    def __init__(self, directory, policy_text):
        self.directory = directory
        os.makedirs(directory, exist_ok=True)
        os.chmod(directory, 0o755)
        self.socket = os.path.join(directory, 'system_bus_socket')
        self.policy = os.path.join(directory, 'com.endlessm.Metrics.conf')
        with open(self.policy, 'w', encoding='utf-8') as f:
            f.write(policy_text)
        self.config = os.path.join(directory, 'bus.conf')
        with open(self.config, 'w', encoding='utf-8') as f:
            f.write(BUS_CONFIG.format(socket=self.socket, policy=self.policy))
        self.log_path = os.path.join(directory, 'dbus-daemon.log')
        with open(self.log_path, 'w') as log:
            self.proc = subprocess.Popen(
                ['dbus-daemon', f'--config-file={self.config}', '--nofork', '--nopidfile',
                 '--print-address=1'], stdout=subprocess.PIPE, stderr=log, text=True)
        self.address = self.proc.stdout.readline().strip()
        if not self.address:
            raise RuntimeError('dbus-daemon refused the configuration:\n' + self.log())
        # Anyone may connect, as to /run/dbus/system_bus_socket.
        os.chmod(self.socket, 0o666)

    def log(self):
        with open(self.log_path, errors='replace') as f:
            return f.read()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
        self.proc.stdout.close()


class Polkitd:
    """The real polkitd on `bus`, with `actions_dir` as /usr/share/polkit-1/actions and
    `rules_dir` as /etc/polkit-1/rules.d (and no distribution rules)."""

    def __init__(self, bus, actions_dir, rules_dir, log_path):
        polkitd = find_polkitd()
        script = ('set -e; mount --bind "$1" /usr/share/polkit-1/actions; '
                  'mount --bind "$2" /etc/polkit-1/rules.d; '
                  'if [ -d /usr/share/polkit-1/rules.d ]; then '
                  'mount --bind "$2" /usr/share/polkit-1/rules.d; fi; exec "$3" --no-debug')
        env = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=bus.address)
        self.log_path = log_path
        with open(log_path, 'w') as log:
            self.proc = subprocess.Popen(
                ['unshare', '--mount', '--propagation', 'private', '--', '/bin/sh', '-c', script,
                 'polkitd', actions_dir, rules_dir, polkitd],
                env=env, stdout=log, stderr=subprocess.STDOUT)

    def log(self):
        with open(self.log_path, errors='replace') as f:
            return f.read()

    def wait_ready(self, has_owner, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError('polkitd exited:\n' + self.log())
            if has_owner('org.freedesktop.PolicyKit1'):
                return
            time.sleep(0.05)
        raise RuntimeError('polkitd did not own its name:\n' + self.log())

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
