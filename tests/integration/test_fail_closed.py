# SPDX-License-Identifier: GPL-2.0-or-later
"""Fail closed: when a setting that decides where bytes go is wrong (ProxyUrl, an
unparsable or unreadable recorder.conf, a missing or misspelled server_url, an invalid
environment), no connection is made, to the collector or the proxy; the status and the
journal name the file, the key and the problem; fixing the file takes effect without a
restart."""

import os
import shutil
import subprocess
import threading
import unittest

from harness import BUILD_DIR, CONTROL_IFACE, PropertiesWatch
from proxies import Socks5Proxy
from uploads import UploadTestCase

ERR = 'com.endlessm.Metrics.Error.'
METRICSCTL = os.path.join(BUILD_DIR, 'daemon', 'cli', 'metricsctl')


class CountingSocks5Proxy(Socks5Proxy):
    """A SOCKS 5 proxy that also counts the connections it accepts, handshake or not."""

    def __init__(self):
        self.accepts = 0
        self._lock = threading.Lock()
        super().__init__()

    def _serve(self, client):
        with self._lock:
            self.accepts += 1
        super()._serve(client)


class FailClosedTest(UploadTestCase):

    def setUp(self):
        super().setUp()
        self.proxy = CountingSocks5Proxy()
        self.addCleanup(self.proxy.close)
        # A name, so that the fixed upload shows it reached the proxy unresolved.
        self.grant(url=f'https://localhost:{self.collector.port}/')
        self.conf_file = os.path.join(self.env.config_dir, 'recorder.conf')

    # ---------------------------------------------------------------- helpers
    def base_conf(self):
        return ('[Recorder]\n'
                f'RegistryMode={self.env.registry_mode}\n'
                f'RegistryDirectory={self.env.registry_directory}\n'
                f'TrustFile={self.ca_file}\n'
                f'UploadIntervalSeconds={self.INTERVAL_S}\n'
                'UploadRequestTimeoutSeconds=5\n')

    def good_proxy_line(self):
        return f'ProxyUrl=socks5h://127.0.0.1:{self.proxy.port}\n'

    def write_conf(self, text):
        if os.path.isdir(self.conf_file):
            shutil.rmtree(self.conf_file)
        tmp = self.conf_file + '.tmp'
        with open(tmp, 'w') as f:
            f.write(text)
        os.rename(tmp, self.conf_file)

    def start_as_is(self):
        """Starts the daemon on recorder.conf as the test left it (the harness would
        rewrite it)."""
        self.env._write_recorder_conf = lambda: None
        self.env.start_daemon(env={'GIO_USE_NETWORK_MONITOR': 'networkmanager'})

    def no_connection_anywhere(self):
        self.assertEqual(self.proxy.accepts, 0, 'the proxy saw a connection')
        self.assertEqual(self.collector.stats()['connections'], 1,  # our own stats call
                         'the collector saw a connection')

    def assert_blocked(self, *needles, error=ERR + 'UploadConfigurationInvalid', queued=3):
        err = self.upload_error()
        self.assertEqual(err.name, error, err.message)
        for needle in needles:
            self.assertIn(needle, err.message)
        self.assertEqual(self.control('UploadState'), 'paused')
        message = self.control('LastUploadMessage')
        for needle in needles:
            self.assertIn(needle, message)
        self.no_connection_anywhere()
        self.assertEqual(self.queued(), queued)
        return message

    def assert_fixed_goes_through_the_proxy(self, markers):
        self.write_conf(self.base_conf() + self.good_proxy_line())
        # The next (forced) upload reads recorder.conf again: no restart.
        self.assertEqual(self.upload(), (3, 1))
        self.assert_exactly_once(markers)
        self.assertEqual(self.proxy.requests, [('localhost', self.collector.port)])
        self.assertNotEqual(self.control('UploadState'), 'paused')

    def check_bad_proxy(self, value):
        self.write_conf(self.base_conf() + f'ProxyUrl={value}\n')
        self.start_as_is()
        markers = self.record_marked(3)
        self.assert_blocked(self.conf_file, 'ProxyUrl', value)
        self.assertIn('ProxyUrl', self.env.daemon_log())
        self.assert_fixed_goes_through_the_proxy(markers)

    # ---------------------------------------------------------------- recorder.conf
    def test_proxy_scheme_typo(self):
        self.check_bad_proxy(f'sock5h://127.0.0.1:{self.proxy.port}')

    def test_proxy_single_slash(self):
        self.check_bad_proxy(f'socks5h:/127.0.0.1:{self.proxy.port}')

    def test_proxy_without_scheme(self):
        self.check_bad_proxy(f'127.0.0.1:{self.proxy.port}')

    def test_proxy_unknown_scheme(self):
        self.check_bad_proxy(f'ftp://127.0.0.1:{self.proxy.port}')

    def test_misspelled_proxy_key(self):
        self.write_conf(self.base_conf() + f'ProxyURL=socks5h://127.0.0.1:{self.proxy.port}\n')
        self.start_as_is()
        markers = self.record_marked(3)
        self.assert_blocked(self.conf_file, 'ProxyURL')
        self.assert_fixed_goes_through_the_proxy(markers)

    def queue_then_restart_with(self, break_conf):
        """Queues three events under a good recorder.conf (a broken one also loses the
        registry settings, so nothing would be recorded), then starts again on what
        `break_conf` leaves."""
        self.write_conf(self.base_conf() + self.good_proxy_line())
        self.start_as_is()
        markers = self.record_marked(3)
        self.env.stop_daemon()
        break_conf()
        self.env.start_daemon(env={'GIO_USE_NETWORK_MONITOR': 'networkmanager'})
        return markers

    def test_line_without_equals(self):
        markers = self.queue_then_restart_with(lambda: self.write_conf(
            self.base_conf() + self.good_proxy_line() + 'this line has no equals\n'))
        self.assert_blocked(self.conf_file, 'cannot be read or parsed')
        self.assertIn('cannot be read or parsed', self.env.daemon_log())
        self.assert_fixed_goes_through_the_proxy(markers)

    def test_unreadable_recorder_conf(self):
        def unreadable():
            # Root reads any mode: a directory in the file's place is unreadable to anyone.
            os.unlink(self.conf_file)
            os.mkdir(self.conf_file)
        markers = self.queue_then_restart_with(unreadable)
        self.assert_blocked(self.conf_file, 'cannot be read or parsed')
        self.assert_fixed_goes_through_the_proxy(markers)

    def test_breaking_recorder_conf_at_run_time_blocks_the_next_upload(self):
        self.write_conf(self.base_conf() + self.good_proxy_line())
        self.start_as_is()
        markers = self.record_marked(3)
        self.write_conf(self.base_conf() + 'ProxyUrl=socks5h//127.0.0.1:9050\n')
        self.assert_blocked(self.conf_file, 'ProxyUrl')
        self.assert_fixed_goes_through_the_proxy(markers)

    def test_status_shows_the_problem(self):
        self.write_conf(self.base_conf() + 'ProxyUrl=sock5h://127.0.0.1:9050\n')
        self.start_as_is()
        self.wait_for(lambda: self.control('UploadState') == 'paused', what='the paused state')
        r = subprocess.run([METRICSCTL, 'status'], capture_output=True, text=True, timeout=60,
                           env=dict(os.environ, LC_ALL='C.UTF-8'))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn('paused', r.stdout)
        self.assertIn("ProxyUrl='sock5h://127.0.0.1:9050'", r.stdout)
        self.assertIn(self.conf_file, r.stdout)
        self.no_connection_anywhere()
        # recorder.conf is watched: fixed, the status says so before any upload.
        self.write_conf(self.base_conf() + self.good_proxy_line())
        self.wait_for(lambda: self.control('UploadState') == 'idle',
                      what='the fixed recorder.conf to be noticed')
        self.assertEqual(self.proxy.accepts, 0)
        self.assertEqual(self.collector.stats()['connections'], 2)  # our two stats calls

    # ---------------------------------------------------------------- permissions file
    def check_bad_permissions(self, text, error, *needles, recording=True):
        """`recording`: whether the recorder still records (an unusable file: no)."""
        self.env.write_permissions(text)
        self.write_conf(self.base_conf() + self.good_proxy_line())
        self.start_as_is()
        markers = self.record_marked(3)
        message = self.assert_blocked(*needles, error=error, queued=3 if recording else 0)
        self.assertIn(self.env.permissions_file, message)
        log = self.env.daemon_log()
        for needle in needles:
            self.assertIn(needle, log)
        # Fixed in the file: the watch applies it, the next upload goes where it says.
        self.grant(url=f'https://localhost:{self.collector.port}/')
        self.wait_for(lambda: self.control('UploadState') != 'paused', what='the fixed file')
        if not recording:
            markers = self.record_marked(3)
        self.assertEqual(self.upload(), (3, 1))
        self.assert_exactly_once(markers)

    def test_misspelled_server_url_key(self):
        self.check_bad_permissions(
            '[global]\nenabled=true\nuploading_enabled=true\nenvironment=test\n'
            f'SERVER_URL=https://localhost:{self.collector.port}/\n',
            ERR + 'InvalidServerUrl', 'server_url', 'SERVER_URL')
        self.assertIn('unknown key [global] SERVER_URL', self.env.daemon_log())

    def test_missing_server_url(self):
        self.check_bad_permissions(
            '[global]\nenabled=true\nuploading_enabled=true\nenvironment=test\n',
            ERR + 'InvalidServerUrl', 'has no [global] server_url')

    def test_invalid_environment(self):
        self.check_bad_permissions(
            '[global]\nenabled=true\nuploading_enabled=true\nenvironment=prod\n'
            'server_url=https://${environment}.metrics.example.org/\n',
            ERR + 'MetricsDisabled', 'environment', "'prod'", recording=False)
        self.assertEqual(self.control('ConsentState'), 'granted')

    def test_misspelled_environment_key(self):
        self.check_bad_permissions(
            '[global]\nenabled=true\nuploading_enabled=true\nEnvironment=test\n'
            'server_url=https://${environment}.metrics.example.org/\n',
            ERR + 'InvalidServerUrl', 'has no [global] environment', 'Environment=')

    def test_a_chmod_alone_makes_the_permissions_file_be_read_again(self):
        # Root reads any mode, so "unreadable until a chmod" cannot be shown as root. What
        # matters is the same: an event that only says the mode changed re-reads the file.
        # Its content is changed through a hard link elsewhere (the watched directory sees
        # no write), then only its mode is changed.
        self.env.write_permissions(
            '[global]\nenabled=true\nuploading_enabled=false\nenvironment=test\n'
            f'server_url=https://localhost:{self.collector.port}/\n')
        self.write_conf(self.base_conf())
        self.start_as_is()
        self.assertEqual(self.control('ConsentState'), 'undecided')
        link = os.path.join(self.env.root, 'permissions-link')
        os.link(self.env.permissions_file, link)
        # Every reading of the file is announced (ConsentState with Control1's
        # PropertiesChanged), in the order the recorder's watch saw the events.
        reads = PropertiesWatch(self.client, CONTROL_IFACE)
        self.addCleanup(reads.close)
        with open(link, 'r+') as f:
            f.truncate(0)
            f.write('[global]\nenabled=true\nuploading_enabled=true\nenvironment=test\n'
                    f'server_url=https://localhost:{self.collector.port}/\n')
        self.assertEqual(self.control('ConsentState'), 'undecided', 'the write was seen')
        os.chmod(self.env.permissions_file, 0o600)
        self.wait_for(lambda: self.control('ConsentState') == 'granted',
                      what='the chmod to be noticed')
        # A last edit through the watched path, after the chmod: once it is read, every
        # reading the write or the chmod caused has been announced before it. Had the write
        # been seen, it would have been read before the chmod: two "granted", not one.
        self.env.write_permissions(
            '[global]\nenabled=false\nuploading_enabled=false\nenvironment=test\n'
            f'server_url=https://localhost:{self.collector.port}/\n')
        last = reads.wait_for('ConsentState', 'declined', 'the last edit to be read')
        announced = [changed['ConsentState'] for changed, _inv in reads.seen[:last]
                     if 'ConsentState' in changed]
        self.assertEqual(announced, ['granted'],
                         'the file was read other than once between the write and the chmod')


if __name__ == '__main__':
    unittest.main()
