# SPDX-License-Identifier: GPL-2.0-or-later
"""Upload test support: the local collector, NetworkManager (dbusmock) and Control1.

The collector is tests/collector's metrics-test-collector with a certificate made for
each test; the daemon trusts it through recorder.conf's TrustFile.
"""

import os
import sys

import dbus

from harness import (BUS_NAME, DAEMON, OBJECT_PATH, SERVER_IFACE, GLib, RecorderTestCase,
                     DBusCallError, boottime_ns, random_event_id)

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'collector'))
from test_collector import Collector  # noqa: E402

CONTROL_IFACE = 'com.endlessm.Metrics.Control1'
NM_NAME = 'org.freedesktop.NetworkManager'
NM_PATH = '/org/freedesktop/NetworkManager'
NM_STATE_DISCONNECTED = 20
NM_STATE_CONNECTED_GLOBAL = 70
NM_METERED_YES = 1
NM_METERED_NO = 2
UPLOAD_TIMEOUT_MS = 120000

GRANTED = """[global]
enabled=true
uploading_enabled=true
environment=test
server_url={url}
"""


class UploadTestCase(RecorderTestCase):
    """A collector, NetworkManager online and unmetered, consent granted; the daemon is
    started by start() so a test can change any of it first."""

    START_DAEMON = False
    # Slots far away unless a test asks for the schedule: only forced uploads happen.
    INTERVAL_S = 86400

    def setUp(self):
        super().setUp()
        self.collector = Collector(self)
        self.ca_file = os.path.join(self.collector.tmp, 'certs', 'ca.pem')
        self.nm = None
        self.recorder_conf = {'TrustFile': self.ca_file, 'UploadIntervalSeconds': self.INTERVAL_S,
                              'UploadRequestTimeoutSeconds': 5}
        self.start_network_manager()
        self.grant()

    # ---------------------------------------------------------------- configuration
    @property
    def server_url(self):
        # The root of the collector's site, where the stock server serves its routes too.
        return f'https://127.0.0.1:{self.collector.port}/'

    def grant(self, url=None):
        self.env.write_permissions(GRANTED.format(url=url or self.server_url))

    def start(self, daemon=DAEMON, **recorder_conf):
        self.recorder_conf.update(recorder_conf)
        self.env.write_recorder_conf(**self.recorder_conf)
        self.env.start_daemon(env={'GIO_USE_NETWORK_MONITOR': 'networkmanager'}, daemon=daemon)

    # ---------------------------------------------------------------- NetworkManager
    def start_network_manager(self, state=NM_STATE_CONNECTED_GLOBAL, metered=NM_METERED_NO):
        import dbusmock
        log = open(os.path.join(self.env.log_dir, 'networkmanager.log'), 'w')
        proc, obj = dbusmock.DBusTestCase.spawn_server_template(
            'networkmanager', {'State': dbus.UInt32(state)}, stdout=log)
        log.close()
        self.env.extra_procs.append(proc)
        # The template's main object is /org/freedesktop; the manager is a child of it.
        bus = dbus.bus.BusConnection(self.env.bus_address)
        self.addCleanup(bus.close)
        self.nm = bus.get_object(NM_NAME, NM_PATH)
        self.nm.AddProperty(NM_NAME, 'Metered', dbus.UInt32(metered),
                            dbus_interface='org.freedesktop.DBus.Mock')

    def set_network(self, state=None, metered=None):
        mock = 'org.freedesktop.DBus.Mock'
        if state is not None:
            self.nm.UpdateProperties(NM_NAME, {'State': dbus.UInt32(state)}, dbus_interface=mock)
        if metered is not None:
            self.nm.UpdateProperties(NM_NAME, {'Metered': dbus.UInt32(metered)},
                                     dbus_interface=mock)

    # ---------------------------------------------------------------- recorder
    def control(self, name):
        return self.client.get_property(name, iface=CONTROL_IFACE)

    def upload(self, timeout_ms=UPLOAD_TIMEOUT_MS):
        """Control1.Upload(): (events, requests); raises DBusCallError."""
        return self.client.call_raw('Upload', None, iface=CONTROL_IFACE, timeout_ms=timeout_ms)

    def upload_error(self, timeout_ms=UPLOAD_TIMEOUT_MS):
        with self.assertRaises(DBusCallError) as cm:
            self.upload(timeout_ms)
        return cm.exception

    def record_marked(self, n, start=0, event_id=None):
        """n singular events whose payload is the string 'm<i>'; returns their markers."""
        event_id = event_id or random_event_id()
        now = boottime_ns()
        calls = [('RecordSingularEvent', 'uayxbv',
                  (0, event_id, now, True, GLib.Variant('s', f'm{i}')), OBJECT_PATH, SERVER_IFACE)
                 for i in range(start, start + n)]
        results = self.client.call_async_many(calls)
        errors = [e for _r, e in results if e]
        self.assertEqual(errors, [])
        return {f"'m{i}'" for i in range(start, start + n)}

    def ledger(self):
        conn = self.env.db()
        try:
            return conn.execute('SELECT outcome, http_status, message, singular_events, '
                                'aggregate_events, sha512 FROM ledger ORDER BY id').fetchall()
        finally:
            conn.close()

    def queued(self):
        rows = self.env.table_rows()
        return rows['singular'] + rows['aggregate']

    # ---------------------------------------------------------------- collector
    def received_markers(self):
        """Every singular payload the collector accepted, in arrival order (with repeats)."""
        out = []
        import json
        for row in self.collector.rows():
            request = json.loads(row['request_json'])
            out.extend(e['payload'] for e in request['singulars'])
        return out

    def assert_exactly_once(self, markers):
        got = self.received_markers()
        self.assertEqual(len(got), len(set(got)), 'an event arrived twice')
        self.assertEqual(set(got), set(markers))

    def wait_for(self, predicate, what='condition'):
        # Most of these look at the store or the collector: a look every 50 ms leaves the
        # CPU to the recorder under test.
        return self.wait_until(predicate, what, poll_ms=50)


__all__ = ['UploadTestCase', 'CONTROL_IFACE', 'Collector', 'NM_STATE_DISCONNECTED',
           'NM_STATE_CONNECTED_GLOBAL', 'NM_METERED_YES', 'NM_METERED_NO', 'BUS_NAME']
