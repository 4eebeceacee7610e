# SPDX-License-Identifier: GPL-2.0-or-later
# Sourced by the shell programs that need a private, system-bus-like dbus-daemon (the demo,
# the recorder benchmark, the bus-policy check): the one way they start one. The Python
# tests and benchmarks use tests/integration/private_bus.py.
#
#   source scripts/private-bus.sh
#   private_bus_start DIR [POLICY_XML]
#
# Writes DIR/bus.conf (a system bus: EXTERNAL authentication, the system bus's reply limit;
# by default a policy open to everyone, so neither root nor the real system bus is
# needed) and starts dbus-daemon with its socket in DIR. Sets PRIVATE_BUS_PID and
# PRIVATE_BUS_ADDRESS once the bus listens; on failure prints the daemon's log and
# returns 1. The caller stops it (kill "$PRIVATE_BUS_PID").

private_bus_open_policy='<policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*" eavesdrop="false"/>
    <allow receive_sender="*" eavesdrop="false"/>
  </policy>'

private_bus_start() {
  local dir=$1 policy=${2:-$private_bus_open_policy} i
  cat >"$dir/bus.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=$dir/bus.sock</listen>
  <auth>EXTERNAL</auth>
  $policy
  <limit name="max_replies_per_connection">128</limit>
</busconfig>
CONF
  : >"$dir/bus.address"
  dbus-daemon --config-file="$dir/bus.conf" --nofork --nopidfile --print-address=3 \
    3>"$dir/bus.address" 2>"$dir/bus.log" &
  PRIVATE_BUS_PID=$!
  # The address is printed once the socket listens.
  for ((i = 0; i < 200; i++)); do
    [[ -s $dir/bus.address ]] && break
    kill -0 "$PRIVATE_BUS_PID" 2>/dev/null || break
    sleep 0.05
  done
  if [[ ! -s $dir/bus.address ]]; then
    echo "dbus-daemon did not start:" >&2
    cat "$dir/bus.log" >&2
    return 1
  fi
  PRIVATE_BUS_ADDRESS=$(head -n1 "$dir/bus.address")
}
