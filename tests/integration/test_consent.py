# SPDX-License-Identifier: GPL-2.0-or-later
"""Consent: the permissions file, SetEnabled, physical deletion, polkit guards."""

import os
import secrets
import unittest

from harness import (CONTROL_IFACE, ERROR_PREFIX, POLKIT_RESET_TRACKING_ID, POLKIT_SET_ENABLED,
                     GLib, RecorderTestCase, random_event_id, today)

AUTH_FAILED = 'org.freedesktop.DBus.Error.AuthFailed'

ADMIN_FILE = """# Admin comment KEEPME-ONE
[global]
# Comment before enabled KEEPME-TWO
enabled=true
uploading_enabled=false
environment=test
server_url=https://127.0.0.1:9/
custom_key=KEEPME-THREE
"""


def permissions(enabled, uploading, server_url='https://127.0.0.1:9/', environment='test'):
    return ('[global]\n'
            f'enabled={"true" if enabled else "false"}\n'
            f'uploading_enabled={"true" if uploading else "false"}\n'
            f'environment={environment}\nserver_url={server_url}\n')


def consent(enabled, uploading):
    """The ConsentState of a valid file with these two keys."""
    return 'declined' if not enabled else 'granted' if uploading else 'undecided'


class ConsentTest(RecorderTestCase):

    def scan_state_dir(self, needle):
        """Files of the state dir (recursively) whose bytes contain needle."""
        hits = []
        for dirpath, _dirs, files in os.walk(self.env.state_dir):
            for name in files:
                p = os.path.join(dirpath, name)
                with open(p, 'rb') as f:
                    if needle in f.read():
                        hits.append(p)
        return hits

    def empty(self):
        return self.env.table_rows() == {'singular': 0, 'counts': 0, 'aggregate': 0}

    def consent_state(self):
        return self.client.get_property('ConsentState', iface=CONTROL_IFACE)

    def write_seen(self, enabled, uploading, **kw):
        """Writes permissions(enabled, uploading, ...) and waits until the recorder says it
        read them."""
        self.env.write_permissions_seen(permissions(enabled, uploading, **kw),
                                        ConsentState=consent(enabled, uploading),
                                        Environment=kw.get('environment', 'test'))

    def test_fresh_start_writes_defaults_and_records(self):
        self.env.stop_daemon()
        os.unlink(self.env.permissions_file)
        self.env.start_daemon()
        self.assertTrue(os.path.exists(self.env.permissions_file), 'no permissions file written')
        cp = self.env.read_permissions()
        self.assertEqual(cp.get('global', 'enabled').strip().lower(), 'true')
        self.assertEqual(cp.get('global', 'uploading_enabled').strip().lower(), 'false')
        eid = random_event_id()
        self.client.record_singular(eid, GLib.Variant('s', 'undecided'))
        self.client.record_aggregate(eid, 2)
        self.assertEqual(len(self.env.singulars(eid)), 1, 'not recording locally when undecided')
        self.assertEqual(len(self.env.counts(eid)), 1)
        self.assertIs(self.client.get_property('Enabled'), False)

    def test_missing_upload_key_never_uploads(self):
        # Read when the environment the file no longer names is the default again.
        self.env.write_permissions_seen('[global]\nenabled=true\n', ConsentState='undecided',
                                        Environment='production')
        self.assertIs(self.client.get_property('Enabled'), False)
        self.assertDBusError(ERROR_PREFIX + 'UploadingDisabled', self.client.call, 'UploadEvents')

    def test_external_disable_honoured_as_soon_as_read(self):
        eid = random_event_id()
        for i in range(20):
            self.client.record_singular(eid, GLib.Variant('s', f'before-{i}'))
        self.client.record_aggregate(eid, 3)
        self.client.start_timer(eid)
        self.assertFalse(self.empty())

        # The file is watched: the recorder reads the edit without being asked, and by the
        # time it says so (ConsentState) everything is gone and nothing more is kept.
        self.env.write_permissions(permissions(False, False))
        self.wait_until(lambda: self.consent_state() == 'declined', 'the edit to be read')
        self.assertTrue(self.empty(), 'edit to enabled=false read, but data kept: '
                                      f'{self.env.table_rows()}')
        self.client.record_singular(random_event_id(), GLib.Variant('s', 'probe'))
        self.assertTrue(self.empty(), f'stored after the edit was read: {self.env.table_rows()}')
        # From now on nothing is kept.
        for i in range(10):
            self.client.record_singular(eid, GLib.Variant('s', f'after-{i}'))
        self.client.record_aggregate(eid, 5)
        self.client.record_sequence(eid, [(1, GLib.Variant('s', 'seq'))])
        self.assertDBusError(ERROR_PREFIX + 'MetricsDisabled', self.client.start_timer, eid)
        self.assertTrue(self.empty(), f'stored while disabled: {self.env.table_rows()}')
        # And the running timer was dropped, not saved: a clean stop adds nothing.
        self.assertEqual(self.env.stop_daemon(), 0)
        self.assertTrue(self.empty(), f'timer saved after opt-out: {self.env.table_rows()}')

    def test_external_enable_again_resumes(self):
        self.write_seen(False, False)
        self.client.record_singular(random_event_id())
        self.assertTrue(self.empty())
        # Recording resumes as soon as the recorder says it read the edit.
        self.write_seen(True, False)
        eid = random_event_id()
        self.client.record_singular(eid)
        self.assertEqual(len(self.env.singulars(eid)), 1, 'recording did not resume')

    def test_set_enabled_false_deletes_everything_physically(self):
        self.env.stop_daemon()
        self.env.write_permissions(ADMIN_FILE)
        self.env.start_daemon()
        marker = f'MARKER-{secrets.token_hex(12)}'
        eid = random_event_id()
        calls = [('RecordSingularEvent', 'uayxbv',
                  [0, eid, 1000 + i, True, GLib.Variant('s', f'{marker}-{i}')],
                  '/com/endlessm/Metrics', 'com.endlessm.Metrics.EventRecorderServer')
                 for i in range(200)]
        for r, err in self.client.call_async_many(calls):
            self.assertIsNone(err)
        self.client.record_aggregate(eid, 7, GLib.Variant('s', marker + '-agg'))
        self.client.record_sequence(eid, [(5, GLib.Variant('s', marker + '-seq'))])
        self.client.start_timer(eid, GLib.Variant('s', marker + '-timer'))
        self.assertEqual(len(self.env.singulars(eid)), 201)
        # The scan can see the marker: otherwise the check below would prove nothing.
        self.assertTrue(self.scan_state_dir(marker.encode()), 'marker not found before opt-out')

        self.env.set_allowed([POLKIT_SET_ENABLED])
        self.client.call('SetEnabled', 'b', [False])

        self.assertTrue(self.empty(), f'rows left after SetEnabled(false): {self.env.table_rows()}')
        hits = self.scan_state_dir(marker.encode())
        self.assertEqual(hits, [], f'marker bytes still on disk after opt-out: {hits}')
        self.assertEqual(self.scan_state_dir(marker[7:].encode()), [])

        text = self.env.read_permissions_text()
        cp = self.env.read_permissions()
        self.assertEqual(cp.get('global', 'enabled').strip().lower(), 'false')
        self.assertEqual(cp.get('global', 'uploading_enabled').strip().lower(), 'false')
        for keep in ('KEEPME-ONE', 'KEEPME-TWO', 'KEEPME-THREE'):
            self.assertIn(keep, text, f'{keep} lost when the daemon wrote the file')
        self.assertEqual(cp.get('global', 'custom_key').strip(), 'KEEPME-THREE')
        self.assertEqual(cp.get('global', 'environment').strip(), 'test')

        # Nothing is recorded afterwards, and the running timer was not saved.
        self.client.record_singular(eid, GLib.Variant('s', marker))
        self.client.record_aggregate(eid, 1)
        self.assertDBusError(ERROR_PREFIX + 'MetricsDisabled', self.client.start_timer, eid)
        self.assertEqual(self.env.stop_daemon(), 0)
        self.assertTrue(self.empty(), f'data after opt-out: {self.env.table_rows()}')
        self.assertEqual(self.scan_state_dir(marker.encode()), [])
        self.env.start_daemon()
        self.assertTrue(self.empty())
        self.assertIs(self.client.get_property('Enabled'), False)

    def test_declined_while_down_purges_at_start(self):
        eid = random_event_id()
        marker = f'DOWN-{secrets.token_hex(8)}'
        for i in range(20):
            self.client.record_singular(eid, GLib.Variant('s', f'{marker}-{i}'))
        self.client.record_aggregate(eid, 2, GLib.Variant('s', marker))
        self.assertEqual(self.env.stop_daemon(), 0)
        self.env.write_permissions(permissions(False, False))
        self.env.start_daemon()
        # Purged before the recorder owns its name, so before start_daemon() returns.
        self.assertTrue(self.empty(), f'declined while down, kept: {self.env.table_rows()}')
        self.assertEqual(self.scan_state_dir(marker.encode()), [])

    def test_set_enabled_keeps_unseen_edit(self):
        # An administrator's edit that the daemon has not read yet survives SetEnabled.
        self.env.set_allowed([POLKIT_SET_ENABLED])
        self.env.write_permissions(ADMIN_FILE.replace('KEEPME-THREE', 'FRESH-EDIT'))
        self.client.call('SetEnabled', 'b', [True])
        text = self.env.read_permissions_text()
        self.assertIn('FRESH-EDIT', text)
        self.assertIn('KEEPME-ONE', text)
        cp = self.env.read_permissions()
        self.assertEqual(cp.get('global', 'uploading_enabled').strip().lower(), 'true')

    def test_set_enabled_true_grants_both(self):
        self.env.set_allowed([POLKIT_SET_ENABLED])
        self.client.call('SetEnabled', 'b', [True])
        cp = self.env.read_permissions()
        self.assertEqual(cp.get('global', 'enabled').strip().lower(), 'true')
        self.assertEqual(cp.get('global', 'uploading_enabled').strip().lower(), 'true')
        self.assertIs(self.client.get_property('Enabled'), True)

    def test_set_enabled_unauthorised(self):
        eid = random_event_id()
        self.client.record_singular(eid, GLib.Variant('s', 'keep me'))
        before = self.env.read_permissions_bytes()
        rows = self.env.table_rows()
        self.env.set_allowed([POLKIT_RESET_TRACKING_ID])  # not SetEnabled
        self.assertDBusError(AUTH_FAILED, self.client.call, 'SetEnabled', 'b', [False])
        self.assertDBusError(AUTH_FAILED, self.client.call, 'SetEnabled', 'b', [True])
        # The refusal is the answer to the call: whatever the call did came before it.
        self.assertEqual(self.env.read_permissions_bytes(), before)
        self.assertEqual(self.env.table_rows(), rows)
        self.client.record_singular(eid)
        self.assertEqual(len(self.env.singulars(eid)), 2)

    def test_set_enabled_unauthorised_unprivileged_caller(self):
        self.env.set_allowed([])
        before = self.env.read_permissions_bytes()
        res = self.env.run_client([{'op': 'call', 'method': 'SetEnabled', 'sig': 'b',
                                    'args': [False]}])
        self.assertEqual(res[0].get('error'), AUTH_FAILED, res)
        self.assertEqual(self.env.read_permissions_bytes(), before)

    def test_unparsable_file_records_nothing_deletes_nothing(self):
        eid = random_event_id()
        self.client.record_singular(eid, GLib.Variant('s', 'earlier'))
        self.client.record_aggregate(eid, 4)
        rows = self.env.table_rows()
        garbage = b'this is [not a key file\n\x00\xff[[[ enabled=maybe\n'
        with open(self.env.permissions_file + '.tmp', 'wb') as f:
            f.write(garbage)
        os.rename(self.env.permissions_file + '.tmp', self.env.permissions_file)
        self.wait_until(lambda: self.consent_state() == 'invalid', 'the broken file to be read')
        self.client.record_singular(eid, GLib.Variant('s', 'later'))
        self.client.record_aggregate(eid, 1)
        self.client.record_sequence(eid, [(1, None)])
        self.assertEqual(self.env.table_rows(), rows, 'recorded (or deleted) with a broken file')
        self.assertEqual(self.env.count_value(eid, today()), 4)
        self.assertDaemonAlive()
        # The recorder has read the file (ConsentState) and answered calls since.
        with open(self.env.permissions_file, 'rb') as f:
            self.assertEqual(f.read(), garbage, 'daemon touched the broken file')
        self.assertIs(self.client.get_property('Enabled'), False)
        self.assertIn('permissions', self.env.daemon_log().lower(),
                      'the journal does not say the permissions file is unusable')

    def test_unparsable_file_at_start(self):
        self.env.stop_daemon()
        garbage = b'[global\nenabled=true\nuploading_enabled=true\n'
        with open(self.env.permissions_file, 'wb') as f:
            f.write(garbage)
        self.env.start_daemon()
        # Read before the recorder owns its name.
        self.assertEqual(self.consent_state(), 'invalid')
        self.assertDaemonAlive()
        self.client.record_singular(random_event_id(), GLib.Variant('s', 'x'))
        self.assertTrue(self.empty())
        self.assertIs(self.client.get_property('Enabled'), False)
        with open(self.env.permissions_file, 'rb') as f:
            self.assertEqual(f.read(), garbage)

    def test_bad_boolean_value(self):
        self.env.write_permissions('[global]\nenabled=maybe\nuploading_enabled=false\n')
        self.wait_until(lambda: self.consent_state() == 'invalid', 'the bad value to be read')
        self.client.record_singular(random_event_id())
        self.assertTrue(self.empty())
        self.assertDaemonAlive()

    def test_bad_server_url_keeps_recording(self):
        for url in ('http://example.com/', 'garbage :: not a url', 'ftp://x', ''):
            # Granted, then undecided: each edit changes the consent, so its reading shows.
            for uploading in (True, False):
                with self.subTest(url=url, uploading=uploading):
                    self.env.write_permissions_seen(permissions(True, uploading, url),
                                                    ConsentState=consent(True, uploading))
                    eid = random_event_id()
                    self.client.record_singular(eid, GLib.Variant('s', url))
                    self.assertEqual(len(self.env.singulars(eid)), 1)
                    try:
                        self.client.call('UploadEvents')
                    except Exception as e:  # noqa: BLE001
                        self.assertTrue(getattr(e, 'name', '').startswith(ERROR_PREFIX), str(e))
                    self.assertDaemonAlive()

    def test_bad_server_url_at_start(self):
        for url in ('http://example.com', 'garbage'):
            with self.subTest(url=url):
                self.env.stop_daemon()
                self.env.write_permissions(permissions(True, True, url))
                self.env.start_daemon()
                eid = random_event_id()
                self.client.record_singular(eid)
                self.assertEqual(len(self.env.singulars(eid)), 1)
                self.assertDaemonAlive()

    def test_upload_events_errors(self):
        # Undecided (the defaults): never uploading.
        self.assertDBusError(ERROR_PREFIX + 'UploadingDisabled', self.client.call, 'UploadEvents')
        self.write_seen(False, False)
        self.assertDBusError(ERROR_PREFIX + 'MetricsDisabled', self.client.call, 'UploadEvents')
        # Declined both times: another environment shows that the second edit was read.
        self.write_seen(False, True, environment='dev')
        self.assertDBusError(ERROR_PREFIX + 'MetricsDisabled', self.client.call, 'UploadEvents')

    def test_upload_events_granted_fails_named_and_bounded(self):
        # Granted, but the server cannot be reached: a named error, in bounded time.
        self.write_seen(True, True, server_url='https://127.0.0.1:9/')
        self.client.record_singular(random_event_id(), GLib.Variant('s', 'x'))
        # Bounded: the recorder's own error comes before the bus gives up on the call
        # (that would be org.freedesktop.DBus.Error.NoReply, which fails the name check).
        try:
            self.client.call('UploadEvents', timeout_ms=60000)
            self.fail('UploadEvents to a closed port succeeded')
        except Exception as e:  # noqa: BLE001
            name = getattr(e, 'name', '')
            self.assertTrue(name.startswith(ERROR_PREFIX), str(e))
            self.assertNotIn(name, {ERROR_PREFIX + 'MetricsDisabled',
                                    ERROR_PREFIX + 'UploadingDisabled'})
        self.assertDaemonAlive()

    def test_reset_tracking_id(self):
        self.env.set_allowed([])
        self.assertDBusError(AUTH_FAILED, self.client.call, 'ResetTrackingId')
        self.env.set_allowed([POLKIT_SET_ENABLED])
        self.assertDBusError(AUTH_FAILED, self.client.call, 'ResetTrackingId')
        self.env.set_allowed([POLKIT_RESET_TRACKING_ID])
        self.assertEqual(self.client.call('ResetTrackingId'), ())
        self.assertEqual(self.client.get_property('TrackingId'), '')


if __name__ == '__main__':
    unittest.main()
