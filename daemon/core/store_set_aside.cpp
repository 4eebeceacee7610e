// SPDX-License-Identifier: GPL-2.0-or-later
// Set-aside batches: what the server refused for good, kept as the refused body (to
// show) and as the queue rows it was made of (to put back in the queue on request).
#include <glib.h>

#include "store.hpp"

namespace metrics {

namespace {

// Created on first use rather than with the rest of the schema: a database of an older
// version gains them the first time a batch is set aside or listed.
constexpr const char* kSetAsideSchema = R"sql(
CREATE TABLE IF NOT EXISTS set_aside_singular (
  batch_id INTEGER NOT NULL, uid INTEGER NOT NULL, event_id BLOB NOT NULL,
  os_version TEXT NOT NULL, relative_ns INTEGER NOT NULL, payload BLOB NOT NULL,
  size INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS set_aside_singular_batch ON set_aside_singular (batch_id);
CREATE TABLE IF NOT EXISTS set_aside_aggregate (
  batch_id INTEGER NOT NULL, uid INTEGER NOT NULL, event_id BLOB NOT NULL,
  os_version TEXT NOT NULL, period TEXT NOT NULL, count INTEGER NOT NULL,
  payload BLOB NOT NULL, size INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS set_aside_aggregate_batch ON set_aside_aggregate (batch_id);
)sql";

std::string json_ids(const std::vector<int64_t>& ids) {
  std::string out = "[";
  out.reserve(ids.size() * 8 + 2);
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i != 0) out += ',';
    out += std::to_string(ids[i]);
  }
  return out + ']';
}

}  // namespace

Result<void> Store::ensure_set_aside_tables() {
  if (set_aside_tables_ready_) return Ok();
  if (auto r = exec(kSetAsideSchema); !r) return r;
  set_aside_tables_ready_ = true;
  return Ok();
}

Result<int64_t> Store::set_aside_batch(const std::vector<int64_t>& singular_ids,
                                       const std::vector<int64_t>& aggregate_ids,
                                       const std::string& reason, std::span<const uint8_t> body,
                                       int64_t time_ns) {
  if (auto r = ensure_set_aside_tables(); !r) return r.error();
  if (time_ns == 0) time_ns = g_get_real_time() * 1000;
  int64_t dropped = 0;
  auto done = atomically([&]() -> Result<void> {
    auto ins = prepare(
        "INSERT INTO set_aside (reason, time, body, singular_events, aggregate_events) "
        "VALUES (?1, ?2, ?3, ?4, ?5)");
    if (!ins) return ins.error();
    ins->bind(1, reason)
        .bind(2, time_ns)
        .bind(3, body)
        .bind(4, static_cast<int64_t>(singular_ids.size()))
        .bind(5, static_cast<int64_t>(aggregate_ids.size()));
    if (ins->step() != SQLITE_DONE) return sql_error("cannot set the rejected batch aside");
    const int64_t batch = sqlite3_last_insert_rowid(db_.get());
    struct Copy {
      const std::vector<int64_t>& ids;
      const char* sql;
    };
    const Copy copies[] = {
        {singular_ids,
         "INSERT INTO set_aside_singular (batch_id, uid, event_id, os_version, relative_ns, "
         "payload, size) SELECT ?1, uid, event_id, os_version, relative_ns, payload, size "
         "FROM singular WHERE id IN (SELECT value FROM json_each(?2)) ORDER BY id"},
        {aggregate_ids,
         "INSERT INTO set_aside_aggregate (batch_id, uid, event_id, os_version, period, count, "
         "payload, size) SELECT ?1, uid, event_id, os_version, period, count, payload, size "
         "FROM aggregate WHERE id IN (SELECT value FROM json_each(?2)) ORDER BY id"},
    };
    for (const Copy& copy : copies) {
      if (copy.ids.empty()) continue;
      auto st = prepare(copy.sql);
      if (!st) return st.error();
      const std::string ids = json_ids(copy.ids);
      st->bind(1, batch).bind(2, std::string_view(ids));
      if (st->step() != SQLITE_DONE) return sql_error("cannot keep the rejected batch's events");
    }
    if (auto r = remove_queued(singular_ids, aggregate_ids); !r) return r;
    auto count = prepare("SELECT MAX(COUNT(*) - ?1, 0) FROM set_aside");
    if (!count) return count.error();
    count->bind(1, kMaxSetAsideBatches);
    if (count->step() != SQLITE_ROW) return sql_error("cannot count set-aside batches");
    dropped = count->column_int(0);
    if (dropped == 0) return Ok();
    for (const char* sql :
         {"DELETE FROM set_aside WHERE id NOT IN "
          "(SELECT id FROM set_aside ORDER BY id DESC LIMIT ?1)",
          "DELETE FROM set_aside_singular WHERE batch_id NOT IN (SELECT id FROM set_aside)",
          "DELETE FROM set_aside_aggregate WHERE batch_id NOT IN (SELECT id FROM set_aside)"}) {
      auto trim = prepare(sql);
      if (!trim) return trim.error();
      if (sqlite3_bind_parameter_count(trim->get()) > 0) trim->bind(1, kMaxSetAsideBatches);
      if (trim->step() != SQLITE_DONE) return sql_error("cannot drop old set-aside batches");
    }
    return Ok();
  });
  if (!done) return done.error();
  return dropped;
}

