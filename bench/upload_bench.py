#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Upload benchmark: a queued backlog sent by eos-metrics-event-recorder to the local
HTTPS collector (tests/collector's metrics-test-collector).

Normally started by bench/run_upload_bench.sh, which finds the binaries. Everything runs
in a temporary directory: a private system-like dbus-daemon, dbusmock's NetworkManager
template (connected, unmetered), the collector with a fresh certificate, and for every
cell a fresh recorder whose queue is filled straight into its SQLite store while it is
stopped (as tests/integration/test_upload.py's backlog test does).

Per cell it times Control1.Upload() (wall clock, around the D-Bus call), takes the
requests from its reply, sums compressed_size / uncompressed_size of the collector's
`requests` table, reads the daemon's VmRSS before the call and its peak RSS (VmHWM, reset
through /proc/PID/clear_refs just before the call) right after it, and the CPU time
(utime+stime) the daemon and the collector spent during the call. The daemon's HTTPS
requests are made by its upload helper (eos-metrics-upload-helper, one process per
session, next to the recorder): with --measure-helper its peak RSS comes from GNU time
wrapped around it (the helper is renamed to .real beside a wrapper script, so pass a
copy), and its CPU time from the daemon's reaped-children time. From the daemon's
ledger (time of each answer) and the collector's arrival times it splits the wall time
into the daemon's turn (answer -> next request arrives: ledger write, queue delete +
checkpoint, next batch read/encode/SHA-512/gzip, TLS send) and the collector's turn
(request arrives -> its answer is back: gunzip, decode, JSON, SQLite insert); the
"without server turns" figure is the wall time minus the server's turns. With --server
sink a minimal HTTPS server in this file (reads the body, answers 200 at once) replaces
the collector, and sizes come from the daemon's ledger (checked against the sink's count).

