# SPDX-License-Identifier: GPL-2.0-or-later
"""Tests of metrics-test-collector, the local stand-in for the Azafea metrics server.

Each test makes a throw-away CA and server certificate, starts its own collector on a free
port (HTTPS, or plain HTTP where stated) with its own SQLite database, all in a temporary
directory, and removes everything when it ends. The binary is found via METRICS_BUILD_DIR.

What the collector must do where it stands in for the stock front end (azafea-metrics-proxy):
only PUT /2/<sha512> and PUT /3/<sha512> at the root (any other PUT: 405); the body's
size (413 above 1 MiB) before anything else; X-Endless-Content-Encoding absent = the body
as sent, gzip = gunzipped (not gzip: 500, the proxy's unhandled error), anything else 400;
an empty body 400; the SHA-512 of the uncompressed body 400.
"""

import gzip
import hashlib
import http.client
import json
import os
import queue
import shutil
import signal
import socket
import sqlite3
import ssl
import subprocess
import tempfile
import threading
import time
import unittest
import uuid

import gi

gi.require_version("GLib", "2.0")
from gi.repository import GLib  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD_DIR = os.environ.get("METRICS_BUILD_DIR", os.path.join(HERE, "..", "..", "build"))
COLLECTOR = os.path.join(BUILD_DIR, "tests", "collector", "metrics-test-collector")
MAKE_CERT = os.path.join(HERE, "make-test-cert.sh")
VECTORS_DIR = os.environ.get("METRICS_VECTORS_DIR") or os.path.join(HERE, "..", "fixtures", "vectors")
REQUEST_TYPE = "(xxsa{ss}ya(aysxmv)a(ayssumv))"
VECTORS = ("v3-singulars", "v3-aggregates", "v3-empty")
MIB = 1024 * 1024


def sha512(data):
    return hashlib.sha512(data).hexdigest()


def read_vector(name):
    with open(os.path.join(VECTORS_DIR, name + ".body"), "rb") as f:
        body = f.read()
    gz_path = os.path.join(VECTORS_DIR, name + ".body.gz")
    if os.path.exists(gz_path):
        with open(gz_path, "rb") as f:
            compressed = f.read()
    else:  # v3-empty was captured without its gzip form
        compressed = gzip.compress(body)
    with open(os.path.join(VECTORS_DIR, name + ".txt"), encoding="utf-8") as f:
        text = f.read()
    return body, compressed, text


def payload_text(maybe_variant):
    """The `mv` child as g_variant_print(…, TRUE) prints the payload, or None."""
    boxed = maybe_variant.get_maybe()
    return None if boxed is None else boxed.get_variant().print_(True)


def expected_request(text):
    """The decoded request, in the collector's JSON form, from a vector's text form."""
    v = GLib.Variant.parse(GLib.VariantType(REQUEST_TYPE), text, None, None)
    labels = v.get_child_value(3)
    singulars = v.get_child_value(5)
    aggregates = v.get_child_value(6)
    flags = v.get_child_value(4).get_byte()
    return {
        "relative_timestamp": v.get_child_value(0).get_int64(),
        "absolute_timestamp": v.get_child_value(1).get_int64(),
        "image_id": v.get_child_value(2).get_string(),
        "site_labels": [
            [labels.get_child_value(i).get_child_value(0).get_string(),
             labels.get_child_value(i).get_child_value(1).get_string()]
            for i in range(labels.n_children())
        ],
        "boot_flags": flags,
        "dual_boot": bool(flags & 1),
        "live_boot": bool(flags & 2),
        "singulars": [
            {
                "event_id": str(uuid.UUID(bytes=bytes(e.get_child_value(0).unpack()))),
                "os_version": e.get_child_value(1).get_string(),
                "relative_timestamp": e.get_child_value(2).get_int64(),
                "payload": payload_text(e.get_child_value(3)),
            }
            for e in (singulars.get_child_value(i) for i in range(singulars.n_children()))
        ],
        "aggregates": [
            {
                "event_id": str(uuid.UUID(bytes=bytes(e.get_child_value(0).unpack()))),
                "os_version": e.get_child_value(1).get_string(),
                "period": e.get_child_value(2).get_string(),
                "count": e.get_child_value(3).get_uint32(),
                "payload": payload_text(e.get_child_value(4)),
            }
            for e in (aggregates.get_child_value(i) for i in range(aggregates.n_children()))
        ],
    }


