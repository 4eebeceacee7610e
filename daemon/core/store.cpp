// SPDX-License-Identifier: GPL-2.0-or-later
#include "store.hpp"

#include "store_fault.hpp"
#include "store_files.hpp"
#include "store_schema.hpp"

#include <glib.h>

#include <algorithm>
#include <system_error>

namespace metrics {

namespace fs = std::filesystem;

namespace {

constexpr const char* kDatabaseName = "metrics.db";

std::vector<uint8_t> to_vector(std::span<const uint8_t> s) {
  return {s.begin(), s.end()};
}

Uuid uuid_of(std::span<const uint8_t> blob) {
  return Uuid::from_bytes(blob).value_or(Uuid{});
}

}  // namespace

// Messages name the database and, for a fault a person can fix (permissions, a lock, a
// full disk), what to do.
Error Store::sql_error(const char* what) const {
  if (!db_) return unavailable_error();
  return {ErrorCode::kStorageFailure,
          describe_storage_fault(sqlite3_extended_errcode(db_.get()),
                                 std::string(what) + ": " + sqlite3_errmsg(db_.get()),
                                 dir_ / kDatabaseName)};
}

Result<void> Store::exec(const char* sql) {
  if (!db_) return unavailable_error();
  char* msg = nullptr;
  if (sqlite3_exec(db_.get(), sql, nullptr, nullptr, &msg) != SQLITE_OK) {
    std::string text = msg ? msg : "unknown error";
    sqlite3_free(msg);
    return Error{
        ErrorCode::kStorageFailure,
        describe_storage_fault(sqlite3_extended_errcode(db_.get()), text, dir_ / kDatabaseName)};
  }
  return Ok();
}

Result<Statement> Store::prepare(const char* sql) {
  if (!db_) return unavailable_error();
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v3(db_.get(), sql, -1, SQLITE_PREPARE_PERSISTENT, &raw, nullptr) !=
      SQLITE_OK) {
    sqlite3_finalize(raw);
    return sql_error("cannot prepare statement");
  }
  return Statement(SqliteStmtPtr(raw));
}

Result<std::string> Store::integrity_check() {
  auto st = prepare("PRAGMA quick_check");
  if (!st) return st.error();
  std::string result;
  int rc;
  while ((rc = st->step()) == SQLITE_ROW) {
    if (!result.empty()) result += "; ";
    result += st->column_text(0);
  }
  if (rc != SQLITE_DONE) return sql_error("integrity check");
  return result;
}

