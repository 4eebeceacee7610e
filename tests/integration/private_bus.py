# SPDX-License-Identifier: GPL-2.0-or-later
"""A private dbus-daemon for tests and benchmarks: the one way every harness starts one.

The configuration is a template with a {socket} field (harness.BUS_CONFIG for a
system-like bus, session_env's for a session bus); the daemon runs until stop().
"""

import os
import signal
import subprocess


class PrivateDbusDaemon:
    def __init__(self, directory, config_template, log_path,
                 socket_name='system_bus_socket', open_to_all=False):
        """Starts dbus-daemon in `directory` (which must exist), its log in `log_path`.
        open_to_all: let every uid connect to the socket (tests that run clients as
        other users)."""
        self.socket = os.path.join(directory, socket_name)
        conf = os.path.join(directory, 'bus.conf')
        with open(conf, 'w') as f:
            f.write(config_template.format(socket=self.socket))
        with open(log_path, 'w') as log:
            self.proc = subprocess.Popen(
                ['dbus-daemon', f'--config-file={conf}', '--nofork', '--nopidfile',
                 '--print-address=1'],
                stdout=subprocess.PIPE, stderr=log, text=True)
        # The address is printed once the socket listens: no wait needed after it.
        self.address = self.proc.stdout.readline().strip()
        if not self.address:
            self.stop()
            with open(log_path) as log:
                raise RuntimeError('dbus-daemon did not start: ' + log.read())
        if open_to_all:
            os.chmod(self.socket, 0o777)

    @property
    def pid(self):
        return self.proc.pid

    def stop(self):
        if self.proc.poll() is None:
            # A test may have stopped it (SIGSTOP) to play a hung bus.
            self.proc.send_signal(signal.SIGCONT)
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc.stdout:
            self.proc.stdout.close()
