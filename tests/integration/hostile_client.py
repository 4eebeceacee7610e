#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A hostile local user, run by test_isolation as another uid:

    hostile_client.py BUS_ADDRESS '{"op": ..., ...}'

Prints one JSON line with its results. With "hold": true it then keeps its connections
(and so its timers) open until its stdin is closed.

  flood:  {"connections": C, "timers": T, "events": E, "payload": S}
          every one of C connections starts up to T timers; then the first records up to
          E singular events until one is refused
          -> {"timers": N, "timer_errors": {NAME: COUNT}, "events": K, "event_error": NAME}
  forge:  {"victim": UNIQUE_NAME, "destination": NAME or null}
          sends NameOwnerChanged(victim, victim, "") as if the bus said the victim left
          (to `destination`, or broadcast), then one call so it has been handled
          -> {"sent": true}
  list:   {"calls": N, "max_events": M, "window": W, "exhaust": false}
          N GetQueuedEvents(M) calls, up to W in flight (with "exhaust", after calls one at
          a time until one is refused) -> {"errors": {NAME: COUNT}, "ok": K,
          "order": [[INDEX, "ok" or NAME] for each call, in the order the answers came]}
  read:   {"properties": [...]} Control1 properties -> {"values": {...}, "errors": {...}}
  mixed:  {"calls": N, "connections": C, "window": W} (bench/hostile_bench.py) N calls of
          every kind, a new set of C connections every 10 000 -> {"errors": {...}, "ok": K}
  latency: {"calls": N} N RecordSingularEvent calls one after the other
          -> {"ms": [each call's round trip]}
"""

import json
import sys

import gi

gi.require_version('Gio', '2.0')
gi.require_version('GLib', '2.0')
from gi.repository import Gio, GLib  # noqa: E402

BUS_NAME = 'com.endlessm.Metrics'
OBJECT_PATH = '/com/endlessm/Metrics'
SERVER_IFACE = 'com.endlessm.Metrics.EventRecorderServer'
CONTROL_IFACE = 'com.endlessm.Metrics.Control1'
EVENT_ID = list(b'hostile-user-evt')


def connect(address):
    flags = (Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT |
             Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION)
    conn = Gio.DBusConnection.new_for_address_sync(address, flags, None, None)
    conn.set_exit_on_close(False)
    return conn


def error_name(e):
    if Gio.DBusError.is_remote_error(e):
        return Gio.DBusError.get_remote_error(e)
    return f'(local) {e.domain}:{e.code}'


def call(conn, method, params, iface=SERVER_IFACE, path=OBJECT_PATH):
    return conn.call_sync(BUS_NAME, path, iface, method, params, None,
                          Gio.DBusCallFlags.NONE, 20000, None)


def flood(address, spec):
    conns = [connect(address) for _ in range(spec.get('connections', 1))]
    out = {'timers': 0, 'timer_errors': {}, 'events': 0, 'event_error': None}
    for conn in conns:
        for _ in range(spec.get('timers', 0)):
            try:
                call(conn, 'StartAggregateTimer',
                     GLib.Variant('(uaybv)', (0, bytes(EVENT_ID), False, GLib.Variant('b', False))))
                out['timers'] += 1
            except GLib.Error as e:
                name = error_name(e)
                out['timer_errors'][name] = out['timer_errors'].get(name, 0) + 1
    payload = GLib.Variant('s', spec.get('payload', 'x' * 40))
    for _ in range(spec.get('events', 0)):
        try:
            call(conns[0], 'RecordSingularEvent',
                 GLib.Variant('(uayxbv)', (0, bytes(EVENT_ID), 1, True, payload)))
            out['events'] += 1
        except GLib.Error as e:
            out['event_error'] = error_name(e)
            break
    return out, conns


def forge(address, spec):
    conn = connect(address)
    conn.emit_signal(spec.get('destination'), '/org/freedesktop/DBus', 'org.freedesktop.DBus',
                     'NameOwnerChanged',
                     GLib.Variant('(sss)', (spec['victim'], spec['victim'], '')))
    # Messages of one connection arrive in order: once this reply is back, the recorder
    # has handled the forged signal.
    call(conn, 'Introspect', None, iface='org.freedesktop.DBus.Introspectable')
    return {'sent': True}, [conn]


def list_queue(address, spec):
    conn = connect(address)
    ctx = GLib.MainContext.default()
    state = {'next': 0, 'inflight': 0, 'done': 0, 'ok': 0, 'errors': {}, 'order': []}
    total = spec.get('calls', 100)
    window = spec.get('window', 32)
    listing = GLib.Variant('(u)', (spec.get('max_events', 100000),))
    if spec.get('exhaust'):
        for _ in range(100000):
            try:
                call(conn, 'GetQueuedEvents', listing, iface=CONTROL_IFACE)
            except GLib.Error:
                break

    def finish(c, res, index):
        try:
            c.call_finish(res)
            state['ok'] += 1
            state['order'].append([index, 'ok'])
        except GLib.Error as e:
            name = error_name(e)
            state['errors'][name] = state['errors'].get(name, 0) + 1
            state['order'].append([index, name])
        state['inflight'] -= 1
        state['done'] += 1

    while state['done'] < total:
        while state['next'] < total and state['inflight'] < window:
            conn.call(BUS_NAME, OBJECT_PATH, CONTROL_IFACE, 'GetQueuedEvents', listing, None,
                      Gio.DBusCallFlags.NONE, 60000, None, finish, state['next'])
            state['next'] += 1
            state['inflight'] += 1
        ctx.iteration(True)
    return {'ok': state['ok'], 'errors': state['errors'], 'order': state['order']}, [conn]


def run_async(conns, calls, window):
    """calls: (method, iface, params) tuples, sent round-robin over conns, up to `window`
    in flight. Returns (ok, {error name: count})."""
    ctx = GLib.MainContext.default()
    state = {'next': 0, 'inflight': 0, 'done': 0, 'ok': 0, 'errors': {}}

    def finish(c, res, _data):
        try:
            c.call_finish(res)
            state['ok'] += 1
        except GLib.Error as e:
            name = error_name(e)
            state['errors'][name] = state['errors'].get(name, 0) + 1
        state['inflight'] -= 1
        state['done'] += 1

    while state['done'] < len(calls):
        while state['next'] < len(calls) and state['inflight'] < window:
            method, iface, params = calls[state['next']]
            conn = conns[state['next'] % len(conns)]
            conn.call(BUS_NAME, OBJECT_PATH, iface, method, params, None,
                      Gio.DBusCallFlags.NONE, 60000, None, finish, None)
            state['next'] += 1
            state['inflight'] += 1
        ctx.iteration(True)
    return state['ok'], state['errors']


def mixed_calls(n):
    big = GLib.Variant('s', 'b' * 1024)
    kinds = [
        ('RecordSingularEvent', SERVER_IFACE,
         GLib.Variant('(uayxbv)', (0, bytes(EVENT_ID), 1, True, big))),
        ('RecordSingularEvent', SERVER_IFACE,
         GLib.Variant('(uayxbv)', (0, b'bad', 1, False, GLib.Variant('b', False)))),
        ('RecordEventSequence', SERVER_IFACE,
         GLib.Variant('(uaya(xbv))', (0, bytes(EVENT_ID),
                                      [(i, True, GLib.Variant('u', i)) for i in range(100)]))),
        ('StartAggregateTimer', SERVER_IFACE,
         GLib.Variant('(uaybv)', (0, bytes(EVENT_ID), False, GLib.Variant('b', False)))),
        ('GetQueuedEvents', CONTROL_IFACE, GLib.Variant('(u)', (100000,))),
        ('GetAll', 'org.freedesktop.DBus.Properties', GLib.Variant('(s)', (CONTROL_IFACE,))),
    ]
    return [kinds[i % len(kinds)] for i in range(n)]


def mixed(address, spec):
    total = spec.get('calls', 100000)
    ok = 0
    errors = {}
    done = 0
    while done < total:
        n = min(10000, total - done)
        conns = [connect(address) for _ in range(spec.get('connections', 8))]
        got, errs = run_async(conns, mixed_calls(n), spec.get('window', 64))
        ok += got
        for k, v in errs.items():
            errors[k] = errors.get(k, 0) + v
        for conn in conns:
            conn.close_sync(None)
        done += n
    return {'ok': ok, 'errors': errors}, []


def latency(address, spec):
    import time
    conn = connect(address)
    out = []
    payload = GLib.Variant('s', 'latency probe')
    for _ in range(spec.get('calls', 300)):
        t0 = time.monotonic()
        call(conn, 'RecordSingularEvent',
             GLib.Variant('(uayxbv)', (0, bytes(EVENT_ID), 1, True, payload)))
        out.append((time.monotonic() - t0) * 1000)
        time.sleep(spec.get('pause_ms', 10) / 1000)  # sleep-ok: the caller's own pace
    return {'ms': out}, [conn]


def read(address, spec):
    conn = connect(address)
    out = {'values': {}, 'errors': {}}
    for name in spec['properties']:
        try:
            r = conn.call_sync(BUS_NAME, OBJECT_PATH, 'org.freedesktop.DBus.Properties', 'Get',
                               GLib.Variant('(ss)', (CONTROL_IFACE, name)), None,
                               Gio.DBusCallFlags.NONE, 20000, None)
            out['values'][name] = r.unpack()[0]
        except GLib.Error as e:
            out['errors'][name] = error_name(e)
    try:
        call(conn, 'GetUploadLog', GLib.Variant('(u)', (10,)), iface=CONTROL_IFACE)
        out['upload_log'] = 'ok'
    except GLib.Error as e:
        out['upload_log'] = error_name(e)
    return out, [conn]


def main():
    address = sys.argv[1]
    spec = json.loads(sys.argv[2])
    op = {'flood': flood, 'forge': forge, 'list': list_queue, 'read': read, 'mixed': mixed,
          'latency': latency}[spec['op']]
    result, conns = op(address, spec)
    print(json.dumps(result), flush=True)
    if spec.get('hold'):
        sys.stdin.read()  # until the test closes our stdin
    for conn in conns:
        conn.close_sync(None)


if __name__ == '__main__':
    main()
