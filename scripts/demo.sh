#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Demo: the whole stack on a private bus with temporary state and the local test
# collector. Shows the metric registry the recorder enforces, records a varied set of
# events the way applications do (over D-Bus), the system instrumentation's and the
# session collector's (IDE usage, Toolbx) metrics, shows that unregistered events are refused,
# what the recorder keeps, that nothing leaves the machine before consent, then grants
# consent, uploads with metricsctl and prints what the collector received.
# Nothing touches the host's /etc, /var or system bus.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc)" --target eos-metrics-event-recorder metricsctl \
  metrics-test-collector eos-metrics-instrumentation eos-metrics-session-collector >/dev/null

work=$(mktemp -d /tmp/metrics-demo.XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

source scripts/private-bus.sh
private_bus_start "$work"
pids+=("$PRIVATE_BUS_PID")
export DBUS_SYSTEM_BUS_ADDRESS=$PRIVATE_BUS_ADDRESS

/usr/bin/python3 -m dbusmock --system --template polkitd >"$work/polkit.log" 2>&1 &
pids+=($!)
# NetworkManager says "online, not metered" (the recorder asks it before uploading).
/usr/bin/python3 -m dbusmock --system --template networkmanager >"$work/nm.log" 2>&1 &
pids+=($!)

# The local collector: an HTTPS server speaking the upload protocol, with a throw-away CA.
tests/collector/make-test-cert.sh "$work/certs" >/dev/null 2>&1
build/tests/collector/metrics-test-collector --port 0 --db "$work/collector.db" \
  --cert "$work/certs/server.pem" --key "$work/certs/server.key" \
  >"$work/collector.out" 2>"$work/collector.log" &
pids+=($!)
for _ in $(seq 50); do grep -q '^LISTENING' "$work/collector.out" 2>/dev/null && break; sleep 0.1; done
port=$(awk '/^LISTENING/ {print $2; exit}' "$work/collector.out")

# What an administrator does: point uploads at their own server and trust its CA.
mkdir -p "$work/etc"
cat >"$work/etc/eos-metrics-permissions.conf" <<CONF
[global]
enabled=true
uploading_enabled=false
environment=test
server_url=https://127.0.0.1:$port/
CONF
# The metric registry: the shipped files plus the demo's own metrics (installed ones live
# in /usr/share/metrics/registry.d; this demo installs nothing).
mkdir -p "$work/registry.d"
cp registry/*.json "$work/registry.d/"
cat >"$work/registry.d/demo.json" <<'JSON'
{
  "format": 1,
  "owner": "The demo (scripts/demo.sh)",
  "metrics": [
    {
      "uuid": "8697eafd-480a-4ae6-aa4c-457829332686",
      "name": "demo app launched",
      "kind": "aggregate",
      "payload_type": "s",
      "fields": [{"name": "app", "description": "the application's desktop file name"}],
      "description": "How often each application was launched, per day and month.",
      "purpose": "Shows the demo's aggregate counts.",
      "approval": "Nobody: demo data, never installed.",
      "example": "'org.gnome.Builder.desktop'",
      "example_count": 4
    },
    {
      "uuid": "8ae16e2b-d126-4ea1-be6d-72d4c66d36cb",
      "name": "demo button pressed",
      "kind": "singular",
      "payload_type": null,
      "description": "A button was pressed.",
      "purpose": "Shows the demo's events without a payload.",
      "approval": "Nobody: demo data, never installed.",
      "example": null
    },
    {
      "uuid": "ce9dae00-797e-48c2-b4c5-a9acc2ad783c",
      "name": "demo wizard step",
      "kind": "singular",
      "payload_type": "s",
      "fields": [{"name": "step", "description": "the step reached"}],
      "description": "Each step of a wizard, recorded as one sequence.",
      "purpose": "Shows the demo's event sequences.",
      "approval": "Nobody: demo data, never installed.",
      "example": "'progress'"
    }
  ]
}
JSON
printf '[Recorder]\nTrustFile=%s\nRegistryMode=enforce\nRegistryDirectory=%s\n' \
  "$work/certs/ca.pem" "$work/registry.d" >"$work/etc/recorder.conf"
printf 'NAME="Fedora Linux"\nVERSION="40 (Workstation Edition)"\n' >"$work/os-release"
for _ in $(seq 50); do
  gdbus call --system -d org.freedesktop.DBus -o /org/freedesktop/DBus \
    -m org.freedesktop.DBus.NameHasOwner org.freedesktop.NetworkManager 2>/dev/null | grep -q true && break
  sleep 0.1
done
GIO_USE_NETWORK_MONITOR=networkmanager \
  build/daemon/eos-metrics-event-recorder --config-dir "$work/etc" -p "$work/state" \
  --os-release "$work/os-release" 2>"$work/recorder.log" &
pids+=($!)
for _ in $(seq 50); do
  gdbus call --system -d org.freedesktop.DBus -o /org/freedesktop/DBus \
    -m org.freedesktop.DBus.NameHasOwner com.endlessm.Metrics 2>/dev/null | grep -q true && break
  sleep 0.1
done

metricsctl() { build/daemon/cli/metricsctl "$@"; }
echo "== The metric registry: only these metrics are recorded (RegistryMode=enforce)."
echo "   \$ metricsctl registry list"
metricsctl registry list --registry-dir "$work/registry.d" | sed 's/^/   /'
echo "   \$ metricsctl registry show 'system locale'"
metricsctl registry show 'system locale' --registry-dir "$work/registry.d" | sed 's/^/   /'
echo "   A registry file with a mistake, checked before it is installed (no recorder needed):"
cat >"$work/mine.json" <<'JSON'
{"format": 1, "owner": "Someone's new metrics", "metrics": [
  {"uuid": "0b9e4a3c-5d6f-4e71-8a92-b3c4d5e6f708", "name": "screen size", "kind": "singular",
   "payload_type": "(uu", "fields": [{"name": "width", "description": "pixels"},
   {"name": "height", "description": "pixels"}], "description": "The screen's size.",
   "purpose": "Which sizes to design for.", "approval": "not yet", "example": "(1920, 1080)"},
  {"uuid": "61d6b53a-559d-4ed3-8241-0a337d14bce0", "name": "keyboard layout", "kind": "singular",
   "payload_type": "s", "fields": [{"name": "layout", "description": "the layout"}],
   "description": "The keyboard layout.", "purpose": "Which layouts matter.",
   "approval": "not yet", "example": "'de'"}
]}
JSON
echo "   \$ metricsctl registry check mine.json"
(cd "$work" && "$root/build/daemon/cli/metricsctl" registry check mine.json \
  --registry-dir "$work/registry.d") 2>&1 | sed 's/^/   /' || true

echo
echo "== Consent is undecided (recording locally, never uploading); uploads would go to"
echo "   the local collector:"
grep -v '^#' "$work/etc/eos-metrics-permissions.conf" | sed '/^$/d; s/^/   /'

call() {
  gdbus call --system -d com.endlessm.Metrics -o /com/endlessm/Metrics \
    -m "com.endlessm.Metrics.EventRecorderServer.$1" "${@:2}" >/dev/null
}
uuid_bytes() { /usr/bin/python3 -c "import uuid,sys; print('[byte ' + ', '.join(hex(b) for b in uuid.UUID(sys.argv[1]).bytes) + ']')" "$1"; }
now_ns() { /usr/bin/python3 -c "import time; print(time.clock_gettime_ns(time.CLOCK_BOOTTIME))"; }

echo
echo "== Recording events as applications do:"
echo "   startup timing (tttttt), system locale (s), an event without payload,"
echo "   app launches counted twice (aggregate), a 3-step sequence, and a 2-second timer"
call RecordSingularEvent 1000 "$(uuid_bytes bf7e8aed-2932-455c-a28e-d407cfd5aaba)" "$(now_ns)" true \
  "<(uint64 1200000, uint64 350000, uint64 1500000, uint64 2100000, uint64 9800000, uint64 14950000)>"
call RecordSingularEvent 1000 "$(uuid_bytes 61d6b53a-559d-4ed3-8241-0a337d14bce0)" "$(now_ns)" true "<'de_DE'>"
call RecordSingularEvent 1000 "$(uuid_bytes 8ae16e2b-d126-4ea1-be6d-72d4c66d36cb)" "$(now_ns)" false "<false>"
call RecordAggregateEvent 1000 "$(uuid_bytes 8697eafd-480a-4ae6-aa4c-457829332686)" 2 "$(now_ns)" true "<'org.gnome.Builder.desktop'>"
call RecordAggregateEvent 1000 "$(uuid_bytes 8697eafd-480a-4ae6-aa4c-457829332686)" 1 "$(now_ns)" true "<'org.gnome.Builder.desktop'>"
t=$(now_ns)
call RecordEventSequence 1000 "$(uuid_bytes ce9dae00-797e-48c2-b4c5-a9acc2ad783c)" \
  "[(int64 $t, true, <'start'>), ($((t + 1000000)), true, <'progress'>), ($((t + 2000000)), true, <'done'>)]"
# A timer lives as long as the connection that started it: keep one open for 2 s.
/usr/bin/python3 - <<'PY'
import time, uuid
from gi.repository import Gio, GLib
bus = Gio.bus_get_sync(Gio.BusType.SYSTEM)
args = GLib.Variant('(uaybv)', (1000, list(uuid.UUID('5dc0b53c-93f9-4df0-ad6f-bd25e9fe638f').bytes), False, GLib.Variant('b', False)))
path, = bus.call_sync('com.endlessm.Metrics', '/com/endlessm/Metrics', 'com.endlessm.Metrics.EventRecorderServer',
                      'StartAggregateTimer', args, GLib.VariantType('(o)'), 0, -1, None).unpack()
time.sleep(2.2)
bus.call_sync('com.endlessm.Metrics', path, 'com.endlessm.Metrics.AggregateTimer', 'StopTimer', None, None, 0, -1, None)
PY
echo "   refused with named errors, never stored: an invalid event id, a metric that is not in"
echo "   the registry, and the system locale with a number instead of a string:"
call RecordSingularEvent 1000 "[byte 0x01, 0x02]" 0 false "<false>" 2>&1 | sed 's/^/   /' || true
call RecordSingularEvent 1000 "$(uuid_bytes 5071dd96-bdad-4ee5-9c26-3dfef34a9963)" "$(now_ns)" false "<false>" \
  2>&1 | sed 's/^/   /' || true
call RecordSingularEvent 1000 "$(uuid_bytes 61d6b53a-559d-4ed3-8241-0a337d14bce0)" "$(now_ns)" true "<uint32 7>" \
  2>&1 | sed 's/^/   /' || true
echo "   counted per error name (Control1.RefusedEvents):"
gdbus call --system -d com.endlessm.Metrics -o /com/endlessm/Metrics \
  -m org.freedesktop.DBus.Properties.Get com.endlessm.Metrics.Control1 RefusedEvents | sed 's/^/   /' 

echo
echo "== The instrumentation daemon records this machine's daily system metrics (it reads"
echo "   /proc, /sys and lscpu; logind is a stand-in on the private bus, and there is no"
echo "   systemd here, so it waits for a StartupFinished signal that never comes):"
/usr/bin/python3 -m dbusmock --system --template logind >"$work/logind.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
  gdbus call --system -d org.freedesktop.DBus -o /org/freedesktop/DBus \
    -m org.freedesktop.DBus.NameHasOwner org.freedesktop.login1 2>/dev/null | grep -q true && break
  sleep 0.1
done
mkdir -p "$work/instrumentation"
build/instrumentation/eos-metrics-instrumentation --state-dir "$work/instrumentation" \
  --config-file "$work/etc/instrumentation.conf" >"$work/instrumentation.log" 2>&1 &
instrumentation=$!
# The four daily metrics go out within a second or so of the start.
for _ in $(seq 150); do
  (($(grep -c ': recorded ' "$work/instrumentation.log" || true) >= 4)) && break
  sleep 0.1
done
kill -TERM "$instrumentation" && wait "$instrumentation" || true
if grep -q ': recorded ' "$work/instrumentation.log"; then
  grep ': recorded ' "$work/instrumentation.log" | cut -c1-160 | sed 's/^/   /'
else
  echo "   it recorded nothing; its log:"
  sed 's/^/   /' "$work/instrumentation.log"
fi
echo
echo "== The session collector records which IDEs run and which Toolbx images are used."
echo "   Its session bus is a second private bus, with a stand-in for the systemd user"
echo "   manager, where GNOME Shell has started GNOME Builder and Firefox; podman is a"
echo "   stand-in that prints two Toolbx containers:"
cat >"$work/session-bus.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=$work/session-bus.sock</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/>
  </policy>
</busconfig>
CONF
dbus-daemon --config-file="$work/session-bus.conf" --nofork --nopidfile >/dev/null 2>&1 &
pids+=($!)
session_bus="unix:path=$work/session-bus.sock"
for _ in $(seq 50); do [[ -S $work/session-bus.sock ]] && break; sleep 0.1; done
DBUS_SESSION_BUS_ADDRESS=$session_bus /usr/bin/python3 -m dbusmock \
  --template tests/instrumentation/systemd_user_mock.py >"$work/user-manager.log" 2>&1 &
pids+=($!)
user_manager() {
  DBUS_SESSION_BUS_ADDRESS=$session_bus gdbus call --session -d org.freedesktop.systemd1 \
    -o /org/freedesktop/systemd1 -m "org.freedesktop.DBus.Mock.$1" "${@:2}" >/dev/null
}
for _ in $(seq 100); do user_manager Subscribers 2>/dev/null && break; sleep 0.1; done
user_manager AddUnit app-gnome-org.gnome.Builder-4711.scope active
user_manager AddUnit app-gnome-org.mozilla.firefox-4712.scope active
cat >"$work/podman" <<'SH'
#!/bin/sh
now=$(date +%s)
cat <<JSON
[{"Names": ["fedora-toolbox-41"], "State": "running", "StartedAt": $((now - 3600)),
  "Labels": {"com.github.containers.toolbox": "true", "name": "fedora-toolbox", "version": "41"}},
 {"Names": ["my-project"], "State": "exited", "ExitedAt": $((now - 600)),
  "Labels": {"com.github.containers.toolbox": "true", "name": "ubuntu-toolbox", "version": "24.04"}}]
JSON
SH
chmod +x "$work/podman"
DBUS_SESSION_BUS_ADDRESS=$session_bus build/instrumentation/eos-metrics-session-collector \
  --registry-dir "$work/registry.d" --state-dir "$work/session-collector" \
  --config-file "$work/etc/session-collector.conf" --user-config-file "$work/user.conf" \
  --podman "$work/podman" >"$work/session-collector.log" 2>&1 &
session_collector=$!
for _ in $(seq 150); do
  grep -q 'timer started for org.gnome.Builder' "$work/session-collector.log" &&
    grep -q 'toolbx-images: recorded' "$work/session-collector.log" && break
  sleep 0.1
done
sleep 2.2 # Builder runs two seconds; then the user closes it
user_manager RemoveUnit app-gnome-org.gnome.Builder-4711.scope
for _ in $(seq 50); do grep -q 'timer stopped' "$work/session-collector.log" && break; sleep 0.1; done
kill -TERM "$session_collector" && wait "$session_collector" || true
grep -E 'recorded|timer (started|stopped)' "$work/session-collector.log" | sed 's/^/   /'
echo "   (Firefox is not on the IDE list: nothing about it was recorded.) Another program"
echo "   cannot use the IDE metric for anything else; the registry's allowed values refuse it:"
call RecordAggregateEvent 1000 "$(uuid_bytes 49d0451a-f706-4f50-81d2-70cc0ec923a4)" 60 "$(now_ns)" true \
  "<'org.mozilla.firefox'>" 2>&1 | sed 's/^/   /' || true
echo
echo "== What the recorder keeps (state directory $work/state, SQLite):"
/usr/bin/python3 - "$work/state/metrics.db" <<'PY'
import sqlite3, sys, uuid
from gi.repository import GLib
db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
def payload(blob):
    if not blob:
        return "nothing"
    return GLib.Variant.new_from_bytes(GLib.VariantType('v'), GLib.Bytes.new(blob), False).print_(True)
print("   singular events (uid, event, os version, relative ns, payload):")
for uid, eid, osv, rel, pl in db.execute("select uid, event_id, os_version, relative_ns, payload from singular order by id"):
    print(f"     {uid} {uuid.UUID(bytes=eid)} '{osv}' {rel} {payload(pl)}")
print("   daily and monthly counts, uploaded when their period is over:")
for period, eid, count, pl, uid in db.execute("select period, event_id, count, payload, uid from counts order by period, event_id"):
    print(f"     {period:10} {uuid.UUID(bytes=eid)} count={count} {payload(pl)} (uid {uid})")
PY
echo "   the same queue as metricsctl shows it, with the registry's names:"
echo "   \$ metricsctl queue"
metricsctl queue --registry-dir "$work/registry.d" | sed 's/^/   /'

echo
echo "== Before consent nothing leaves the machine:"
echo "   \$ metricsctl upload"
metricsctl upload 2>&1 | sed 's/^/   /' || true
echo "   the collector has seen $(/usr/bin/python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from requests').fetchone()[0])" "$work/collector.db") requests"

echo
echo "== The user agrees (the settings panel calls SetEnabled(true), allowed by polkit):"
gdbus call --system -d org.freedesktop.PolicyKit1 -o /org/freedesktop/PolicyKit1/Authority \
  -m org.freedesktop.DBus.Mock.SetAllowed "['com.endlessm.Metrics.SetEnabled']" >/dev/null
gdbus call --system -d com.endlessm.Metrics -o /com/endlessm/Metrics \
  -m com.endlessm.Metrics.EventRecorderServer.SetEnabled true >/dev/null
echo "   \$ metricsctl status"
metricsctl status | sed 's/^/   /'

echo
echo "== A developer forces the upload now:"
echo "   \$ metricsctl upload"
metricsctl upload 2>&1 | sed 's/^/   /'

echo
echo "== What the collector received (decoded; event times are floored to the hour and the"
echo "   request carries no identifier; daily and monthly counts go out after midnight):"
/usr/bin/python3 - "$work/collector.db" <<'PY'
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for path, size, raw, req in db.execute("select path, compressed_size, uncompressed_size, request_json from requests order by id"):
    r = json.loads(req)
    print(f"   PUT {path[:60]}...  {size} bytes gzip ({raw} uncompressed)")
    print(f"   request: relative={r['relative_timestamp']} absolute={r['absolute_timestamp']} "
          f"image={r['image_id']!r} labels={r['site_labels']} boot_flags={r['boot_flags']}")
    for e in r['singulars']:
        print(f"     {e['event_id']}  t={e['relative_timestamp']}  {e['os_version']!r}  {e['payload']}")
    for e in r['aggregates']:
        print(f"     {e['event_id']}  {e['period']} count={e['count']}  {e['payload']}")
PY

echo
echo "   \$ metricsctl status"
metricsctl status | sed 's/^/   /'
echo
echo "== The recorder's log:"
sed 's/^/   /' "$work/recorder.log"
