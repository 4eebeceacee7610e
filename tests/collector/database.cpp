// SPDX-License-Identifier: GPL-2.0-or-later
#include "database.hpp"

#include <span>

namespace collector {
namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS requests (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  received_at TEXT NOT NULL,
  received_at_us INTEGER NOT NULL,
  path TEXT NOT NULL,
  sha512 TEXT NOT NULL,
  compressed_size INTEGER NOT NULL,
  uncompressed_size INTEGER NOT NULL,
  body BLOB NOT NULL,
  singular_count INTEGER NOT NULL,
  aggregate_count INTEGER NOT NULL,
  request_json TEXT NOT NULL
);
)sql";

constexpr const char* kInsert =
    "INSERT INTO requests (received_at, received_at_us, path, sha512, compressed_size, "
    "uncompressed_size, body, singular_count, aggregate_count, request_json) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

metrics::Error sql_error(sqlite3* db, const std::string& what) {
  return metrics::Error{metrics::ErrorCode::kStorageFailure,
                        what + ": " + (db ? sqlite3_errmsg(db) : "out of memory")};
}

}  // namespace

metrics::Result<std::unique_ptr<Database>> Database::open(const std::string& path) {
  auto self = std::make_unique<Database>();
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  self->db_.reset(raw);
  if (rc != SQLITE_OK) return sql_error(self->db_.get(), "cannot open " + path);
  sqlite3_busy_timeout(self->db_.get(), 5000);
  // One request = one row: WAL without a sync per commit keeps the collector's cost per
  // request low (it runs in benchmarks) and still survives the collector being killed.
  if (sqlite3_exec(self->db_.get(), "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL", nullptr,
                   nullptr, nullptr) != SQLITE_OK) {
    return sql_error(self->db_.get(), "cannot set up " + path);
  }
  if (sqlite3_exec(self->db_.get(), kSchema, nullptr, nullptr, nullptr) != SQLITE_OK) {
    return sql_error(self->db_.get(), "cannot create schema in " + path);
  }
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v3(self->db_.get(), kInsert, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) !=
      SQLITE_OK) {
    metrics::SqliteStmtPtr owned(stmt);
    return sql_error(self->db_.get(), "cannot prepare insert");
  }
  self->insert_ = metrics::Statement(metrics::SqliteStmtPtr(stmt));
  return self;
}

metrics::Result<void> Database::insert(const StoredRequest& row) {
  insert_.bind(1, std::string_view(row.received_at))
      .bind(2, row.received_at_us)
      .bind(3, std::string_view(row.path))
      .bind(4, std::string_view(row.sha512))
      .bind(5, row.compressed_size)
      .bind(6, row.uncompressed_size)
      .bind(7, row.body)
      .bind(8, row.singular_count)
      .bind(9, row.aggregate_count)
      .bind(10, std::string_view(row.request_json));
  int rc = insert_.step();
  insert_.reset();
  if (rc != SQLITE_DONE) return sql_error(db_.get(), "cannot store request");
  return metrics::Ok();
}

}  // namespace collector
