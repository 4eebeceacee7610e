#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Records events continuously with a few calls in flight, and logs every event whose
reply it received (flushing after each reply):

    durability_client.py BUS_ADDRESS CLIENT_ID LOG_FILE STOP_FILE SEED

Log lines:  S <marker>            singular event acknowledged
            Q <m1> <m2> <m3>      sequence acknowledged (three singular events)
            A <payload>           aggregate count +1 acknowledged
            E <error name>        an error from the recorder itself (not a bus error)
"""

import os
import random
import sys
import time

import gi

gi.require_version('Gio', '2.0')
gi.require_version('GLib', '2.0')
from gi.repository import Gio, GLib  # noqa: E402

BUS_NAME = 'com.endlessm.Metrics'
PATH = '/com/endlessm/Metrics'
IFACE = 'com.endlessm.Metrics.EventRecorderServer'
EVENT_ID = bytes.fromhex('5fae6179e10840b2a5ee2c7b2bb0b9f4')
SEQ_ID = bytes.fromhex('9a0cc6d4ea3f4c5a8e0bd9c4d3b6b2a1')
AGG_ID = bytes.fromhex('3c0e2a5a0f9e4a1b9f1a4c2f8d7e6b50')
IN_FLIGHT = 8

# Bus-level errors while the recorder is down or dies under a call: not acknowledged.
TRANSIENT = {'org.freedesktop.DBus.Error.ServiceUnknown',
             'org.freedesktop.DBus.Error.NoReply',
             'org.freedesktop.DBus.Error.NameHasNoOwner',
             'org.freedesktop.DBus.Error.Disconnected',
             'org.freedesktop.DBus.Error.UnknownObject',
             'org.freedesktop.DBus.Error.UnknownMethod',
             'org.freedesktop.DBus.Error.Timeout'}


def main():
    address, cid, log_path, stop_file, seed = sys.argv[1:6]
    rng = random.Random(int(seed))
    flags = (Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT |
             Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION)
    conn = Gio.DBusConnection.new_for_address_sync(address, flags, None, None)
    log = open(log_path, 'w', buffering=1)
    ctx = GLib.MainContext.default()
    state = {'n': 0, 'inflight': 0, 'backoff_until': 0}

    def done(c, res, entry):
        state['inflight'] -= 1
        try:
            c.call_finish(res)
        except GLib.Error as e:
            name = Gio.DBusError.get_remote_error(e) if Gio.DBusError.is_remote_error(e) else None
            if name is None or name in TRANSIENT:
                state['backoff_until'] = time.monotonic() + 0.01
            else:
                log.write(f'E {name} {e.message}\n')
                log.flush()
            return
        log.write(entry + '\n')
        log.flush()

    def send():
        n = state['n']
        state['n'] += 1
        kind = rng.random()
        ts = time.clock_gettime_ns(time.CLOCK_BOOTTIME)
        if kind < 0.7:
            marker = f'c{cid}-{n}'
            params = GLib.Variant('(uayxbv)', (0, EVENT_ID, ts, True, GLib.Variant('s', marker)))
            method, entry = 'RecordSingularEvent', f'S {marker}'
        elif kind < 0.9:
            ms = [f'c{cid}-{n}-{k}' for k in range(3)]
            params = GLib.Variant('(uaya(xbv))', (0, SEQ_ID, [(ts, True, GLib.Variant('s', m))
                                                               for m in ms]))
            method, entry = 'RecordEventSequence', 'Q ' + ' '.join(ms)
        else:
            payload = f'agg-c{cid}'
            params = GLib.Variant('(uayxxbv)', (0, AGG_ID, 1, ts, True, GLib.Variant('s', payload)))
            method, entry = 'RecordAggregateEvent', f'A {payload}'
        state['inflight'] += 1
        conn.call(BUS_NAME, PATH, IFACE, method, params, None, Gio.DBusCallFlags.NONE, 10000,
                  None, done, entry)

    while not os.path.exists(stop_file):
        while state['inflight'] < IN_FLIGHT and time.monotonic() >= state['backoff_until']:
            send()
        if state['inflight'] == 0:
            ctx.iteration(False)
            time.sleep(0.005)  # sleep-ok: backing off after QueueFull, as a client would
        else:
            ctx.iteration(True)
    while state['inflight'] > 0:
        ctx.iteration(True)
    log.close()
    conn.close_sync(None)


if __name__ == '__main__':
    main()
