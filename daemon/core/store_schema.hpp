// SPDX-License-Identifier: GPL-2.0-or-later
// The store's tables, in one place: Store creates them, the salvage of a damaged
// database creates them in the new file it copies rows into.
#pragma once

namespace metrics {

inline constexpr const char* kStoreSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS singular (
  id INTEGER PRIMARY KEY, uid INTEGER NOT NULL, event_id BLOB NOT NULL,
  os_version TEXT NOT NULL, relative_ns INTEGER NOT NULL, payload BLOB NOT NULL,
  size INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS counts (
  period TEXT NOT NULL, event_id BLOB NOT NULL, payload BLOB NOT NULL, uid INTEGER NOT NULL,
  count INTEGER NOT NULL, size INTEGER NOT NULL,
  PRIMARY KEY (period, event_id, payload, uid)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS aggregate (
  id INTEGER PRIMARY KEY, uid INTEGER NOT NULL, event_id BLOB NOT NULL,
  os_version TEXT NOT NULL, period TEXT NOT NULL, count INTEGER NOT NULL,
  payload BLOB NOT NULL, size INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS set_aside (
  id INTEGER PRIMARY KEY, reason TEXT NOT NULL, time INTEGER NOT NULL, body BLOB NOT NULL,
  singular_events INTEGER NOT NULL DEFAULT 0, aggregate_events INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS ledger (
  id INTEGER PRIMARY KEY, time_ns INTEGER NOT NULL, url TEXT NOT NULL, sha512 TEXT NOT NULL,
  compressed_size INTEGER NOT NULL, uncompressed_size INTEGER NOT NULL,
  singular_events INTEGER NOT NULL, aggregate_events INTEGER NOT NULL,
  outcome TEXT NOT NULL, http_status INTEGER NOT NULL, message TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS ledger_sha512 ON ledger (sha512);
CREATE TABLE IF NOT EXISTS ledger_body (ledger_id INTEGER PRIMARY KEY, body BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS singular_uid ON singular (uid, id);
CREATE INDEX IF NOT EXISTS aggregate_uid ON aggregate (uid, id);
CREATE INDEX IF NOT EXISTS counts_uid ON counts (uid);
)sql";

}  // namespace metrics