A run during which the daemon and the server waited for a CPU (run-queue delay from
/proc/PID/task/*/schedstat) for more than --noise-limit of its wall time is repeated, up
to --noisy-retries times: on a shared machine the figures are otherwise other jobs'.
--probe pings the daemon from another connection during the upload (longest main-loop
stall); --perf DIR records a perf profile of the daemon per upload.

Needs Debian's /usr/bin/python3 (gi, dbus, dbusmock). Prints markdown tables on stdout
(medians per cell, then every run) and one JSON object per run on stderr (and into
--json-out).
"""

import argparse
import json
import os
import random
import shlex
import shutil
import signal
import sqlite3
import statistics
import string
import subprocess
import sys
import tempfile
import threading
import time
import uuid

import gi

gi.require_version('Gio', '2.0')
gi.require_version('GLib', '2.0')
from gi.repository import Gio, GLib  # noqa: E402

BUS_NAME = 'com.endlessm.Metrics'
OBJECT_PATH = '/com/endlessm/Metrics'
CONTROL_IFACE = 'com.endlessm.Metrics.Control1'
NM_NAME = 'org.freedesktop.NetworkManager'
NM_PATH = '/org/freedesktop/NetworkManager'
NM_METERED_NO = 2
OS_VERSION = '40 (Workstation Edition)'
CLK_TCK = os.sysconf('SC_CLK_TCK')

# The private system-like bus of the integration tests (one copy for tests and bench).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                'tests', 'integration'))
from harness import BUS_CONFIG  # noqa: E402
from private_bus import PrivateDbusDaemon  # noqa: E402

GRANTED = """[global]
enabled=true
uploading_enabled=true
environment=test
server_url={url}
"""

# ---------------------------------------------------------------- queue contents

# Fixed event ids, so every run sends the same mix (the UUIDs of tests/fixtures/vectors).
EV_NO_PAYLOAD_A = uuid.UUID('5071dd96-bdad-4ee5-9c26-3dfef34a9963').bytes
EV_NO_PAYLOAD_B = uuid.UUID('af253a97-88ce-4daa-84c6-1157dcf802c5').bytes
EV_LOCALE = uuid.UUID('61d6b53a-559d-4ed3-8241-0a337d14bce0').bytes
EV_STARTUP = uuid.UUID('bf7e8aed-2932-455c-a28e-d407cfd5aaba').bytes
LOCALES = ['de_DE', 'en_US', 'fr_FR', 'pt_BR', 'es_ES', 'it_IT']

MIX_DESCRIPTION = (
    "50 % no payload (2 event ids), 42 % a locale string `<'de_DE'>` (6 values), "
    "8 % a startup-timing `(tttttt)` (16 distinct tuples); 4 event ids; os_version "
    f"'{OS_VERSION}'")
UNIQUE_DESCRIPTION = (
    "every event a different random 8-character `s` payload ([a-z0-9]); same 4 event ids "
    f"and os_version '{OS_VERSION}'")


def boxed(value):
    """A payload as the store keeps it: the serialized `v`."""
    return bytes(GLib.Variant('v', value).get_data_as_bytes().get_data())


def make_rows(n, variant, rng, now_boot_ns, span_ns):
    """n rows (uid, event_id, os_version, relative_ns, payload, size), oldest first,
    spread evenly over the `span_ns` before `now_boot_ns`."""
    locale_blobs = [boxed(GLib.Variant('s', s)) for s in LOCALES]
    startup_blobs = []
    for _ in range(16):
        t = [rng.randrange(500_000, 3_000_000), rng.randrange(200_000, 900_000),
             rng.randrange(800_000, 2_500_000), rng.randrange(1_000_000, 4_000_000),
             rng.randrange(5_000_000, 12_000_000)]
        t.append(sum(t[:5]))
        startup_blobs.append(boxed(GLib.Variant('(tttttt)', tuple(t))))
    alphabet = string.ascii_lowercase + string.digits
    rows = []
    for i in range(n):
        rel = now_boot_ns - span_ns + (span_ns * i) // n
        r = rng.random()
        if r < 0.50:
            ev, blob = (EV_NO_PAYLOAD_A if r < 0.25 else EV_NO_PAYLOAD_B), b''
        elif r < 0.92:
            ev, blob = EV_LOCALE, rng.choice(locale_blobs)
        else:
            ev, blob = EV_STARTUP, rng.choice(startup_blobs)
        if variant == 'unique':
            blob = boxed(GLib.Variant('s', ''.join(rng.choices(alphabet, k=8))))
        rows.append((1000, ev, OS_VERSION, rel, blob, 64 + len(blob)))
    return rows


# ---------------------------------------------------------------- /proc


def proc_status(pid):
    out = {}
    with open(f'/proc/{pid}/status') as f:
        for line in f:
            key, _, value = line.partition(':')
            if key in ('VmRSS', 'VmHWM', 'RssAnon', 'RssFile', 'Threads'):
                out[key] = int(value.split()[0])
    return out


def rss_by_mapping(pid, top=12):
    """Resident KiB per mapped file (anonymous memory as [anon], [heap], ...), largest first;
    all of them when top is None."""
    totals = {}
    name = None
    with open(f'/proc/{pid}/smaps') as f:
        for line in f:
            first = line.split(None, 1)[0]
            if not first.endswith(':'):  # a mapping's header: range perms offset dev inode [path]
                parts = line.split(None, 5)
                name = parts[5].strip() if len(parts) > 5 else '[anon]'
                name = os.path.basename(name) if name.startswith('/') else name
            elif first == 'Rss:':
                totals[name] = totals.get(name, 0) + int(line.split()[1])
    ranked = sorted(totals.items(), key=lambda kv: -kv[1])
    return ranked if top is None else ranked[:top]


def rss_growth(before, after, top=12):
    """KiB each mapping gained between two rss_by_mapping(top=None) lists, largest first."""
    old = dict(before)
    grown = [(name, kib - old.get(name, 0)) for name, kib in after if kib != old.get(name, 0)]
    return sorted(grown, key=lambda kv: -kv[1])[:top]


def cpu_ms(pid):
    """utime + stime of the process (all its threads, also reaped ones), in ms."""
    with open(f'/proc/{pid}/stat') as f:
        fields = f.read().rpartition(')')[2].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / CLK_TCK


def children_cpu_ms(pid):
    """cutime + cstime: CPU time of the process's children it has reaped, in ms."""
    with open(f'/proc/{pid}/stat') as f:
        fields = f.read().rpartition(')')[2].split()
    return (int(fields[13]) + int(fields[14])) * 1000 / CLK_TCK


HELPER_NAME = 'eos-metrics-upload-helper'


def wrap_helper(recorder, peak_file):
    """Puts GNU time around the upload helper beside `recorder`; it appends each helper
    process's peak RSS (KiB) to `peak_file`."""
    helper = os.path.join(os.path.dirname(recorder), HELPER_NAME)
    if not os.access(helper, os.X_OK):
        raise RuntimeError(f'no upload helper next to the recorder: {helper}')
    if not os.access('/usr/bin/time', os.X_OK):
        raise RuntimeError('--measure-helper needs GNU time (/usr/bin/time, Debian package time)')
    os.rename(helper, helper + '.real')
    with open(helper, 'w') as f:
        f.write(f'#!/bin/sh\nexec /usr/bin/time -f %M -a -o {shlex.quote(peak_file)} '
                f'{shlex.quote(helper + ".real")}\n')
    os.chmod(helper, 0o755)


def read_helper_peaks(peak_file):
    try:
        with open(peak_file) as f:
            return [int(line) for line in f if line.strip().isdigit()]
    except FileNotFoundError:
        return []


def runq_wait_ms(pid):
    """Time the process's live threads have spent runnable but waiting for a CPU (ms)."""
    total = 0
    for tid in os.listdir(f'/proc/{pid}/task'):
        try:
            with open(f'/proc/{pid}/task/{tid}/schedstat') as f:
                total += int(f.read().split()[1])
        except (OSError, IndexError, ValueError):
            pass
    return total / 1e6


def system_busy_ms():
    """CPU time of all processes since boot (all cores, without idle and iowait), in ms."""
    with open('/proc/stat') as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) * 1000 / CLK_TCK


def reset_hwm(pid):
    """Resets VmHWM to the current RSS (Linux >= 4.0); False if not allowed."""
    try:
        with open(f'/proc/{pid}/clear_refs', 'w') as f:
            f.write('5')
        return True
    except OSError:
        return False


# ---------------------------------------------------------------- processes


def stop_proc(p, timeout=15):
    if p is None or p.poll() is not None:
        return
    p.send_signal(signal.SIGTERM)
    try:
        p.wait(timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()


class Bench:
    def __init__(self, args):
        self.args = args
        self.tmp = tempfile.mkdtemp(prefix='metrics-upload-bench-')
        self.procs = []
        self.bus_address = None
        self.conn = None
        self.certs = os.path.join(self.tmp, 'certs')
        self.helper_peak_file = os.path.join(self.tmp, 'helper-peak-rss')
        if args.measure_helper:
            wrap_helper(args.recorder, self.helper_peak_file)

    # -- infrastructure
    def start_bus(self):
        bus = PrivateDbusDaemon(self.tmp, BUS_CONFIG, os.path.join(self.tmp, 'dbus-daemon.log'),
                                socket_name='bus.sock')
        self.procs.append(bus.proc)
        self.bus_address = bus.address
        os.environ['DBUS_SYSTEM_BUS_ADDRESS'] = self.bus_address
        os.environ['DBUS_SESSION_BUS_ADDRESS'] = self.bus_address
        self.conn = self.connect()

    def connect(self):
        flags = (Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT |
                 Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION)
        c = Gio.DBusConnection.new_for_address_sync(self.bus_address, flags, None, None)
        c.set_exit_on_close(False)
        return c

    def call(self, dest, path, iface, method, params=None, timeout_ms=20000, conn=None):
        r = (conn or self.conn).call_sync(dest, path, iface, method, params, None,
                                          Gio.DBusCallFlags.NONE, timeout_ms, None)
        return r.unpack() if r is not None else ()

    def has_owner(self, name):
        return self.call('org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus',
                         'NameHasOwner', GLib.Variant('(s)', (name,)))[0]

    def wait_owner(self, name, proc, log_path, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f'{name} owner exited ({proc.returncode}):\n' + read(log_path))
            if self.has_owner(name):
                return
            time.sleep(0.02)
        raise RuntimeError(f'{name} not owned in time:\n' + read(log_path))

    def wait_gone(self, name, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.has_owner(name):
            time.sleep(0.02)

    def start_network_manager(self):
        log_path = os.path.join(self.tmp, 'networkmanager.log')
        log = open(log_path, 'w')
        p = subprocess.Popen(['/usr/bin/python3', '-m', 'dbusmock', '--system', '--template',
                              'networkmanager'], stdout=log, stderr=subprocess.STDOUT)
        log.close()
        self.procs.append(p)
        self.wait_owner(NM_NAME, p, log_path)
        # The template has no Metered property; unmetered, as the upload tests set it.
        self.call(NM_NAME, NM_PATH, 'org.freedesktop.DBus.Mock', 'AddProperty',
                  GLib.Variant('(ssv)', (NM_NAME, 'Metered', GLib.Variant('u', NM_METERED_NO))))

    def make_cert(self):
        subprocess.run([self.args.make_cert, self.certs], check=True)

    def start_server(self, cell_dir):
        """The collector, or with --server sink this file's minimal HTTPS sink."""
        out_path = os.path.join(cell_dir, 'server.out')
        err_path = os.path.join(cell_dir, 'server.err')
        out = open(out_path, 'wb')
        err = open(err_path, 'wb')
        cert, key = os.path.join(self.certs, 'server.pem'), os.path.join(self.certs, 'server.key')
        if self.args.server == 'sink':
            argv = ['/usr/bin/python3', os.path.abspath(__file__), '--sink', cert, key,
                    os.path.join(cell_dir, 'sink.jsonl')]
        else:
            argv = [self.args.collector, '--port', '0', '--db', os.path.join(cell_dir, 'collector.db'),
                    '--cert', cert, '--key', key]
        p = subprocess.Popen(argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        out.close()
        err.close()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with open(out_path) as f:
                first = f.readline()
            if first.startswith('LISTENING ') and first.endswith('\n'):
                return p, int(first.split()[1])
            if p.poll() is not None:
                break
            time.sleep(0.02)
        stop_proc(p)
        raise RuntimeError('server did not start:\n' + read(err_path))

    def start_daemon(self, cell_dir, runs):
        log_path = os.path.join(cell_dir, f'daemon-{runs}.log')
        log = open(log_path, 'w')
        env = dict(os.environ, GIO_USE_NETWORK_MONITOR='networkmanager',
                   DBUS_SYSTEM_BUS_ADDRESS=self.bus_address)
        p = subprocess.Popen([self.args.recorder, '--config-dir', os.path.join(cell_dir, 'config'),
                              '-c', os.path.join(cell_dir, 'config', 'eos-metrics-permissions.conf'),
                              '-p', os.path.join(cell_dir, 'state'),
                              '--os-release', os.path.join(cell_dir, 'os-release')],
                             stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)
        log.close()
        self.wait_owner(BUS_NAME, p, log_path)
        return p

    def stop_daemon(self, p):
        stop_proc(p)
        self.wait_gone(BUS_NAME)

    def control(self, name):
        return self.call(BUS_NAME, OBJECT_PATH, 'org.freedesktop.DBus.Properties', 'Get',
                         GLib.Variant('(ss)', (CONTROL_IFACE, name)))[0]

    def close(self):
        if self.conn is not None and not self.conn.is_closed():
            self.conn.close_sync(None)
        for p in reversed(self.procs):
            stop_proc(p)
        if self.args.keep_tmp:
            print(f'kept {self.tmp}', file=sys.stderr)
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)

    # -- one run of a cell
    def run_cell(self, n, variant, max_bytes, granularity, run, seed):
        # Unique also when a noisy run is repeated.
        cell_dir = tempfile.mkdtemp(prefix=f'cell-{n}-{variant}-{max_bytes or "default"}-{run}-',
                                    dir=self.tmp)
        os.makedirs(os.path.join(cell_dir, 'config'))
        os.makedirs(os.path.join(cell_dir, 'state'))
        with open(os.path.join(cell_dir, 'os-release'), 'w') as f:
            f.write(f'NAME="Fedora Linux"\nID=fedora\nVERSION="{OS_VERSION}"\nVERSION_ID=40\n')
        server, port = self.start_server(cell_dir)
        daemon = None
        try:
            cfg = os.path.join(cell_dir, 'config')
            with open(os.path.join(cfg, 'eos-metrics-permissions.conf'), 'w') as f:
                f.write(GRANTED.format(url=f'https://127.0.0.1:{port}/'))
            # Room for the whole backlog (the default 10 MB bound would refuse part of it).
            with open(os.path.join(cfg, 'cache-size.conf'), 'w') as f:
                f.write('[persistent_cache_size]\nmaximum=200000000\n')
            conf = {'TrustFile': os.path.join(self.certs, 'ca.pem'),
                    'UploadIntervalSeconds': 86400, 'UploadRequestTimeoutSeconds': 120,
                    # The queue is written into the store directly; the registry only has
                    # to load (this checkout's files, not an installed copy).
                    'RegistryDirectory': os.path.join(
                        os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'registry')}
            if max_bytes:
                conf['UploadMaxRequestBytes'] = max_bytes
            if granularity is not None:
                conf['TimestampGranularitySeconds'] = granularity
            with open(os.path.join(cfg, 'recorder.conf'), 'w') as f:
                f.write('[Recorder]\n' + ''.join(f'{k}={v}\n' for k, v in conf.items()))

            # Create the schema, stop, fill the queue, start again.
            daemon = self.start_daemon(cell_dir, 1)
            self.stop_daemon(daemon)
            now_boot = time.clock_gettime_ns(time.CLOCK_BOOTTIME)
            span = min(2 * 3600 * 10**9, int(now_boot * 0.8))
            rows = make_rows(n, variant, random.Random(seed), now_boot, span)
            db = sqlite3.connect(os.path.join(cell_dir, 'state', 'metrics.db'))
            db.executemany('INSERT INTO singular (uid, event_id, os_version, relative_ns, payload, '
                           'size) VALUES (?, ?, ?, ?, ?, ?)', rows)
            db.commit()
            db.close()
            del rows
            daemon = self.start_daemon(cell_dir, 2)
            queued = self.control('QueuedEvents')
            if queued != n:
                raise RuntimeError(f'daemon reports {queued} queued events, expected {n}')
            time.sleep(self.args.settle)
            pid = daemon.pid
            with open('/proc/loadavg') as f:
                load_before = float(f.read().split()[0])
            before = proc_status(pid)
            mappings_before = rss_by_mapping(pid, top=None)
            hwm_reset = reset_hwm(pid)
            d_cpu0, c_cpu0 = cpu_ms(pid), cpu_ms(server.pid)
            h_cpu0 = children_cpu_ms(pid)
            if os.path.exists(self.helper_peak_file):
                os.unlink(self.helper_peak_file)
            s_cpu0 = system_busy_ms()
            wait0 = runq_wait_ms(pid) + runq_wait_ms(server.pid)
            probe = Probe(self) if self.args.probe else None
            if probe:
                probe.start()
            sampler = RssSampler(pid, self.args.sample_rss_ms) if self.args.sample_rss_ms else None
            if sampler:
                sampler.start()
            perf = None
            if self.args.perf:
                os.makedirs(self.args.perf, exist_ok=True)
                perf_data = os.path.join(self.args.perf,
                                         f'perf-{n}-{variant}-{max_bytes or "default"}-{run}.data')
                # DWARF call graphs: the libraries have no frame pointers.
                perf = subprocess.Popen(['perf', 'record', '-F', '1999', '--call-graph', 'dwarf,16384',
                                         '-p', str(pid), '-o', perf_data],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                time.sleep(0.5)
            t0_wall = time.time_ns()
            t0 = time.perf_counter()
            events, requests = self.call(BUS_NAME, OBJECT_PATH, CONTROL_IFACE, 'Upload',
                                         timeout_ms=600000)
            seconds = time.perf_counter() - t0
            t1_wall = time.time_ns()
            after = proc_status(pid)
            mappings_after_all = rss_by_mapping(pid, top=None)
            mappings_after = mappings_after_all[:12]
            d_cpu1, c_cpu1 = cpu_ms(pid), cpu_ms(server.pid)
            s_cpu1 = system_busy_ms()
            wait1 = runq_wait_ms(pid) + runq_wait_ms(server.pid)
            if perf:
                perf.send_signal(signal.SIGINT)
                perf.wait()
            probe_result = probe.stop() if probe else None
            sampled = sampler.stop(mappings_before) if sampler else None
            # What the daemon keeps once the session is over.
            time.sleep(self.args.settle)
            settled = proc_status(pid)
            # The helper has ended and been reaped by now (the settle time).
            h_cpu1 = children_cpu_ms(pid)
            helper_peaks = read_helper_peaks(self.helper_peak_file)
            if events != n:
                raise RuntimeError(f'Upload() sent {events} of {n} events')
            self.stop_daemon(daemon)
            daemon = None
        finally:
            if daemon is not None:
                stop_proc(daemon)
                self.wait_gone(BUS_NAME)
            stop_proc(server)

        ddb = sqlite3.connect(os.path.join(cell_dir, 'state', 'metrics.db'))
        answers = [r[0] for r in ddb.execute(
            "SELECT time_ns FROM ledger WHERE outcome = 'Success' ORDER BY id")]
        ledger_outcomes = [r[0] for r in ddb.execute('SELECT outcome FROM ledger ORDER BY id')]
        ledger_sums = ddb.execute(
            "SELECT COUNT(*), SUM(compressed_size), SUM(uncompressed_size), SUM(singular_events), "
            "MAX(uncompressed_size), MAX(compressed_size) FROM ledger WHERE outcome = 'Success'"
        ).fetchone()
        ddb.close()
        if self.args.server == 'sink':
            with open(os.path.join(cell_dir, 'sink.jsonl')) as f:
                log = [json.loads(line) for line in f]
            arrivals = [e['t'] for e in log]
            sums = ledger_sums
            head_bytes = sum(e['head_bytes'] for e in log)
            if len(log) != sums[0] or sum(e['bytes'] for e in log) != sums[1]:
                raise RuntimeError(f'sink got {len(log)} requests, '
                                   f'{sum(e["bytes"] for e in log)} bytes; ledger: {sums}')
        else:
            head_bytes = None
            cdb = sqlite3.connect(os.path.join(cell_dir, 'collector.db'))
            sums = cdb.execute('SELECT COUNT(*), SUM(compressed_size), SUM(uncompressed_size), '
                               'SUM(singular_count), MAX(uncompressed_size), MAX(compressed_size) '
                               'FROM requests').fetchone()
            arrivals = [r[0] * 1000 for r in cdb.execute(
                'SELECT received_at_us FROM requests ORDER BY id')]
            cdb.close()
        count, comp, uncomp, singulars, max_uncomp, max_comp = sums
        if singulars != n or count != requests:
            raise RuntimeError(f'server got {singulars} events in {count} requests; '
                               f'Upload() said {events} in {requests}')
        # Turns: daemon = answer i -> request i+1 arrives; server = arrival i -> answer i.
        daemon_turns, server_turns = [], []
        if len(answers) == len(arrivals) == count:
            for i in range(count):
                server_turns.append((answers[i] - arrivals[i]) / 1e6)
                if i + 1 < count:
                    daemon_turns.append((arrivals[i + 1] - answers[i]) / 1e6)
        first_ms = (arrivals[0] - t0_wall) / 1e6 if arrivals else None
        last_ms = (t1_wall - answers[-1]) / 1e6 if answers else None
        if not self.args.keep_tmp:
            shutil.rmtree(cell_dir, ignore_errors=True)
        return {
            'events': n, 'variant': variant, 'max_request_bytes': max_bytes or 'default',
            'server': self.args.server,
            'granularity': 'default' if granularity is None else granularity, 'run': run,
            'seconds': seconds, 'requests': requests,
            'server_turns_s': sum(server_turns) / 1000 if server_turns else None,
            'loadavg_before': load_before,
            'wire_bytes': comp, 'uncompressed_bytes': uncomp,
            'request_head_bytes': head_bytes,  # request line + headers (sink only)
            'max_request_uncompressed': max_uncomp, 'max_request_compressed': max_comp,
            'daemon_cpu_ms': d_cpu1 - d_cpu0, 'server_cpu_ms': c_cpu1 - c_cpu0,
            # Everything else the machine ran meanwhile (dbus-daemon, this script, other jobs):
            # a noise indicator; a quiet machine shows a few tens of ms.
            'other_cpu_ms': (s_cpu1 - s_cpu0) - (d_cpu1 - d_cpu0) - (c_cpu1 - c_cpu0)
            - (h_cpu1 - h_cpu0),
            # The upload helper's share (HTTP, TLS): CPU and its peak RSS (--measure-helper).
            'helper_cpu_ms': h_cpu1 - h_cpu0,
            'helper_processes': len(helper_peaks) if self.args.measure_helper else None,
            'helper_peak_rss_kib': max(helper_peaks) if helper_peaks else None,
            # How long the daemon and the server were ready to run but had no CPU: the
            # share of the wall time other jobs took from this measurement.
            'runq_wait_ms': wait1 - wait0,
            'rss_before_kib': before['VmRSS'], 'hwm_before_kib': before['VmHWM'],
            'hwm_reset': hwm_reset, 'peak_rss_kib': after['VmHWM'], 'rss_after_kib': after['VmRSS'],
            'rss_anon_after_kib': after.get('RssAnon'), 'threads_after': after.get('Threads'),
            'rss_settled_kib': settled['VmRSS'], 'rss_anon_settled_kib': settled.get('RssAnon'),
            'daemon_turn_ms': daemon_turns, 'server_turn_ms': server_turns,
            'first_request_ms': first_ms, 'after_last_answer_ms': last_ms,
            'ledger_outcomes': {o: ledger_outcomes.count(o) for o in set(ledger_outcomes)},
            'probe': probe_result, 'rss_by_mapping_after': mappings_after,
            'rss_sampled': sampled,
            'rss_by_mapping_before': mappings_before[:12],
            'rss_growth_by_mapping': rss_growth(mappings_before, mappings_after_all),
        }


class Probe:
    """Pings the daemon (org.freedesktop.DBus.Peer.Ping, answered by its main loop) from
    another connection during the upload; the worst latency is its longest main-loop stall."""

    def __init__(self, bench):
        self.bench = bench
        self.conn = bench.connect()
        self.latencies = []
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.loop, daemon=True)

    def start(self):
        self.thread.start()

    def loop(self):
        while not self.stopping.is_set():
            t = time.perf_counter()
            self.bench.call(BUS_NAME, OBJECT_PATH, 'org.freedesktop.DBus.Peer', 'Ping',
                            conn=self.conn, timeout_ms=60000)
            self.latencies.append((time.perf_counter() - t) * 1000)
            time.sleep(self.bench.args.probe_interval_ms / 1000)

    def stop(self):
        self.stopping.set()
        self.thread.join()
        self.conn.close_sync(None)
        lat = sorted(self.latencies)
        if not lat:
            return None
        return {'pings': len(lat), 'median_ms': statistics.median(lat),
                'p99_ms': lat[min(len(lat) - 1, int(len(lat) * 0.99))], 'max_ms': lat[-1]}


class RssSampler:
    """Reads the daemon's resident memory per mapping every few ms during the upload and
    keeps the breakdown at the highest total: what the peak is made of."""

    def __init__(self, pid, interval_ms):
        self.pid = pid
        self.interval = interval_ms / 1000
        self.best = (0, [])
        self.samples = 0
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.loop, daemon=True)

    def start(self):
        self.thread.start()

    def loop(self):
        while not self.stopping.is_set():
            try:
                mappings = rss_by_mapping(self.pid, top=None)
            except OSError:
                return
            self.samples += 1
            total = sum(kib for _, kib in mappings)
            if total > self.best[0]:
                self.best = (total, mappings)
            time.sleep(self.interval)

    def stop(self, before):
        self.stopping.set()
        self.thread.join()
        total, mappings = self.best
        return {'samples': self.samples, 'max_sampled_rss_kib': total,
                'growth_at_max': rss_growth(before, mappings)}


def sink_main(cert, key, log_path):
    """A minimal HTTPS server: reads each PUT's body, answers 200 at once, logs the arrival
    time (body read) and the body size. Stands for a server that costs nothing."""
    import http.server
    import ssl

    log = open(log_path, 'a', buffering=1)

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = 'HTTP/1.1'  # keep-alive, as the collector
        disable_nagle_algorithm = True  # else the 2-byte body waits for a delayed ACK (40 ms)

        def do_PUT(self):
            length = int(self.headers.get('Content-Length', 0))
            body = self.rfile.read(length)
            t = time.time_ns()
            self.send_response(200 if len(body) == length else 400)
            self.send_header('Content-Length', '2')
            self.end_headers()
            self.wfile.write(b'OK')
            head = len(self.raw_requestline) + 2 + sum(
                len(k) + len(v) + 4 for k, v in self.headers.items())
            log.write(json.dumps({'t': t, 'bytes': len(body), 'head_bytes': head,
                                  'path': self.path}) + '\n')

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(('127.0.0.1', 0), Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    print(f'LISTENING {server.server_address[1]}', flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    server.serve_forever()


def read(path):
    try:
        with open(path, errors='replace') as f:
            return f.read()
    except OSError:
        return ''


def fmt(x, digits=0):
    if x is None:
        return 'n/a'
    return f'{x:,.{digits}f}'.replace(',', ' ')  # thousands as in docs/benchmarks.md


def median_or_none(xs):
    return statistics.median(xs) if xs else None


def table(results):
    lines = [
        '| events | content | max request bytes | run | s | µs/event | µs/event without server turns '
        '| requests | wire B/event | uncompressed B/event | daemon CPU ms | helper CPU ms '
        '| server CPU ms | other CPU ms | CPU wait ms '
        '| RSS before KiB | peak RSS KiB | helper peak RSS KiB | first request ms '
        '| daemon turn ms (median / max) | server turn ms (median) |',
        '|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ]
    for r in results:
        n = r['events']
        dt = r['daemon_turn_ms']
        own = (r['seconds'] - r['server_turns_s']) if r['server_turns_s'] is not None else None
        content = r['variant'] + ('' if r['granularity'] == 'default'
                                  else f", granularity {r['granularity']} s")
        content += ', sink' if r.get('server') == 'sink' else ''
        lines.append(
            f"| {fmt(n)} | {content} | {r['max_request_bytes']} | {r['run']} "
            f"| {r['seconds']:.3f} | {r['seconds'] * 1e6 / n:.2f} "
            f"| {fmt(own * 1e6 / n if own is not None else None, 2)} | {r['requests']} "
            f"| {r['wire_bytes'] / n:.2f} | {r['uncompressed_bytes'] / n:.2f} "
            f"| {fmt(r['daemon_cpu_ms'])} | {fmt(r.get('helper_cpu_ms'))} "
            f"| {fmt(r['server_cpu_ms'])} | {fmt(r['other_cpu_ms'])} "
            f"| {fmt(r['runq_wait_ms'])} "
            f"| {fmt(r['rss_before_kib'])} | {fmt(r['peak_rss_kib'])} "
            f"| {fmt(r.get('helper_peak_rss_kib'))} "
            f"| {fmt(r['first_request_ms'], 1)} "
            f"| {fmt(median_or_none(dt), 1)} / {fmt(max(dt) if dt else None, 1)} "
            f"| {fmt(median_or_none(r['server_turn_ms']), 1)} |")
    if any(r['probe'] for r in results):
        lines += ['', '| events | content | max request bytes | run | pings | ping median ms '
                  '| ping p99 ms | ping max ms |', '|---:|---|---:|---:|---:|---:|---:|---:|']
        for r in results:
            p = r['probe']
            if p:
                lines.append(f"| {fmt(r['events'])} | {r['variant']} | {r['max_request_bytes']} "
                             f"| {r['run']} | {p['pings']} | {p['median_ms']:.2f} "
                             f"| {p['p99_ms']:.1f} | {p['max_ms']:.1f} |")
    return '\n'.join(lines)


def summary(results):
    """Medians over the runs of each cell (peak RSS: median and worst)."""
    cells = {}
    for r in results:
        key = (r['events'], r['variant'], r['granularity'], str(r['max_request_bytes']),
               r.get('server'))
        cells.setdefault(key, []).append(r)
    lines = [
        '| events | content | max request bytes | runs | s | µs/event '
        '| µs/event without server turns | requests | wire B/event | uncompressed B/event '
        '| daemon CPU µs/event | helper CPU µs/event | RSS before KiB '
        '| peak RSS KiB (median / max) | RSS after KiB | helper peak RSS KiB (max) '
        '| other CPU ms | CPU wait ms |',
        '|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ]
    for (n, variant, gran, mb, server), rs in cells.items():
        def med(f):
            return statistics.median(f(r) for r in rs)
        own = [r['seconds'] - r['server_turns_s'] for r in rs if r['server_turns_s'] is not None]
        content = variant + ('' if gran == 'default' else f', granularity {gran} s')
        content += ', sink' if server == 'sink' else ''
        lines.append(
            f"| {fmt(n)} | {content} | {mb} | {len(rs)} | {med(lambda r: r['seconds']):.3f} "
            f"| {med(lambda r: r['seconds']) * 1e6 / n:.2f} "
            f"| {fmt(statistics.median(own) * 1e6 / n if own else None, 2)} "
            f"| {med(lambda r: r['requests']):.0f} | {med(lambda r: r['wire_bytes']) / n:.2f} "
            f"| {med(lambda r: r['uncompressed_bytes']) / n:.2f} "
            f"| {med(lambda r: r['daemon_cpu_ms']) * 1000 / n:.2f} "
            f"| {med(lambda r: r.get('helper_cpu_ms') or 0) * 1000 / n:.2f} "
            f"| {fmt(med(lambda r: r['rss_before_kib']))} "
            f"| {fmt(med(lambda r: r['peak_rss_kib']))} / {fmt(max(r['peak_rss_kib'] for r in rs))} "
            f"| {fmt(med(lambda r: r.get('rss_settled_kib') or 0))} "
            f"| {fmt(max((r.get('helper_peak_rss_kib') or 0) for r in rs) or None)} "
            f"| {fmt(med(lambda r: r['other_cpu_ms']))} | {fmt(med(lambda r: r['runq_wait_ms']))} |")
    return '\n'.join(lines)


def main():
    if len(sys.argv) == 5 and sys.argv[1] == '--sink':
        sink_main(*sys.argv[2:])
        return
    ap = argparse.ArgumentParser(description=' '.join(__doc__.split('\n\n')[0].split()))
    ap.add_argument('--recorder', required=True)
    ap.add_argument('--collector', required=True)
    ap.add_argument('--server', choices=['collector', 'sink'], default='collector',
                    help='collector: metrics-test-collector (decodes, stores); sink: a minimal '
                         'HTTPS server in this file that answers 200 at once')
    ap.add_argument('--make-cert', required=True)
    ap.add_argument('--events', type=int, nargs='+', default=[20000, 100000])
    ap.add_argument('--variants', nargs='+', default=['mix', 'unique'], choices=['mix', 'unique'])
    ap.add_argument('--max-request-bytes', nargs='+', default=['default'],
                    help="UploadMaxRequestBytes values ('default' = not set)")
    ap.add_argument('--granularity', type=int, default=None,
                    help='TimestampGranularitySeconds (default: not set, the daemon default)')
    ap.add_argument('--runs', type=int, default=3)
    ap.add_argument('--settle', type=float, default=1.0,
                    help='seconds to wait after the daemon starts (before the upload) and after '
                         'the upload (before reading the RSS it keeps)')
    ap.add_argument('--probe', action='store_true', help='ping the daemon during the upload')
    ap.add_argument('--probe-interval-ms', type=float, default=5.0,
                    help='pause between two pings of --probe')
    ap.add_argument('--perf', metavar='DIR',
                    help='perf record the daemon during each upload into DIR (slows it down)')
    ap.add_argument('--noise-limit', type=float, default=0.05,
                    help='a run is noisy when the daemon and the server together waited for a '
                         'CPU for more than this share of the wall time (default 0.05)')
    ap.add_argument('--noisy-retries', type=int, default=10,
                    help='repeat a noisy run up to this many times (the last one is kept)')
    ap.add_argument('--noisy-pause', type=float, default=20.0,
                    help='seconds to wait before repeating a noisy run')
    ap.add_argument('--json-out', help='append the results of every run here (JSON lines)')
    ap.add_argument('--keep-tmp', action='store_true')
    ap.add_argument('--sample-rss-ms', type=float, default=0,
                    help='sample the daemon\'s RSS per mapping at this interval during the upload '
                         '(JSON: rss_sampled, what the largest sample is made of)')
    ap.add_argument('--measure-helper', action='store_true',
                    help='wrap the upload helper next to --recorder in GNU time (renames it: '
                         'pass a copy) for its peak RSS')
    args = ap.parse_args()

    # Stop with the clean-up in Bench.close() on SIGTERM and SIGINT (also when started in
    # the background, where SIGINT arrives ignored).
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda signum, _frame: sys.exit(128 + signum))
    bench = Bench(args)
    results = []
    try:
        bench.start_bus()
        bench.start_network_manager()
        bench.make_cert()
        # Runs outermost: the cells take turns, so a slow phase of the machine does not
        # land on one cell only.
        cells = [(n, variant, mb) for n in args.events for variant in args.variants
                 for mb in args.max_request_bytes]
        for run in range(1, args.runs + 1):
            for n, variant, mb in cells:
                max_bytes = None if mb == 'default' else int(mb)
                # The same queue contents in every run of a content variant.
                seed = {'mix': 1, 'unique': 2}[variant]
                print(f'== upload: events={n} content={variant} max_request_bytes={mb} run={run}',
                      file=sys.stderr, flush=True)
                for attempt in range(args.noisy_retries + 1):
                    r = bench.run_cell(n, variant, max_bytes, args.granularity, run, seed)
                    r['attempt'] = attempt + 1
                    # The daemon or the server waited for a CPU (other jobs on the machine)
                    # for more than the allowed share of the wall time.
                    if r['runq_wait_ms'] <= args.noise_limit * r['seconds'] * 1000:
                        break
                    print(f"   noisy: the daemon and the server waited {r['runq_wait_ms']:.0f} ms "
                          f"for a CPU in {r['seconds']:.2f} s", file=sys.stderr, flush=True)
                    if attempt < args.noisy_retries:
                        time.sleep(args.noisy_pause)
                line = json.dumps(r)
                print(line, file=sys.stderr, flush=True)
                if args.json_out:
                    with open(args.json_out, 'a') as f:
                        f.write(line + '\n')
                results.append(r)
        results.sort(key=lambda r: (args.events.index(r['events']),
                                    args.variants.index(r['variant']),
                                    [str(m) for m in args.max_request_bytes].index(
                                        str(r['max_request_bytes'])), r['run']))
    finally:
        bench.close()
    print()
    print('Content: mix = ' + MIX_DESCRIPTION + '; unique = ' + UNIQUE_DESCRIPTION + '.')
    print()
    print('Medians over the runs:')
    print()
    print(summary(results))
    print()
    print('Every run:')
    print()
    print(table(results))


if __name__ == '__main__':
    main()