Result<int64_t> Store::set_aside_count() {
  auto st = prepare("SELECT COUNT(*) FROM set_aside");
  if (!st) return st.error();
  if (st->step() != SQLITE_ROW) return sql_error("cannot count set-aside batches");
  return st->column_int(0);
}

Result<int64_t> Store::set_aside_event_count() {
  auto st = prepare("SELECT IFNULL(SUM(singular_events + aggregate_events), 0) FROM set_aside");
  if (!st) return st.error();
  if (st->step() != SQLITE_ROW) return sql_error("cannot count set-aside events");
  return st->column_int(0);
}

Result<std::vector<SetAsideBatch>> Store::set_aside_batches() {
  if (auto r = ensure_set_aside_tables(); !r) return r.error();
  auto st = prepare(
      "SELECT id, time, reason, singular_events, aggregate_events, length(body), "
      "EXISTS (SELECT 1 FROM set_aside_singular WHERE batch_id = s.id) OR "
      "EXISTS (SELECT 1 FROM set_aside_aggregate WHERE batch_id = s.id) "
      "FROM set_aside s ORDER BY id");
  if (!st) return st.error();
  std::vector<SetAsideBatch> out;
  int rc;
  while ((rc = st->step()) == SQLITE_ROW) {
    SetAsideBatch b;
    b.id = st->column_int(0);
    b.time_ns = st->column_int(1);
    b.reason = st->column_text(2);
    b.singular_events = st->column_int(3);
    b.aggregate_events = st->column_int(4);
    b.body_bytes = st->column_int(5);
    b.requeueable = st->column_int(6) != 0;
    out.push_back(std::move(b));
  }
  if (rc != SQLITE_DONE) return sql_error("cannot read the set-aside batches");
  return out;
}

Result<std::optional<std::vector<uint8_t>>> Store::set_aside_body(int64_t id) {
  auto st = prepare("SELECT body FROM set_aside WHERE id = ?1");
  if (!st) return st.error();
  st->bind(1, id);
  const int rc = st->step();
  if (rc == SQLITE_ROW) {
    auto blob = st->column_blob(0);
    return std::optional<std::vector<uint8_t>>(std::vector<uint8_t>(blob.begin(), blob.end()));
  }
  if (rc == SQLITE_DONE) return std::optional<std::vector<uint8_t>>();
  return sql_error("cannot read a set-aside batch");
}

Result<int64_t> Store::requeue_set_aside(int64_t id) {
  auto batches = set_aside_batches();
  if (!batches) return batches.error();
  std::vector<int64_t> chosen;
  for (const SetAsideBatch& b : *batches) {
    if (id != 0 && b.id != id) continue;
    if (id != 0 && !b.requeueable) {
      return Error{ErrorCode::kSetAsideNotRequeueable,
                   "set-aside batch " + std::to_string(id) +
                       " was set aside by an older version, which kept only the body it sent "
                       "('metricsctl set-aside show " +
                       std::to_string(id) + "' shows it); its events cannot be put back"};
    }
    if (b.requeueable) chosen.push_back(b.id);
  }
  if (id != 0 && chosen.empty()) {
    return Error{ErrorCode::kNoSuchSetAside, "there is no set-aside batch " + std::to_string(id) +
                                                 " ('metricsctl set-aside list' shows them)"};
  }
  if (chosen.empty()) return int64_t{0};
  const std::string ids = json_ids(chosen);
  int64_t moved = 0;
  auto done = atomically([&]() -> Result<void> {
    // New row ids: the events go after what is queued now, in their old order.
    for (const char* sql :
         {"INSERT INTO singular (uid, event_id, os_version, relative_ns, payload, size) "
          "SELECT uid, event_id, os_version, relative_ns, payload, size FROM set_aside_singular "
          "WHERE batch_id IN (SELECT value FROM json_each(?1)) ORDER BY batch_id, rowid",
          "INSERT INTO aggregate (uid, event_id, os_version, period, count, payload, size) "
          "SELECT uid, event_id, os_version, period, count, payload, size FROM "
          "set_aside_aggregate WHERE batch_id IN (SELECT value FROM json_each(?1)) "
          "ORDER BY batch_id, rowid"}) {
      auto st = prepare(sql);
      if (!st) return st.error();
      st->bind(1, std::string_view(ids));
      if (st->step() != SQLITE_DONE) return sql_error("cannot put set-aside events back");
      moved += sqlite3_changes(db_.get());
    }
    for (const char* sql :
         {"DELETE FROM set_aside_singular WHERE batch_id IN (SELECT value FROM json_each(?1))",
          "DELETE FROM set_aside_aggregate WHERE batch_id IN (SELECT value FROM json_each(?1))",
          "DELETE FROM set_aside WHERE id IN (SELECT value FROM json_each(?1))"}) {
      auto st = prepare(sql);
      if (!st) return st.error();
      st->bind(1, std::string_view(ids));
      if (st->step() != SQLITE_DONE) return sql_error("cannot forget re-queued batches");
    }
    return load_totals();  // the rows are charged to their uids again
  });
  if (!done) return done.error();
  return moved;
}

}  // namespace metrics