Result<void> Store::init_schema() {
  // WAL, synchronous as the sync mode says (store_sync.cpp).
  // secure_delete: deleted rows are overwritten, not left in free pages.
  // (cache_size is set in open(), before the integrity check.)
  if (auto r = exec("PRAGMA journal_mode=WAL; PRAGMA secure_delete=ON;"); !r) return r;
  if (auto r = exec(synchronous_pragma()); !r) return r;
  sqlite3_commit_hook(db_.get(), &Store::on_commit_hook, this);
  if (auto r = exec(kStoreSchema); !r) return r;
  auto ins = prepare(
      "INSERT INTO singular (uid, event_id, os_version, relative_ns, payload, size) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  if (!ins) return ins.error();
  insert_singular_ = std::move(ins.value());
  auto upd = prepare(
      "UPDATE counts SET count = count + ?5 WHERE period = ?1 AND event_id = ?2 AND payload = ?3 "
      "AND uid = ?4");
  if (!upd) return upd.error();
  update_count_ = std::move(upd.value());
  auto insc = prepare(
      "INSERT INTO counts (period, event_id, payload, uid, count, size) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  if (!insc) return insc.error();
  insert_count_ = std::move(insc.value());
  return Ok();
}

Result<void> Store::load_totals() {
  total_bytes_ = 0;
  singular_count_ = 0;
  uid_bytes_.clear();
  auto st = prepare(
      "SELECT uid, SUM(size), SUM(is_singular) FROM ("
      " SELECT uid, size, 1 AS is_singular FROM singular"
      " UNION ALL SELECT uid, size, 0 FROM counts"
      " UNION ALL SELECT uid, size, 0 FROM aggregate) GROUP BY uid");
  if (!st) return st.error();
  int rc;
  while ((rc = st->step()) == SQLITE_ROW) {
    const auto uid = static_cast<uint32_t>(st->column_int(0));
    uid_bytes_[uid] = st->column_int(1);
    total_bytes_ += st->column_int(1);
    singular_count_ += st->column_int(2);
  }
  if (rc != SQLITE_DONE) return sql_error("reading queue size");
  return Ok();
}

int64_t Store::bytes_of_uid(uint32_t uid) const {
  auto it = uid_bytes_.find(uid);
  return it == uid_bytes_.end() ? 0 : it->second;
}

void Store::charge(uint32_t uid, int64_t size) {
  total_bytes_ += size;
  uid_bytes_[uid] += size;
}

Result<void> Store::begin() {
  if (in_transaction_) return Ok();
  if (auto r = exec("BEGIN IMMEDIATE"); !r) return r;
  in_transaction_ = true;
  return Ok();
}

Result<void> Store::commit() {
  if (!in_transaction_) return Ok();
  if (auto r = exec("COMMIT"); !r) {
    rollback();
    return r;
  }
  in_transaction_ = false;
  return Ok();
}

void Store::rollback() {
  if (!in_transaction_) return;
  if (!db_) {
    in_transaction_ = false;
    return;
  }
  (void)exec("ROLLBACK");
  in_transaction_ = false;
  // Recount from what is really on disk now; cheap next to a failed commit.
  (void)load_totals();
}

Result<void> Store::add_singular(uint32_t uid, const Uuid& event_id, const std::string& os_version,
                                 int64_t relative_ns, std::span<const uint8_t> payload,
                                 int64_t size) {
  if (!db_) return unavailable_error();
  auto& st = insert_singular_;
  st.bind(1, static_cast<int64_t>(uid))
      .bind(2, std::span<const uint8_t>(event_id.bytes))
      .bind(3, os_version)
      .bind(4, relative_ns)
      .bind(5, payload)
      .bind(6, size);
  const int rc = st.step();
  st.reset();
  if (rc != SQLITE_DONE) return sql_error("cannot store event");
  charge(uid, size);
  ++singular_count_;
  return Ok();
}

Result<void> Store::add_count(uint32_t uid, const Uuid& event_id, const std::string& period,
                              std::span<const uint8_t> payload, int64_t delta, int64_t size) {
  if (!db_) return unavailable_error();
  auto& upd = update_count_;
  upd.bind(1, period)
      .bind(2, std::span<const uint8_t>(event_id.bytes))
      .bind(3, payload)
      .bind(4, static_cast<int64_t>(uid))
      .bind(5, delta);
  int rc = upd.step();
  upd.reset();
  if (rc != SQLITE_DONE) return sql_error("cannot update count");
  if (sqlite3_changes(db_.get()) > 0) return Ok();
  auto& ins = insert_count_;
  ins.bind(1, period)
      .bind(2, std::span<const uint8_t>(event_id.bytes))
      .bind(3, payload)
      .bind(4, static_cast<int64_t>(uid))
      .bind(5, delta)
      .bind(6, size);
  rc = ins.step();
  ins.reset();
  if (rc != SQLITE_DONE) return sql_error("cannot store count");
  charge(uid, size);
  return Ok();
}

Result<int64_t> Store::roll_over(const std::string& today, const std::string& month,
                                 const std::string& os_version) {
  auto move = prepare(
      "INSERT INTO aggregate (uid, event_id, os_version, period, count, payload, size) "
      "SELECT uid, event_id, ?3, period, MIN(MAX(count, 0), 4294967295), payload, "
      "size FROM counts WHERE (length(period) = 10 AND period < ?1) OR "
      "(length(period) = 7 AND period < ?2) ORDER BY period, event_id");
  if (!move) return move.error();
  move->bind(1, today).bind(2, month).bind(3, os_version);
  if (move->step() != SQLITE_DONE) return sql_error("cannot move counts to the upload queue");
  const int64_t moved = sqlite3_changes(db_.get());
  if (moved == 0) return int64_t{0};
  auto del = prepare(
      "DELETE FROM counts WHERE (length(period) = 10 AND period < ?1) OR "
      "(length(period) = 7 AND period < ?2)");
  if (!del) return del.error();
  del->bind(1, today).bind(2, month);
  if (del->step() != SQLITE_DONE) return sql_error("cannot remove rolled-over counts");
  // Sizes are unchanged: a count was charged as the aggregate it becomes.
  return moved;
}

Result<void> Store::purge_all() {
  rollback();
  if (auto r = ensure_set_aside_tables(); !r) return r;
  if (auto r = exec("BEGIN IMMEDIATE; DELETE FROM singular; DELETE FROM counts; "
                    "DELETE FROM aggregate; DELETE FROM set_aside; DELETE FROM set_aside_singular; "
                    "DELETE FROM set_aside_aggregate; DELETE FROM ledger_body; "
                    "DELETE FROM ledger; COMMIT;");
      !r) {
    (void)exec("ROLLBACK");
    return r;
  }
  // VACUUM rewrites the file without free pages; the checkpoint copies it back from the
  // WAL and truncates the WAL to zero bytes, so no old frame keeps a payload.
  if (auto r = exec("VACUUM; PRAGMA wal_checkpoint(TRUNCATE);"); !r) return r;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir_, ec)) {
    if (entry.path().filename().string().rfind(kSetAsidePrefix, 0) == 0)
      fs::remove(entry.path(), ec);
  }
  forget_acknowledged();  // their rows are gone with the rest
  return load_totals();
}

