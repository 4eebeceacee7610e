# SPDX-License-Identifier: GPL-2.0-or-later
"""The D-Bus surface: introspection against dbus/com.endlessm.Metrics.xml, properties."""

import unittest
import xml.etree.ElementTree as ET

from harness import (CONTRACT_XML, CONTROL_IFACE, OBJECT_PATH, SERVER_IFACE, TIMER_IFACE, BUS_NAME,
                     GLib, Gio, RecorderTestCase, DBusCallError, random_event_id, wait_until)


def describe_interface(iface_el):
    """Normalised description: methods with (arg name, type, direction), signals, properties."""
    methods = {}
    for m in iface_el.findall('method'):
        args = []
        for a in m.findall('arg'):
            args.append((a.get('name'), a.get('type'), a.get('direction', 'in')))
        methods[m.get('name')] = args
    signals = {}
    for s in iface_el.findall('signal'):
        signals[s.get('name')] = [(a.get('name'), a.get('type')) for a in s.findall('arg')]
    props = {p.get('name'): (p.get('type'), p.get('access')) for p in iface_el.findall('property')}
    return {'methods': methods, 'signals': signals, 'properties': props}


def structure(el):
    """Everything an element says, in order: its tag and attributes (an argument's
    direction defaults to "in", as the introspection format says), then its children.
    org.gtk.GDBus.* annotations are left out: they steer gdbus-codegen's C code, and
    gdbus-codegen leaves them out of the introspection data of the objects it exports."""
    attrs = dict(el.attrib)
    if el.tag == 'arg' and 'direction' not in attrs:
        attrs['direction'] = 'in'
    children = [structure(c) for c in el
                if not (c.tag == 'annotation' and c.get('name', '').startswith('org.gtk.GDBus.'))]
    return (el.tag, sorted(attrs.items()), children)


def find_interface(root, name):
    for i in root.findall('interface'):
        if i.get('name') == name:
            return i
    return None