class Collector:
    """One collector process with its certificate and database in a temporary directory."""

    def __init__(self, test, plain_http=False, names=(), path_prefix=None):
        """`names`: host names (or addresses) the certificate is valid for besides 127.0.0.1
        and localhost. `path_prefix`: serve the upload routes under it (--path-prefix)
        instead of at the root."""
        self.tmp = tempfile.mkdtemp(prefix="collector-test-")
        test.addCleanup(shutil.rmtree, self.tmp, True)
        self.plain_http = plain_http
        self.db_path = os.path.join(self.tmp, "collector.db")
        self.stderr_path = os.path.join(self.tmp, "stderr.txt")
        args = [COLLECTOR, "--port", "0", "--db", self.db_path]
        if path_prefix is not None:
            args += ["--path-prefix", path_prefix]
        if plain_http:
            args.append("--plain-http")
            self.ssl_context = None
        else:
            certs = os.path.join(self.tmp, "certs")
            subprocess.run([MAKE_CERT, certs, *names], check=True)
            args += ["--cert", os.path.join(certs, "server.pem"),
                     "--key", os.path.join(certs, "server.key")]
            self.ssl_context = ssl.create_default_context(cafile=os.path.join(certs, "ca.pem"))
        self._stderr = open(self.stderr_path, "wb")
        test.addCleanup(self._stderr.close)
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self._stderr)
        test.addCleanup(self.stop)
        self.lines = queue.Queue()
        self._reader = threading.Thread(target=self._read_stdout, daemon=True)
        self._reader.start()
        first = self.lines.get(timeout=10)
        test.assertTrue(first.startswith("LISTENING "), first)
        self.port = int(first.split()[1])
        test.assertGreater(self.port, 0)

    def _read_stdout(self):
        for raw in self.proc.stdout:
            self.lines.put(raw.decode("utf-8").rstrip("\n"))

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._reader.join(timeout=5)
        self.proc.stdout.close()

    def stderr(self):
        with open(self.stderr_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def connect(self, timeout=10):
        if self.plain_http:
            return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        return http.client.HTTPSConnection("127.0.0.1", self.port, timeout=timeout,
                                           context=self.ssl_context)

    def request(self, method, path, body=None, headers=None, conn=None, timeout=10):
        """Sends one request (on a new connection unless `conn`); returns (status, headers, body)."""
        own = conn is None
        if own:
            conn = self.connect(timeout)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            return response.status, response.headers, response.read()
        finally:
            if own:
                conn.close()

    def upload(self, compressed, sha, prefix="", encoding="gzip", version=3, **kwargs):
        headers = {"Content-Type": "application/octet-stream"}
        if encoding is not None:
            headers["X-Endless-Content-Encoding"] = encoding
        return self.request("PUT", f"{prefix}/{version}/{sha}", body=compressed,
                            headers=headers, **kwargs)

    def set_faults(self, faults, append=False):
        status, _, body = self.request("POST", "/control/faults",
                                       body=json.dumps({"queue": faults, "append": append}))
        if status != 200:
            raise AssertionError(f"setting faults: {status} {body!r}")
        return json.loads(body)

    def set_rules(self, path_status=(), max_body_bytes=0):
        """Standing answers: [(prefix, status)] for paths, 413 above max_body_bytes."""
        document = {"path_status": [{"prefix": p, "status": s} for p, s in path_status],
                    "max_body_bytes": max_body_bytes}
        status, _, body = self.request("POST", "/control/rules", body=json.dumps(document))
        if status != 200:
            raise AssertionError(f"setting rules: {status} {body!r}")
        return json.loads(body)

    def stats(self):
        status, _, body = self.request("GET", "/control/stats")
        assert status == 200, (status, body)
        return json.loads(body)

    def reset(self):
        status, _, body = self.request("POST", "/control/reset")
        assert status == 200, (status, body)

    def rows(self):
        db = sqlite3.connect(self.db_path)
        try:
            db.row_factory = sqlite3.Row
            return [dict(r) for r in db.execute("SELECT * FROM requests ORDER BY id")]
        finally:
            db.close()

    def next_line(self, timeout=10):
        return json.loads(self.lines.get(timeout=timeout))


class CollectorTestCase(unittest.TestCase):
    plain_http = False
    path_prefix = None

    def setUp(self):
        self.assertTrue(os.access(COLLECTOR, os.X_OK), f"{COLLECTOR} is not built")
        self.collector = Collector(self, plain_http=self.plain_http, path_prefix=self.path_prefix)
        # Runs before the cleanups registered by Collector (they run in reverse order).
        self.addCleanup(self.check_healthy)

    def check_healthy(self):
        self.assertIsNone(self.collector.proc.poll(), "collector died:\n" + self.collector.stderr())
        self.collector.stop()
        self.assertEqual(self.collector.proc.returncode, 0, self.collector.stderr())
        for marker in ("CRITICAL", "WARNING", "ERROR"):
            self.assertNotIn(marker, self.collector.stderr())

    def upload_vector(self, name, **kwargs):
        body, compressed, _ = read_vector(name)
        return self.collector.upload(compressed, sha512(body), **kwargs)

    def assert_stored_vector(self, name, row, line, prefix=""):
        body, compressed, text = read_vector(name)
        expected = expected_request(text)
        sha = sha512(body)
        # The stdout line.
        self.assertEqual(line["path"], f"{prefix}/3/{sha}")
        self.assertEqual(line["sha512"], sha)
        self.assertEqual(line["compressed_size"], len(compressed))
        self.assertEqual(line["uncompressed_size"], len(body))
        self.assertEqual(line["singular_count"], len(expected["singulars"]))
        self.assertEqual(line["aggregate_count"], len(expected["aggregates"]))
        self.assertEqual(line["request"], expected)
        # The database row.
        self.assertEqual(row["path"], f"{prefix}/3/{sha}")
        self.assertEqual(row["sha512"], sha)
        self.assertEqual(row["compressed_size"], len(compressed))
        self.assertEqual(row["uncompressed_size"], len(body))
        self.assertEqual(row["body"], body)
        self.assertEqual(row["singular_count"], len(expected["singulars"]))
        self.assertEqual(row["aggregate_count"], len(expected["aggregates"]))
        self.assertEqual(json.loads(row["request_json"]), expected)
        self.assertEqual(row["received_at"], line["received_at"])
        self.assertEqual(row["received_at_us"], line["received_at_us"])
        self.assertLess(abs(row["received_at_us"] / 1e6 - time.time()), 60)

    def assert_rejected(self, result, status, reason=None):
        got_status, _, body = result
        self.assertEqual(got_status, status, body)
        if reason is not None:
            self.assertIn(reason, body.decode("utf-8", "replace"))
        self.assertEqual(self.collector.rows(), [])


class TestUploads(CollectorTestCase):
    def test_golden_vectors_are_accepted_and_decoded(self):
        for name in VECTORS:
            with self.subTest(vector=name):
                status, _, body = self.upload_vector(name)
                self.assertEqual((status, body), (200, b"OK"))
                line = self.collector.next_line()
                row = self.collector.rows()[-1]
                self.assert_stored_vector(name, row, line)
        self.assertEqual(len(self.collector.rows()), len(VECTORS))
        stats = self.collector.stats()
        self.assertEqual((stats["accepted"], stats["rejected"]), (3, 0))

    def test_vector_values_spot_check(self):
        # Independent of the text-form parsing above: values from the vectors' README.
        self.assertEqual(self.upload_vector("v3-aggregates")[0], 200)
        request = self.collector.next_line()["request"]
        daily, daily_session, monthly, monthly_session = request["aggregates"]
        self.assertEqual(daily["event_id"], "49d0451a-f706-4f50-81d2-70cc0ec923a4")
        self.assertEqual(monthly["event_id"], "22cdaa7c-e125-5f65-a535-c8345e5434f2")
        self.assertEqual((daily["period"], daily["count"]), ("2026-11-28", 3725))
        self.assertEqual(daily["payload"], "'org.gnome.Builder.desktop'")
        self.assertEqual((daily_session["count"], daily_session["payload"]), (14400, None))
        self.assertEqual((monthly["period"], monthly["count"]), ("2026-10", 86400))
        self.assertEqual((monthly_session["period"], monthly_session["count"]), ("2026-10", 3))
        self.assertEqual(self.upload_vector("v3-singulars")[0], 200)
        singulars = self.collector.next_line()["request"]["singulars"]
        self.assertEqual([e["relative_timestamp"] for e in singulars],
                         [5000000000, 6000000000, 7000000000, 8000000000, 9000000000])
        self.assertIsNone(singulars[2]["payload"])
        self.assertEqual(singulars[3]["payload"], "'de_DE'")
        self.assertTrue(all(e["os_version"] == "12 (bookworm)" for e in singulars))

    def test_default_mode_answers_405_under_a_path(self):
        # As the stock proxy: the routes are at the root of the site, nowhere else.
        for prefix in ("/test", "/production", "/a/b/c", "/3"):
            with self.subTest(prefix=prefix):
                status, _, body = self.upload_vector("v3-empty", prefix=prefix)
                self.assertEqual(status, 405, body)
                self.assertIn(b"only PUT /2/SHA512 and /3/SHA512", body)
        self.assertEqual(self.collector.rows(), [])
        self.assertEqual(self.upload_vector("v3-empty")[0], 200)
        self.assertEqual(self.collector.next_line()["path"].rsplit("/3/", 1)[0], "")
        stats = self.collector.stats()
        self.assertEqual((stats["accepted"], stats["rejected"]), (1, 4))

    def test_keep_alive_connection_carries_several_uploads(self):
        conn = self.collector.connect()
        self.addCleanup(conn.close)
        for name in VECTORS:
            self.assertEqual(self.upload_vector(name, conn=conn)[0], 200)
        self.assertEqual(len(self.collector.rows()), 3)

    def test_wrong_sha512(self):
        body, compressed, _ = read_vector("v3-singulars")
        wrong = sha512(body + b"x")
        self.assert_rejected(self.collector.upload(compressed, wrong), 400, "SHA-512 mismatch")

    def test_sha512_of_compressed_body_is_wrong(self):
        _, compressed, _ = read_vector("v3-singulars")
        self.assert_rejected(self.collector.upload(compressed, sha512(compressed)), 400)

    def test_without_encoding_header_the_body_is_taken_as_sent(self):
        # The proxy hashes the gzip bytes themselves: the uncompressed body's hash fails.
        self.assert_rejected(self.upload_vector("v3-singulars", encoding=None), 400,
                             "SHA-512 mismatch")
        # An uncompressed body named by its own hash is what the proxy queues.
        body, _, text = read_vector("v3-singulars")
        status, _, answer = self.collector.upload(body, sha512(body), encoding=None)
        self.assertEqual((status, answer), (200, b"OK"))
        line = self.collector.next_line()
        self.assertEqual((line["compressed_size"], line["uncompressed_size"]),
                         (len(body), len(body)))
        self.assertEqual(line["request"], expected_request(text))

    def test_wrong_encoding_header(self):
        for encoding in ("deflate", "identity", "GZIP", ""):
            with self.subTest(encoding=encoding):
                self.assert_rejected(self.upload_vector("v3-singulars", encoding=encoding), 400)

    def test_content_encoding_is_not_enough(self):
        body, compressed, _ = read_vector("v3-singulars")
        result = self.collector.request(
            "PUT", f"/3/{sha512(body)}", body=compressed,
            headers={"Content-Encoding": "gzip", "Content-Type": "application/octet-stream"})
        self.assert_rejected(result, 400)

    def test_empty_body(self):
        self.assert_rejected(self.collector.upload(b"", sha512(b"")), 400, "empty body")

    # The stock proxy does not catch its decompressor's error: a body that is not gzip
    # although the header says so gets its 500.
    def test_not_gzip(self):
        body, _, _ = read_vector("v3-singulars")
        self.assert_rejected(self.collector.upload(body, sha512(body)), 500, "gzip")

    def test_truncated_gzip(self):
        body, compressed, _ = read_vector("v3-singulars")
        self.assert_rejected(self.collector.upload(compressed[:-10], sha512(body)), 500, "gzip")

    def test_trailing_garbage_after_gzip(self):
        body, compressed, _ = read_vector("v3-singulars")
        self.assert_rejected(self.collector.upload(compressed + b"garbage", sha512(body)), 500)

    def test_gzip_members_are_concatenated(self):
        body, _, text = read_vector("v3-singulars")
        half = len(body) // 2
        two = gzip.compress(body[:half]) + gzip.compress(body[half:])
        self.assertEqual(self.collector.upload(two, sha512(body))[0], 200)
        self.assertEqual(self.collector.next_line()["request"], expected_request(text))

    def test_empty_gzip_is_an_empty_body(self):
        self.assert_rejected(self.collector.upload(gzip.compress(b""), sha512(b"")), 400,
                             "empty body")

    def test_not_normal_form(self):
        body, _, _ = read_vector("v3-empty")
        # v3-empty: x@0 x@8 's'@16..24 a{ss}@24 y@24 then padding 25..31 before the arrays.
        bad = bytearray(body)
        self.assertEqual(bad[25], 0)
        bad[25] = 0xFF
        bad = bytes(bad)
        parsed = GLib.Variant.new_from_bytes(GLib.VariantType(REQUEST_TYPE),
                                             GLib.Bytes.new(bad), False)
        self.assertFalse(parsed.is_normal_form())
        self.assert_rejected(self.collector.upload(gzip.compress(bad), sha512(bad)), 400,
                             "decode")

    def test_other_type(self):
        other = GLib.Variant("(xxsa{ss}y)", (1, 2, "unknown", {}, 0)).get_data_as_bytes().get_data()
        self.assert_rejected(self.collector.upload(gzip.compress(other), sha512(other)), 400,
                             "decode")

    def test_body_over_one_mib(self):
        big = os.urandom(MIB + MIB // 2)
        self.assert_rejected(self.collector.upload(big, sha512(big)), 413)

    def test_body_at_limit_is_not_too_large(self):
        # Exactly 1 MiB is within the limit: it fails later, as not gzip.
        data = os.urandom(MIB)
        self.assert_rejected(self.collector.upload(data, sha512(data)), 500, "gzip")

    def test_size_comes_before_the_encoding(self):
        # The proxy reads the body before it looks at any header.
        big = os.urandom(MIB + 1)
        self.assert_rejected(self.collector.upload(big, sha512(big), encoding="bzip2"), 413)

    def test_version_2_route_has_the_proxy_checks_and_is_not_decoded(self):
        body, compressed, _ = read_vector("v3-empty")
        self.assert_rejected(self.collector.upload(compressed, sha512(b"x"), version=2), 400,
                             "SHA-512 mismatch")
        self.assert_rejected(self.collector.upload(compressed, sha512(body), version=2), 400,
                             "protocol 2 is not decoded")

    def test_bad_path_and_method(self):
        body, compressed, _ = read_vector("v3-empty")
        sha = sha512(body)
        for path in (f"/test/2/{sha}", f"/3/{sha.upper()}", f"/3/{sha[:-1]}", f"/3/{sha}0",
                     "/3", "/3/", f"/3/{sha}/", f"/3/{sha}/x", f"/4/{sha}", f"/1/{sha}",
                     f"//3/{sha}", f"/03/{sha}", "/"):
            with self.subTest(path=path):
                headers = {"X-Endless-Content-Encoding": "gzip"}
                self.assert_rejected(
                    self.collector.request("PUT", path, body=compressed, headers=headers), 405)
        self.assert_rejected(self.collector.request("POST", f"/3/{sha}", body=compressed), 405)
        self.assert_rejected(self.collector.request("GET", f"/3/{sha}"), 405)

    def test_rejections_are_logged_on_stderr(self):
        body, compressed, _ = read_vector("v3-singulars")
        self.collector.upload(compressed, sha512(b"other"))
        self.collector.upload(b"", sha512(b""))
        lines = [l for l in self.collector.stderr().splitlines() if l.startswith("REJECTED")]
        self.assertEqual(len(lines), 2, lines)
        self.assertIn("REJECTED 400 PUT /3/", lines[0])
        self.assertIn("SHA-512 mismatch", lines[0])
        self.assertIn("empty body", lines[1])


class TestPathPrefix(CollectorTestCase):
    """--path-prefix: the routes under a path, as behind a reverse proxy that strips it."""
    path_prefix = "/metrics/test/"

    def test_routes_only_under_the_prefix(self):
        status, _, body = self.upload_vector("v3-singulars", prefix="/metrics/test")
        self.assertEqual((status, body), (200, b"OK"))
        self.assert_stored_vector("v3-singulars", self.collector.rows()[-1],
                                  self.collector.next_line(), prefix="/metrics/test")
        for prefix in ("", "/metrics", "/metrics/test/x", "/metrics/testing", "/other"):
            with self.subTest(prefix=prefix):
                status, _, body = self.upload_vector("v3-empty", prefix=prefix)
                self.assertEqual(status, 405)
                self.assertIn(b"/metrics/test/3/SHA512", body)
        self.assertEqual(len(self.collector.rows()), 1)

    def test_bad_prefixes_are_refused(self):
        for prefix in ("metrics", "", "/a//b", "/a/../b", "/./a"):
            with self.subTest(prefix=prefix):
                r = subprocess.run([COLLECTOR, "--db", os.path.join(self.collector.tmp, "x.db"),
                                    "--plain-http", "--path-prefix", prefix],
                                   capture_output=True, text=True, timeout=10)
                self.assertEqual(r.returncode, 2, r.stderr)
                self.assertIn("--path-prefix", r.stderr)


class TestPlainHttp(CollectorTestCase):
    plain_http = True

    def test_vectors_over_plain_http(self):
        for name in VECTORS:
            with self.subTest(vector=name):
                self.assertEqual(self.upload_vector(name)[:3:2], (200, b"OK"))
                self.assert_stored_vector(name, self.collector.rows()[-1],
                                          self.collector.next_line())


class TestFaults(CollectorTestCase):
    def assert_normal_again(self):
        rows_before = len(self.collector.rows())
        status, _, body = self.upload_vector("v3-singulars")
        self.assertEqual((status, body), (200, b"OK"))
        self.assertEqual(len(self.collector.rows()), rows_before + 1)

    def test_injected_statuses(self):
        faults = [{"status": 500}, {"status": 503, "retry_after": 2},
                  {"status": 429, "retry_after": 1}, {"status": 408}, {"status": 400},
                  {"status": 413}]
        self.assertEqual(self.collector.set_faults(faults), {"queued": 6})
        for fault in faults:
            with self.subTest(fault=fault):
                status, headers, _ = self.upload_vector("v3-singulars")
                self.assertEqual(status, fault["status"])
                retry_after = headers.get("Retry-After")
                expected = str(fault["retry_after"]) if "retry_after" in fault else None
                self.assertEqual(retry_after, expected)
        self.assertEqual(self.collector.rows(), [])
        self.assertEqual(self.collector.stats()["faults_pending"], 0)
        self.assert_normal_again()
        stats = self.collector.stats()
        self.assertEqual((stats["accepted"], stats["rejected"], stats["faults_applied"]),
                         (1, 0, 6))

    def test_delay_answers_late_without_blocking_the_server(self):
        self.collector.set_faults([{"delay_ms": 6000}])
        result = {}

        def slow_upload():
            start = time.monotonic()
            result["response"] = self.upload_vector("v3-singulars")
            result["elapsed"] = time.monotonic() - start

        thread = threading.Thread(target=slow_upload)
        thread.start()
        time.sleep(0.3)
        # Meanwhile the server answers others: this one is done while the delayed upload
        # still waits for its answer.
        self.assertEqual(self.collector.stats()["delayed"], 1)
        self.assertEqual(self.upload_vector("v3-empty")[0], 200)
        self.assertTrue(thread.is_alive(), "the delayed answer came first")
        thread.join(timeout=15)
        self.assertFalse(thread.is_alive())
        status, _, body = result["response"]
        self.assertEqual((status, body), (200, b"OK"))
        self.assertGreaterEqual(result["elapsed"], 5.9)
        self.assertEqual([r["singular_count"] for r in self.collector.rows()], [0, 5])
        self.assertEqual(self.collector.stats()["delayed"], 0)

    def test_delay_longer_than_the_client_waits(self):
        # The upload was received in full, so it is stored when the delay ends even though
        # the client gave up; the server stays healthy and answers the next upload.
        self.collector.set_faults([{"delay_ms": 6000}])
        with self.assertRaises((TimeoutError, socket.timeout)):
            self.upload_vector("v3-singulars", timeout=0.5)
        deadline = time.monotonic() + 10
        while self.collector.stats()["delayed"] and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertEqual(self.collector.stats()["delayed"], 0)
        self.assertEqual(len(self.collector.rows()), 1)
        self.assert_normal_again()

    def test_hang_is_never_answered(self):
        self.collector.set_faults([{"hang": True}])
        start = time.monotonic()
        with self.assertRaises((TimeoutError, socket.timeout)):
            self.upload_vector("v3-singulars", timeout=1.5)
        self.assertGreaterEqual(time.monotonic() - start, 1.4)
        self.assertEqual(self.collector.rows(), [])
        self.assertEqual(self.collector.stats()["hung"], 1)
        self.assert_normal_again()

    def test_close_without_response(self):
        self.collector.set_faults([{"close": True}])
        with self.assertRaises((http.client.RemoteDisconnected, ConnectionError,
                                ssl.SSLError)) as caught:
            self.upload_vector("v3-singulars")
        self.assertNotIsInstance(caught.exception, TimeoutError)
        self.assertEqual(self.collector.rows(), [])
        self.assert_normal_again()

    def test_malformed_response(self):
        self.collector.set_faults([{"malformed": True}])
        with self.assertRaises(http.client.BadStatusLine) as caught:
            self.upload_vector("v3-singulars")
        self.assertIn("2OO", str(caught.exception))
        self.assertEqual(self.collector.rows(), [])
        self.assert_normal_again()

    def test_garbage_response(self):
        self.collector.set_faults([{"garbage": True}])
        with self.assertRaises(http.client.BadStatusLine):
            self.upload_vector("v3-singulars")
        self.assertEqual(self.collector.rows(), [])
        self.assert_normal_again()

    def test_a_put_that_is_not_routed_leaves_the_fault_queue_alone(self):
        self.collector.set_faults([{"status": 503}])
        self.assertEqual(self.upload_vector("v3-empty", prefix="/test")[0], 405)
        self.assertEqual(self.upload_vector("v3-empty")[0], 503)
        self.assert_normal_again()

    def test_rules_answer_a_status_for_a_path_and_413_above_a_size(self):
        self.collector.set_rules(path_status=[("/wrong/", 405)])
        self.assertEqual(self.upload_vector("v3-singulars", prefix="/wrong/test")[0], 405)
        self.assertEqual(self.upload_vector("v3-singulars", prefix="/wrong/test")[0], 405)
        self.assertEqual(self.collector.rows(), [])
        self.collector.set_rules(max_body_bytes=10)
        self.assertEqual(self.upload_vector("v3-singulars")[0], 413)
        self.assertEqual(self.collector.stats()["ruled"], 3)
        self.collector.set_rules()
        self.assert_normal_again()

    def test_whole_queue_in_order(self):
        self.collector.set_faults([
            {"status": 500}, {"status": 503, "retry_after": 2}, {"status": 429, "retry_after": 1},
            {"status": 408}, {"status": 400}, {"status": 413}, {"delay_ms": 3000},
            {"hang": True}, {"close": True}, {"malformed": True}])
        for expected in (500, 503, 429, 408, 400, 413):
            self.assertEqual(self.upload_vector("v3-empty")[0], expected)
        start = time.monotonic()
        self.assertEqual(self.upload_vector("v3-empty")[0], 200)
        self.assertGreaterEqual(time.monotonic() - start, 2.9)
        with self.assertRaises((TimeoutError, socket.timeout)):
            self.upload_vector("v3-empty", timeout=1)
        with self.assertRaises((http.client.RemoteDisconnected, ConnectionError, ssl.SSLError)):
            self.upload_vector("v3-empty")
        with self.assertRaises(http.client.BadStatusLine):
            self.upload_vector("v3-empty")
        self.assert_normal_again()
        self.assertEqual([r["singular_count"] for r in self.collector.rows()], [0, 5])
        stats = self.collector.stats()
        self.assertEqual((stats["accepted"], stats["faults_applied"], stats["faults_pending"]),
                         (2, 10, 0))

    def test_faults_are_changed_at_run_time(self):
        self.collector.set_faults([{"status": 500}, {"status": 500}])
        self.assertEqual(self.upload_vector("v3-empty")[0], 500)
        # A new queue replaces the rest of the old one; "append" adds to it.
        self.collector.set_faults([{"status": 503}])
        self.assertEqual(self.collector.set_faults([{"status": 429}], append=True), {"queued": 2})
        self.assertEqual(self.upload_vector("v3-empty")[0], 503)
        self.assertEqual(self.upload_vector("v3-empty")[0], 429)
        self.assertEqual(self.upload_vector("v3-empty")[0], 200)

    def test_bad_fault_requests(self):
        for body in (b"not json", b"[]", b"{}", b'{"queue": {}}', b'{"queue": [1]}',
                     b'{"queue": [{}]}', b'{"queue": [{"status": 99}]}',
                     b'{"queue": [{"status": 500, "hang": true}]}',
                     b'{"queue": [{"delay_ms": -1}]}',
                     b'{"queue": [{"hang": true, "retry_after": 1}]}'):
            with self.subTest(body=body):
                status, _, _ = self.collector.request("POST", "/control/faults", body=body)
                self.assertEqual(status, 400)
        self.assertEqual(self.collector.stats()["faults_pending"], 0)
        self.assertEqual(self.collector.request("GET", "/control/faults")[0], 405)
        self.assertEqual(self.collector.request("GET", "/control/nothing")[0], 404)


class TestStats(CollectorTestCase):
    def test_stats_and_reset(self):
        stats = self.collector.stats()
        self.assertEqual((stats["accepted"], stats["rejected"], stats["connections"]), (0, 0, 1))
        # Two uploads on one connection, one bad upload on another.
        conn = self.collector.connect()
        self.addCleanup(conn.close)
        self.assertEqual(self.upload_vector("v3-singulars", conn=conn)[0], 200)
        self.assertEqual(self.upload_vector("v3-aggregates", conn=conn)[0], 200)
        self.assertEqual(self.collector.upload(b"", sha512(b""))[0], 400)
        stats = self.collector.stats()
        self.assertEqual((stats["accepted"], stats["rejected"]), (2, 1))
        # stats, the keep-alive connection, the bad upload, this stats request.
        self.assertEqual(stats["connections"], 4)

        self.collector.set_faults([{"status": 500}])
        self.collector.reset()
        stats = self.collector.stats()
        self.assertEqual(
            (stats["accepted"], stats["rejected"], stats["faults_pending"], stats["connections"]),
            (0, 0, 0, 1))
        # Faults are gone; the database keeps what it stored.
        self.assertEqual(self.upload_vector("v3-empty", conn=conn)[0], 200)
        stats = self.collector.stats()
        self.assertEqual((stats["accepted"], stats["connections"]), (1, 3))
        self.assertEqual(len(self.collector.rows()), 3)


if __name__ == "__main__":
    unittest.main()
