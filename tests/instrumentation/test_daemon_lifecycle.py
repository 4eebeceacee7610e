# SPDX-License-Identifier: GPL-2.0-or-later
"""The daemon as systemd runs it: READY=1 once it is on the bus, STOPPING=1 and status 0
on SIGTERM and SIGINT, status 1 without a bus or when the bus goes, 2 on a bad command
line.
"""

import os
import signal
import socket
import subprocess
import unittest

from instrumentation_env import DAEMON, InstrumentationTestCase


class NotifySocket:
    """A stand-in for systemd's notification socket (NOTIFY_SOCKET)."""

    def __init__(self, directory):
        self.path = os.path.join(directory, 'notify')
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.sock.settimeout(20)

    def receive(self):
        return self.sock.recv(4096).decode()

    def pending(self):
        """Every line of every message already sent."""
        lines = []
        self.sock.setblocking(False)
        try:
            while True:
                lines += self.sock.recv(4096).decode().split('\n')
        except BlockingIOError:
            pass
        finally:
            self.sock.settimeout(20)
        return lines

    def close(self):
        self.sock.close()


class LifecycleTest(InstrumentationTestCase):
    def setUp(self):
        super().setUp()
        self.mocks.start_recorder()
        self.notify = NotifySocket(self.env.root)
        self.addCleanup(self.notify.close)

    def test_ready_once_on_the_bus_then_stopping_and_status_0_on_sigterm(self):
        self.mocks.start_logind(users=[(1000, 'alice')])
        self.daemon.start(wait_ready=False, env={'NOTIFY_SOCKET': self.notify.path})
        message = self.notify.receive()
        self.assertIn('READY=1', message.split('\n'))
        # It was on the bus when it said so: its bus calls are already under way.
        self.wait_until(lambda: self.mocks.timers(), what="alice's timer")
        self.assertEqual(self.daemon.stop(signal.SIGTERM), 0)
        self.assertIn('STOPPING=1', self.notify.receive().split('\n'))

    def test_sigint_is_a_clean_stop_too(self):
        self.mocks.start_logind(users=[(1000, 'alice')])
        self.daemon.start()
        self.wait_until(lambda: self.mocks.timers(), what="alice's timer")
        self.assertEqual(self.daemon.stop(signal.SIGINT), 0)
        log = self.daemon.log()
        self.assertLess(log.index('timer stopped for uid 1000'), log.index('] stopped'))

    def test_losing_the_bus_ends_the_daemon_with_status_1(self):
        self.daemon.start()
        self.env.bus_proc.terminate()
        self.env.bus_proc.wait(10)
        self.daemon.proc.wait(20)
        self.assertEqual(self.daemon.proc.returncode, 1)
        self.assertIn('lost the system bus', self.daemon.log())

    def test_no_bus_is_status_1_with_the_reason(self):
        self.daemon.start(wait_ready=False, env={
            'DBUS_SYSTEM_BUS_ADDRESS': 'unix:path=' + os.path.join(self.env.root, 'no-bus'),
            'NOTIFY_SOCKET': self.notify.path})
        self.daemon.proc.wait(20)
        self.assertEqual(self.daemon.proc.returncode, 1)
        self.assertIn('cannot connect to the system bus', self.daemon.log())
        # Never claimed to be ready.
        self.assertNotIn('READY=1', self.notify.pending())

    def test_a_bad_command_line_is_status_2(self):
        p = subprocess.run([DAEMON, '--no-such-option'], capture_output=True, text=True,
                           timeout=20)
        self.assertEqual(p.returncode, 2)
        self.assertIn('--no-such-option', p.stderr)


if __name__ == '__main__':
    unittest.main()