class InterfaceTest(RecorderTestCase):

    @classmethod
    def setUpClass(cls):
        # Committed with the sources.
        cls.contract = ET.parse(CONTRACT_XML).getroot()

    def contract_interface(self, name):
        el = find_interface(self.contract, name)
        self.assertIsNotNone(el, f'{name} missing from {CONTRACT_XML}')
        return describe_interface(el)

    def test_server_interface_matches_contract(self):
        expected = self.contract_interface(SERVER_IFACE)
        # Sanity of the contract itself (the one promised to existing clients).
        self.assertEqual(expected['methods']['RecordSingularEvent'],
                         [('user_id', 'u', 'in'), ('event_id', 'ay', 'in'),
                          ('relative_timestamp', 'x', 'in'), ('has_payload', 'b', 'in'),
                          ('payload', 'v', 'in')])
        root = ET.fromstring(self.client.introspect())
        el = find_interface(root, SERVER_IFACE)
        self.assertIsNotNone(el, f'{SERVER_IFACE} not exported at {OBJECT_PATH}')
        actual = describe_interface(el)
        self.assertEqual(actual['methods'].keys(), expected['methods'].keys())
        for name, args in expected['methods'].items():
            self.assertEqual(actual['methods'][name], args, f'arguments of {name}')
        self.assertEqual(actual['signals'], expected['signals'])
        self.assertEqual(actual['properties'], expected['properties'])
        self.assertEqual(actual['properties'],
                         {'Enabled': ('b', 'read'), 'TrackingId': ('s', 'read')})

    def test_original_interfaces_introspect_exactly_as_the_contract(self):
        # Same members in the same order, same arguments, same annotations, nothing added:
        # what a client of the original sees in the introspection of the original recorder.
        live = ET.fromstring(self.client.introspect())
        for name in (SERVER_IFACE,):
            with self.subTest(interface=name):
                el = find_interface(live, name)
                self.assertIsNotNone(el, f'{name} not exported at {OBJECT_PATH}')
                self.assertEqual(structure(el), structure(find_interface(self.contract, name)))
        path = self.client.start_timer(random_event_id())
        try:
            el = find_interface(ET.fromstring(self.client.introspect(path)), TIMER_IFACE)
            self.assertIsNotNone(el, f'{TIMER_IFACE} not exported at {path}')
            self.assertEqual(structure(el), structure(find_interface(self.contract, TIMER_IFACE)))
        finally:
            self.client.stop_timer(path)
        # The contract keeps the original's hints for gdbus-codegen: every event id stays a
        # GVariant in generated C code.
        server = find_interface(self.contract, SERVER_IFACE)
        for method in server.findall('method'):
            for arg in method.findall('arg'):
                if arg.get('name') == 'event_id':
                    notes = {a.get('name'): a.get('value') for a in arg.findall('annotation')}
                    self.assertEqual(notes, {'org.gtk.GDBus.C.ForceGVariant': 'true'},
                                     method.get('name'))

    def test_control_interface_matches_contract(self):
        name = 'com.endlessm.Metrics.Control1'
        expected = self.contract_interface(name)
        el = find_interface(ET.fromstring(self.client.introspect()), name)
        self.assertIsNotNone(el, f'{name} not exported at {OBJECT_PATH}')
        self.assertEqual(describe_interface(el), expected)
        # Queue figures change with every event: read on demand, never announced.
        props = {p.get('name'): p for p in el.findall('property')}
        for quiet in ('QueuedEvents', 'QueuedBytes'):
            notes = {a.get('name'): a.get('value') for a in props[quiet].findall('annotation')}
            self.assertEqual(notes.get('org.freedesktop.DBus.Property.EmitsChangedSignal'),
                             'false', quiet)

    def test_timer_interface_matches_contract(self):
        expected = self.contract_interface(TIMER_IFACE)
        self.assertIn('StopTimer', expected['methods'])
        path = self.client.start_timer(random_event_id())
        self.assertRegex(path, r'^/com/endlessm/Metrics/AggregateTimer[1-9][0-9]*$')
        root = ET.fromstring(self.client.introspect(path))
        el = find_interface(root, TIMER_IFACE)
        self.assertIsNotNone(el, f'{TIMER_IFACE} not exported at {path}')
        self.assertEqual(describe_interface(el), expected)
        self.client.stop_timer(path)

    def test_original_interface_not_extended(self):
        # Additions must go to a separate interface: the original carries nothing else.
        root = ET.fromstring(self.client.introspect())
        actual = describe_interface(find_interface(root, SERVER_IFACE))
        expected = self.contract_interface(SERVER_IFACE)
        self.assertEqual(set(actual['methods']), set(expected['methods']))

    def test_properties_read_only(self):
        # As the original (GDBus): InvalidArgs, not sd-bus's PropertyReadOnly.
        for iface, name, value in ((SERVER_IFACE, 'Enabled', GLib.Variant('b', True)),
                                   (SERVER_IFACE, 'TrackingId', GLib.Variant('s', 'abc')),
                                   (CONTROL_IFACE, 'ServerUrl', GLib.Variant('s', 'https://x/'))):
            with self.subTest(name=name):
                err = self.assertDBusError('org.freedesktop.DBus.Error.InvalidArgs',
                                           self.client.call, 'Set', 'ssv', [iface, name, value],
                                           iface='org.freedesktop.DBus.Properties')
                self.assertIn(name, err.message)
        self.assertEqual(self.client.get_property('Enabled'), False)
        self.assertEqual(self.client.get_property('TrackingId'), '')

    def test_unknown_property_is_invalid_args(self):
        # As the original (GDBus): InvalidArgs, not sd-bus's UnknownProperty; the
        # properties that exist still answer.
        for iface, name in ((SERVER_IFACE, 'NoSuchProperty'), (CONTROL_IFACE, 'Enabled'),
                            ('com.example.NoSuchInterface', 'Enabled')):
            with self.subTest(iface=iface, name=name):
                self.assertDBusError('org.freedesktop.DBus.Error.InvalidArgs',
                                     self.client.get_property, name, iface=iface)
                self.assertDBusError('org.freedesktop.DBus.Error.InvalidArgs', self.client.call,
                                     'Set', 'ssv', [iface, name, GLib.Variant('s', 'x')],
                                     iface='org.freedesktop.DBus.Properties')
        self.assertEqual(self.client.get_property('ConsentState', iface=CONTROL_IFACE),
                         'undecided')
        path = self.client.start_timer(random_event_id())
        try:
            self.assertDBusError('org.freedesktop.DBus.Error.InvalidArgs', self.client.call,
                                 'Get', 'ss', [TIMER_IFACE, 'Nothing'], path=path,
                                 iface='org.freedesktop.DBus.Properties')
        finally:
            self.client.stop_timer(path)

    def test_tracking_id_empty(self):
        self.assertEqual(self.client.get_property('TrackingId'), '')
        (props,) = self.client.call('GetAll', 's', [SERVER_IFACE],
                                    iface='org.freedesktop.DBus.Properties')
        self.assertEqual(props.get('TrackingId'), '')
        self.assertIn('Enabled', props)

    def permissions(self, enabled, uploading):
        return ('# test\n[global]\n'
                f'enabled={"true" if enabled else "false"}\n'
                f'uploading_enabled={"true" if uploading else "false"}\n'
                'environment=test\nserver_url=https://127.0.0.1:9/\n')

    def test_enabled_reflects_file_and_emits_changes(self):
        signals = []

        def on_signal(conn, sender, path, iface, name, params):
            signals.append(params.unpack())

        conn = self.client.conn
        sub = conn.signal_subscribe(BUS_NAME, 'org.freedesktop.DBus.Properties',
                                    'PropertiesChanged', OBJECT_PATH, None,
                                    Gio.DBusSignalFlags.NONE, on_signal)
        self.addCleanup(conn.signal_unsubscribe, sub)

        def wait_enabled(expected):
            def announced():
                for iface, changed, invalidated in signals:
                    if iface != SERVER_IFACE:
                        continue
                    if 'Enabled' in invalidated or changed.get('Enabled') == expected:
                        return True
                return False
            # Signals are dispatched while it waits.
            wait_until(announced, f'PropertiesChanged for Enabled={expected}',
                       details=lambda: f'got {signals}')

        # Shipped defaults (undecided): recording locally, but Enabled reads false.
        self.assertIs(self.client.get_property('Enabled'), False)

        self.env.write_permissions(self.permissions(True, True))
        wait_enabled(True)
        self.assertIs(self.client.get_property('Enabled'), True)

        signals.clear()
        self.env.write_permissions(self.permissions(True, False))
        wait_enabled(False)
        self.assertIs(self.client.get_property('Enabled'), False)

        signals.clear()
        self.env.write_permissions(self.permissions(True, True))
        wait_enabled(True)
        signals.clear()
        self.env.write_permissions(self.permissions(False, True))
        wait_enabled(False)
        self.assertIs(self.client.get_property('Enabled'), False)

    def test_enabled_true_at_start_when_granted(self):
        self.env.stop_daemon()
        self.env.write_permissions(self.permissions(True, True))
        self.env.start_daemon()
        self.assertIs(self.client.get_property('Enabled'), True)


if __name__ == '__main__':
    unittest.main()