Result<int64_t> Store::max_relative_ns() {
  auto st = prepare("SELECT COALESCE(MAX(relative_ns), 0) FROM singular");
  if (!st) return st.error();
  if (st->step() != SQLITE_ROW) return sql_error("cannot read the queue's time-line");
  return st->column_int(0);
}

Result<std::optional<std::string>> Store::get_meta(const std::string& key) {
  auto st = prepare("SELECT value FROM meta WHERE key = ?1");
  if (!st) return st.error();
  st->bind(1, key);
  const int rc = st->step();
  if (rc == SQLITE_ROW) return std::optional<std::string>(st->column_text(0));
  if (rc == SQLITE_DONE) return std::optional<std::string>();
  return sql_error("cannot read state");
}

Result<void> Store::set_meta(const std::string& key, const std::string& value) {
  auto st = prepare("INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)");
  if (!st) return st.error();
  st->bind(1, key).bind(2, value);
  if (st->step() != SQLITE_DONE) return sql_error("cannot write state");
  return Ok();
}

Result<std::vector<StoredSingular>> Store::singulars(std::optional<uint32_t> uid, int64_t limit) {
  // One uid's rows come from the index on (uid, id), never from a scan of everyone's.
  auto st =
      prepare(uid ? "SELECT id, uid, event_id, os_version, relative_ns, payload FROM singular "
                    "WHERE uid = ?1 ORDER BY id LIMIT ?2"
                  : "SELECT id, uid, event_id, os_version, relative_ns, payload FROM singular "
                    "ORDER BY id LIMIT ?2");
  if (!st) return st.error();
  if (uid) st->bind(1, static_cast<int64_t>(*uid));
  st->bind(2, limit);
  std::vector<StoredSingular> out;
  int rc;
  while ((rc = st->step()) == SQLITE_ROW) {
    out.push_back({st->column_int(0), static_cast<uint32_t>(st->column_int(1)),
                   uuid_of(st->column_blob(2)), st->column_text(3), st->column_int(4),
                   to_vector(st->column_blob(5))});
  }
  if (rc != SQLITE_DONE) return sql_error("cannot read events");
  return out;
}

Result<int64_t> Store::queued_events_of(uint32_t uid) {
  auto st = prepare(
      "SELECT (SELECT COUNT(*) FROM singular WHERE uid = ?1) + "
      "(SELECT COUNT(*) FROM aggregate WHERE uid = ?1)");
  if (!st) return st.error();
  st->bind(1, static_cast<int64_t>(uid));
  if (st->step() != SQLITE_ROW) return sql_error("cannot count queued events");
  return st->column_int(0);
}

Result<int64_t> Store::running_counts(std::optional<uint32_t> uid) {
  auto st =
      prepare(uid ? "SELECT COUNT(*) FROM counts WHERE uid = ?1" : "SELECT COUNT(*) FROM counts");
  if (!st) return st.error();
  if (uid) st->bind(1, static_cast<int64_t>(*uid));
  if (st->step() != SQLITE_ROW) return sql_error("cannot count the running counts");
  return st->column_int(0);
}

