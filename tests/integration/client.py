#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A small bus client run by the tests, typically as an unprivileged user:

    client.py BUS_ADDRESS '[{"op": "call", ...}, ...]'

All commands share one bus connection. Values of type 'v' are written in JSON as
{"$v": [type_string, value]}. Prints a JSON list with one result per command:

  call:  {"op": "call", "method": M, "sig": S, "args": [...], "path": P?, "iface": I?}
         -> {"ok": true, "result": [...]} or {"ok": false, "error": NAME, "message": TEXT}
  flood: {"op": "flood", ... like call ..., "n": N, "stop_on_error": true}
         -> {"ok_count": K, "errors": {NAME: COUNT}, "first_error": NAME or null}
  whoami -> {"uid": U, "unique_name": NAME}
"""

import json
import os
import sys

import gi

gi.require_version('Gio', '2.0')
gi.require_version('GLib', '2.0')
from gi.repository import Gio, GLib  # noqa: E402

BUS_NAME = 'com.endlessm.Metrics'
OBJECT_PATH = '/com/endlessm/Metrics'
SERVER_IFACE = 'com.endlessm.Metrics.EventRecorderServer'


def convert(value):
    if isinstance(value, dict) and '$v' in value:
        sig, inner = value['$v']
        return GLib.Variant(sig, convert(inner))
    if isinstance(value, list):
        return [convert(v) for v in value]
    return value


def to_json(value):
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, (bytes, bytearray)):
        return list(value)
    return value


def error_name(e):
    if Gio.DBusError.is_remote_error(e):
        name = Gio.DBusError.get_remote_error(e)
        Gio.DBusError.strip_remote_error(e)
        return name, e.message
    return f'(local) {e.domain}:{e.code}', e.message


def do_call(conn, cmd):
    sig = cmd.get('sig', '')
    params = GLib.Variant(f'({sig})', tuple(convert(cmd.get('args', [])))) if sig else None
    try:
        r = conn.call_sync(cmd.get('dest', BUS_NAME), cmd.get('path', OBJECT_PATH),
                           cmd.get('iface', SERVER_IFACE), cmd['method'], params, None,
                           Gio.DBusCallFlags.NONE, cmd.get('timeout_ms', 20000), None)
        return {'ok': True, 'result': to_json(r.unpack() if r is not None else [])}
    except GLib.Error as e:
        name, msg = error_name(e)
        return {'ok': False, 'error': name, 'message': msg}


def main():
    address = sys.argv[1]
    commands = json.loads(sys.argv[2])
    flags = (Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT |
             Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION)
    conn = Gio.DBusConnection.new_for_address_sync(address, flags, None, None)
    out = []
    for cmd in commands:
        op = cmd['op']
        if op == 'call':
            out.append(do_call(conn, cmd))
        elif op == 'flood':
            ok = 0
            errors = {}
            first = None
            for _ in range(cmd['n']):
                r = do_call(conn, cmd)
                if r['ok']:
                    ok += 1
                    continue
                errors[r['error']] = errors.get(r['error'], 0) + 1
                if first is None:
                    first = r['error']
                if cmd.get('stop_on_error', True):
                    break
            out.append({'ok_count': ok, 'errors': errors, 'first_error': first})
        elif op == 'whoami':
            out.append({'uid': os.getuid(), 'unique_name': conn.get_unique_name()})
        else:
            raise SystemExit(f'unknown op {op}')
    conn.flush_sync(None)
    conn.close_sync(None)
    print(json.dumps(out))


if __name__ == '__main__':
    main()
