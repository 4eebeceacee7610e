// SPDX-License-Identifier: GPL-2.0-or-later
#include "ledger.hpp"

#include <algorithm>
#include <limits>

namespace metrics {

namespace {

int64_t as_sql_int(uint64_t v) {
  return static_cast<int64_t>(std::min<uint64_t>(v, std::numeric_limits<int64_t>::max()));
}

int64_t limit_of(size_t n) {
  return static_cast<int64_t>(std::min<size_t>(n, std::numeric_limits<int64_t>::max()));
}

}  // namespace

Ledger::Ledger(Store& store, size_t kept_bodies, size_t kept_entries)
    : store_(store), kept_bodies_(kept_bodies), kept_entries_(std::max<size_t>(kept_entries, 1)) {}

Result<size_t> Ledger::flush_pending() {
  while (!pending_.empty()) {
    if (auto r = write(pending_.front()); !r) return r.error();
    pending_.pop_front();
  }
  return size_t{0};
}

Result<void> Ledger::record_attempt(const LedgerAttempt& a) {
  // In order: what could not be written before goes first.
  auto flushed = flush_pending();
  if (flushed) {
    auto written = write(a);
    if (written) return Ok();
    flushed = written.error();
  }
  LedgerAttempt kept = a;
  kept.body = {};
  kept.message += " (written late: the ledger could not be written at the time; body not kept)";
  pending_.push_back(std::move(kept));
  std::string message = flushed.error().message + "; the attempt (" + a.outcome + ", " + a.url +
                        ") is kept in memory and written later (" +
                        std::to_string(pending_.size()) + " waiting)";
  if (pending_.size() > kMaxPending) {
    const LedgerAttempt& lost = pending_.front();
    message += "; dropped the oldest waiting attempt from the ledger: " + lost.outcome + " " +
               lost.url + " at " + std::to_string(lost.time_ns / 1'000'000'000) + " s";
    pending_.pop_front();
  }
  return Error{flushed.error().code, message};
}

Result<void> Ledger::write(const LedgerAttempt& a) {
  return store_.atomically([&]() -> Result<void> {
    auto ins = store_.prepare(
        "INSERT INTO ledger (time_ns, url, sha512, compressed_size, uncompressed_size, "
        "singular_events, aggregate_events, outcome, http_status, message) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
    if (!ins) return ins.error();
    ins->bind(1, a.time_ns)
        .bind(2, a.url)
        .bind(3, a.sha512)
        .bind(4, as_sql_int(a.compressed_size))
        .bind(5, as_sql_int(a.uncompressed_size))
        .bind(6, as_sql_int(a.singular_events))
        .bind(7, as_sql_int(a.aggregate_events))
        .bind(8, a.outcome)
        .bind(9, static_cast<int64_t>(a.http_status))
        .bind(10, a.message);
    if (ins->step() != SQLITE_DONE) return store_.sql_error("cannot record the upload attempt");
    const int64_t id = sqlite3_last_insert_rowid(store_.db_.get());

    if (!a.body.empty() && kept_bodies_ > 0) {
      // A retry sends the same bytes: keep one copy, under the newest attempt.
      auto dup = store_.prepare(
          "DELETE FROM ledger_body WHERE ledger_id IN "
          "(SELECT id FROM ledger WHERE sha512 = ?1 AND id <> ?2)");
      if (!dup) return dup.error();
      dup->bind(1, a.sha512).bind(2, id);
      if (dup->step() != SQLITE_DONE) return store_.sql_error("cannot replace a kept body");
      auto body = store_.prepare("INSERT INTO ledger_body (ledger_id, body) VALUES (?1, ?2)");
      if (!body) return body.error();
      body->bind(1, id).bind_borrowed(2, a.body);  // up to 1 MiB: not copied first
      if (body->step() != SQLITE_DONE) return store_.sql_error("cannot keep the uploaded body");
    }

    auto trim_entries = store_.prepare(
        "DELETE FROM ledger WHERE id NOT IN (SELECT id FROM ledger ORDER BY id DESC LIMIT ?1)");
    if (!trim_entries) return trim_entries.error();
    trim_entries->bind(1, limit_of(kept_entries_));
    if (trim_entries->step() != SQLITE_DONE) return store_.sql_error("cannot trim the ledger");
    auto trim_bodies = store_.prepare(
        "DELETE FROM ledger_body WHERE ledger_id NOT IN (SELECT id FROM ledger) OR ledger_id NOT "
        "IN (SELECT ledger_id FROM ledger_body ORDER BY ledger_id DESC LIMIT ?1)");
    if (!trim_bodies) return trim_bodies.error();
    trim_bodies->bind(1, limit_of(kept_bodies_));
    if (trim_bodies->step() != SQLITE_DONE)
      return store_.sql_error("cannot drop old uploaded bodies");
    return Ok();
  });
}

Result<std::vector<LedgerEntry>> Ledger::recent(size_t n) {
  auto st = store_.prepare(
      "SELECT l.id, l.time_ns, l.url, l.sha512, l.compressed_size, l.uncompressed_size, "
      "l.singular_events, l.aggregate_events, l.outcome, l.http_status, l.message, "
      "EXISTS (SELECT 1 FROM ledger_body b JOIN ledger k ON k.id = b.ledger_id "
      "        WHERE k.sha512 = l.sha512) "
      "FROM ledger l ORDER BY l.id DESC LIMIT ?1");
  if (!st) return st.error();
  st->bind(1, limit_of(n));
  std::vector<LedgerEntry> out;
  int rc;
  while ((rc = st->step()) == SQLITE_ROW) {
    LedgerEntry e;
    e.id = st->column_int(0);
    e.time_ns = st->column_int(1);
    e.url = st->column_text(2);
    e.sha512 = st->column_text(3);
    e.compressed_size = static_cast<uint64_t>(st->column_int(4));
    e.uncompressed_size = static_cast<uint64_t>(st->column_int(5));
    e.singular_events = static_cast<uint64_t>(st->column_int(6));
    e.aggregate_events = static_cast<uint64_t>(st->column_int(7));
    e.outcome = st->column_text(8);
    e.http_status = static_cast<int>(st->column_int(9));
    e.message = st->column_text(10);
    e.body_kept = st->column_int(11) != 0;
    out.push_back(std::move(e));
  }
  if (rc != SQLITE_DONE) return store_.sql_error("cannot read the upload ledger");
  return out;
}

Result<std::optional<std::vector<uint8_t>>> Ledger::body(int64_t id) {
  auto st = store_.prepare(
      "SELECT b.body FROM ledger_body b JOIN ledger k ON k.id = b.ledger_id "
      "WHERE k.sha512 = (SELECT sha512 FROM ledger WHERE id = ?1) "
      "ORDER BY b.ledger_id DESC LIMIT 1");
  if (!st) return st.error();
  st->bind(1, id);
  const int rc = st->step();
  if (rc == SQLITE_ROW) {
    auto blob = st->column_blob(0);
    return std::optional<std::vector<uint8_t>>(std::vector<uint8_t>(blob.begin(), blob.end()));
  }
  if (rc == SQLITE_DONE) return std::optional<std::vector<uint8_t>>();
  return store_.sql_error("cannot read an uploaded body");
}

}  // namespace metrics