Result<std::vector<StoredAggregate>> Store::aggregates(std::optional<uint32_t> uid, int64_t limit) {
  auto st = prepare(uid ? "SELECT id, uid, event_id, os_version, period, count, payload "
                          "FROM aggregate WHERE uid = ?1 ORDER BY id LIMIT ?2"
                        : "SELECT id, uid, event_id, os_version, period, count, payload "
                          "FROM aggregate ORDER BY id LIMIT ?2");
  if (!st) return st.error();
  if (uid) st->bind(1, static_cast<int64_t>(*uid));
  st->bind(2, limit);
  std::vector<StoredAggregate> out;
  int rc;
  while ((rc = st->step()) == SQLITE_ROW) {
    out.push_back({st->column_int(0), static_cast<uint32_t>(st->column_int(1)),
                   uuid_of(st->column_blob(2)), st->column_text(3), st->column_text(4),
                   static_cast<uint32_t>(st->column_int(5)), to_vector(st->column_blob(6))});
  }
  if (rc != SQLITE_DONE) return sql_error("cannot read aggregate events");
  return out;
}

Result<std::vector<StoredCount>> Store::counts(std::optional<uint32_t> uid, int64_t limit) {
  auto st = prepare(uid ? "SELECT uid, event_id, period, count, payload FROM counts "
                          "WHERE uid = ?1 ORDER BY period, event_id LIMIT ?2"
                        : "SELECT uid, event_id, period, count, payload FROM counts "
                          "ORDER BY period, event_id LIMIT ?2");
  if (!st) return st.error();
  if (uid) st->bind(1, static_cast<int64_t>(*uid));
  st->bind(2, limit);
  std::vector<StoredCount> out;
  int rc;
  while ((rc = st->step()) == SQLITE_ROW) {
    out.push_back({static_cast<uint32_t>(st->column_int(0)), uuid_of(st->column_blob(1)),
                   st->column_text(2), st->column_int(3), to_vector(st->column_blob(4))});
  }
  if (rc != SQLITE_DONE) return sql_error("cannot read counts");
  return out;
}

}  // namespace metrics

// ---- Upload support -------------------------------------------------------------------

