# SPDX-License-Identifier: GPL-2.0-or-later
'''dbusmock template: a stand-in for the metrics event recorder (com.endlessm.Metrics).

It has the EventRecorderServer methods of dbus/com.endlessm.Metrics.xml; every call is
logged by dbusmock, so tests read them back with org.freedesktop.DBus.Mock.GetMethodCalls.
StartAggregateTimer creates /com/endlessm/Metrics/AggregateTimer<N> with StopTimer (its
calls are logged on that object). Parameters: "timer_start_delay" (seconds the
StartAggregateTimer reply is held back, to stop a timer before the recorder answered);
SetRecordDelay(seconds) makes each RecordSingularEvent take at least that long (the
stand-in answers one call at a time), for a recorder slower than the library's queue.
'''

import dbus

from dbusmock import MOCK_IFACE

BUS_NAME = 'com.endlessm.Metrics'
MAIN_OBJ = '/com/endlessm/Metrics'
MAIN_IFACE = 'com.endlessm.Metrics.EventRecorderServer'
SYSTEM_BUS = True

TIMER_IFACE = 'com.endlessm.Metrics.AggregateTimer'

START_TIMER = '''
if self.timer_start_delay:
    time.sleep(self.timer_start_delay)
self.timer_count += 1
path = '/com/endlessm/Metrics/AggregateTimer%d' % self.timer_count
self.AddObject(path, 'com.endlessm.Metrics.AggregateTimer', {}, [('StopTimer', '', '', '')])
ret = dbus.ObjectPath(path)
'''

RECORD_SINGULAR = '''
if self.record_delay:
    time.sleep(self.record_delay)
'''


def load(mock, parameters):
    mock.timer_count = 0
    mock.timer_start_delay = float(parameters.get('timer_start_delay', 0))
    mock.record_delay = 0.0
    mock.AddProperties(MAIN_IFACE, dbus.Dictionary({
        'Enabled': dbus.Boolean(True),
        'TrackingId': dbus.String(''),
    }, signature='sv'))
    mock.AddMethods(MAIN_IFACE, [
        ('RecordSingularEvent', 'uayxbv', '', RECORD_SINGULAR),
        ('RecordAggregateEvent', 'uayxxbv', '', ''),
        ('RecordEventSequence', 'uaya(xbv)', '', ''),
        ('StartAggregateTimer', 'uaybv', 'o', START_TIMER),
        ('SetEnabled', 'b', '', ''),
        ('UploadEvents', '', '', ''),
        ('ResetTrackingId', '', '', ''),
    ])


@dbus.service.method(MOCK_IFACE, in_signature='d', out_signature='')
def SetTimerStartDelay(self, seconds):
    self.timer_start_delay = seconds


@dbus.service.method(MOCK_IFACE, in_signature='d', out_signature='')
def SetRecordDelay(self, seconds):
    self.record_delay = seconds


@dbus.service.method(MOCK_IFACE, in_signature='', out_signature='u')
def GetTimerCount(self):
    return dbus.UInt32(self.timer_count)
