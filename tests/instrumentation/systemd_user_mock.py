# SPDX-License-Identifier: GPL-2.0-or-later
'''dbusmock template: a stand-in for the systemd user manager (org.freedesktop.systemd1 on
the session bus), with what eos-metrics-session-collector uses of it: Subscribe and
Unsubscribe (UnitNew and UnitRemoved are only sent while someone is subscribed, as systemd
does), ListUnits, and each unit's org.freedesktop.systemd1.Unit.ActiveState (Get, and
PropertiesChanged when it changes).

Mock methods (org.freedesktop.DBus.Mock), for the tests: AddUnit(name, active_state)
creates the unit and sends UnitNew; SetUnitState(name, active_state) changes its state;
RemoveUnit(name) makes it inactive, removes it and sends UnitRemoved; Subscribers()
counts the clients subscribed now. Unit object paths are escaped as systemd escapes them.
'''

import dbus

from dbusmock import MOCK_IFACE, mockobject

BUS_NAME = 'org.freedesktop.systemd1'
MAIN_OBJ = '/org/freedesktop/systemd1'
MAIN_IFACE = 'org.freedesktop.systemd1.Manager'
UNIT_IFACE = 'org.freedesktop.systemd1.Unit'
SYSTEM_BUS = False


def unit_path(name):
    escaped = ''.join(c if c.isascii() and c.isalnum() else '_%02x' % ord(c) for c in name)
    return MAIN_OBJ + '/unit/' + escaped


def load(mock, _parameters):
    mock.units = {}
    mock.subscribers = set()
    mock.AddProperties(MAIN_IFACE, dbus.Dictionary({'Version': dbus.String('252')},
                                                   signature='sv'))


@dbus.service.method(MAIN_IFACE, in_signature='', out_signature='', sender_keyword='sender')
def Subscribe(self, sender=None):
    self.subscribers.add(sender)


@dbus.service.method(MAIN_IFACE, in_signature='', out_signature='', sender_keyword='sender')
def Unsubscribe(self, sender=None):
    self.subscribers.discard(sender)


@dbus.service.method(MAIN_IFACE, in_signature='', out_signature='a(ssssssouso)')
def ListUnits(self):
    out = []
    for name, path in self.units.items():
        state = mockobject.objects[path].Get(UNIT_IFACE, 'ActiveState')
        out.append((name, 'stand-in unit', 'loaded', state, 'running', '', dbus.ObjectPath(path),
                    dbus.UInt32(0), '', dbus.ObjectPath('/')))
    return dbus.Array(out, signature='(ssssssouso)')


@dbus.service.method(MOCK_IFACE, in_signature='ss', out_signature='o')
def AddUnit(self, name, active_state):
    path = unit_path(name)
    self.AddObject(path, UNIT_IFACE, {'Id': dbus.String(name),
                                      'ActiveState': dbus.String(active_state)}, [])
    self.units[str(name)] = path
    if self.subscribers:
        self.EmitSignal(MAIN_IFACE, 'UnitNew', 'so', [name, dbus.ObjectPath(path)])
    return path


@dbus.service.method(MOCK_IFACE, in_signature='ss', out_signature='')
def SetUnitState(self, name, active_state):
    unit = mockobject.objects[self.units[str(name)]]
    unit.UpdateProperties(UNIT_IFACE, {'ActiveState': dbus.String(active_state)})


@dbus.service.method(MOCK_IFACE, in_signature='s', out_signature='')
def RemoveUnit(self, name):
    path = self.units.pop(str(name))
    mockobject.objects[path].UpdateProperties(UNIT_IFACE,
                                              {'ActiveState': dbus.String('inactive')})
    self.RemoveObject(path)
    if self.subscribers:
        self.EmitSignal(MAIN_IFACE, 'UnitRemoved', 'so', [name, dbus.ObjectPath(path)])


@dbus.service.method(MOCK_IFACE, in_signature='', out_signature='u')
def Subscribers(self):
    return dbus.UInt32(len(self.subscribers))