namespace metrics {

Result<void> Store::atomically(const std::function<Result<void>()>& body) {
  const bool nested = in_transaction_;
  if (auto r = exec(nested ? "SAVEPOINT store_atomically" : "BEGIN IMMEDIATE"); !r) return r;
  in_transaction_ = true;
  Result<void> result = body();
  if (result) result = exec(nested ? "RELEASE store_atomically" : "COMMIT");
  if (!result) {
    if (nested) {
      (void)exec("ROLLBACK TO store_atomically; RELEASE store_atomically");
      (void)load_totals();
    } else {
      rollback();  // also reloads the totals
    }
    return result;
  }
  in_transaction_ = nested;
  return Ok();
}

Result<void> Store::remove_queued(const std::vector<int64_t>& singular_ids,
                                  const std::vector<int64_t>& aggregate_ids) {
  // A sent batch holds thousands of ids: one statement per table over a JSON array of
  // them is several times cheaper than one DELETE per row, and the per-uid byte
  // accounting comes from one grouped sum taken before the rows go.
  struct Table {
    const std::vector<int64_t>& ids;
    const char* sum_sql;
    const char* delete_sql;
    bool singular;
  };
  const Table tables[] = {
      {singular_ids,
       "SELECT uid, SUM(size), COUNT(*) FROM singular "
       "WHERE id IN (SELECT value FROM json_each(?1)) GROUP BY uid",
       "DELETE FROM singular WHERE id IN (SELECT value FROM json_each(?1))", true},
      {aggregate_ids,
       "SELECT uid, SUM(size), COUNT(*) FROM aggregate "
       "WHERE id IN (SELECT value FROM json_each(?1)) GROUP BY uid",
       "DELETE FROM aggregate WHERE id IN (SELECT value FROM json_each(?1))", false},
  };
  for (const Table& table : tables) {
    if (table.ids.empty()) continue;
    std::string ids_json = "[";
    ids_json.reserve(table.ids.size() * 8 + 2);
    for (size_t i = 0; i < table.ids.size(); ++i) {
      if (i != 0) ids_json += ',';
      ids_json += std::to_string(table.ids[i]);
    }
    ids_json += ']';

    auto sum = prepare(table.sum_sql);
    if (!sum) return sum.error();
    sum->bind(1, std::string_view(ids_json));
    struct Share {
      uint32_t uid;
      int64_t bytes;
      int64_t rows;
    };
    std::vector<Share> shares;
    int rc;
    while ((rc = sum->step()) == SQLITE_ROW) {
      shares.push_back(
          {static_cast<uint32_t>(sum->column_int(0)), sum->column_int(1), sum->column_int(2)});
    }
    if (rc != SQLITE_DONE) return sql_error("cannot remove events from the queue");

    auto del = prepare(table.delete_sql);
    if (!del) return del.error();
    del->bind(1, std::string_view(ids_json));
    if (del->step() != SQLITE_DONE) return sql_error("cannot remove events from the queue");
    for (const Share& share : shares) {
      charge(share.uid, -share.bytes);
      if (table.singular) singular_count_ -= share.rows;
    }
  }
  return Ok();
}

Result<std::vector<StoredSingular>> Store::oldest_singulars(int64_t after_id, size_t limit) {
  auto st = prepare(
      "SELECT id, uid, event_id, os_version, relative_ns, payload FROM singular "
      "WHERE id > ?1 ORDER BY id LIMIT ?2");
  if (!st) return st.error();
  st->bind(1, after_id).bind(2, static_cast<int64_t>(std::min<size_t>(limit, INT64_MAX)));
  std::vector<StoredSingular> out;
  out.reserve(std::min<size_t>(limit, 4096));
  int rc;
  while ((rc = st->step()) == SQLITE_ROW) {
    out.push_back({st->column_int(0), static_cast<uint32_t>(st->column_int(1)),
                   uuid_of(st->column_blob(2)), st->column_text(3), st->column_int(4),
                   to_vector(st->column_blob(5))});
  }
  if (rc != SQLITE_DONE) return sql_error("cannot read events for upload");
  return out;
}

Result<std::vector<StoredAggregate>> Store::oldest_aggregates(int64_t after_id, size_t limit) {
  auto st = prepare(
      "SELECT id, uid, event_id, os_version, period, count, payload FROM aggregate "
      "WHERE id > ?1 ORDER BY id LIMIT ?2");
  if (!st) return st.error();
  st->bind(1, after_id).bind(2, static_cast<int64_t>(std::min<size_t>(limit, INT64_MAX)));
  std::vector<StoredAggregate> out;
  out.reserve(std::min<size_t>(limit, 4096));
  int rc;
  while ((rc = st->step()) == SQLITE_ROW) {
    out.push_back({st->column_int(0), static_cast<uint32_t>(st->column_int(1)),
                   uuid_of(st->column_blob(2)), st->column_text(3), st->column_text(4),
                   static_cast<uint32_t>(st->column_int(5)), to_vector(st->column_blob(6))});
  }
  if (rc != SQLITE_DONE) return sql_error("cannot read aggregate events for upload");
  return out;
}

Result<void> Store::delete_uploaded(const std::vector<int64_t>& singular_ids,
                                    const std::vector<int64_t>& aggregate_ids) {
  if (singular_ids.empty() && aggregate_ids.empty()) return Ok();
  const bool nested = in_transaction_;
  if (auto r = atomically([&] { return remove_queued(singular_ids, aggregate_ids); }); !r) return r;
  // secure_delete overwrote the rows in the new page images; the checkpoint moves them into
  // the database file and empties the WAL, whose older frames still hold the payloads.
  // Best effort: a busy checkpoint is retried by the next one.
  if (!nested) (void)exec("PRAGMA wal_checkpoint(TRUNCATE)");
  return Ok();
}

Result<int64_t> Store::aggregate_count() {
  auto st = prepare("SELECT COUNT(*) FROM aggregate");
  if (!st) return st.error();
  if (st->step() != SQLITE_ROW) return sql_error("cannot count queued aggregate events");
  return st->column_int(0);
}

Result<QueueLimit> Store::queue_limit() {
  auto st = prepare(
      "SELECT (SELECT IFNULL(MAX(id), 0) FROM singular), "
      "(SELECT IFNULL(MAX(id), 0) FROM aggregate)");
  if (!st) return st.error();
  if (st->step() != SQLITE_ROW) return sql_error("cannot read the newest queued rows");
  return QueueLimit{st->column_int(0), st->column_int(1)};
}

}  // namespace metrics
