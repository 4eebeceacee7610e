// SPDX-License-Identifier: GPL-2.0-or-later
// RAII owners for SQLite connections and statements.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace metrics {

struct SqliteClose {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct SqliteFinalize {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using SqlitePtr = std::unique_ptr<sqlite3, SqliteClose>;
using SqliteStmtPtr = std::unique_ptr<sqlite3_stmt, SqliteFinalize>;

// A prepared statement that resets itself after each use.
class Statement {
 public:
  Statement() = default;
  explicit Statement(SqliteStmtPtr s) : stmt_(std::move(s)) {}
  sqlite3_stmt* get() const { return stmt_.get(); }
  explicit operator bool() const { return stmt_ != nullptr; }

  Statement& bind(int i, int64_t v) {
    sqlite3_bind_int64(stmt_.get(), i, v);
    return *this;
  }
  Statement& bind(int i, std::string_view v) {
    sqlite3_bind_text(stmt_.get(), i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Statement& bind(int i, std::span<const uint8_t> v) {
    // A zero-length blob must stay a blob (not NULL): unique keys compare it.
    sqlite3_bind_blob(stmt_.get(), i, v.empty() ? "" : static_cast<const void*>(v.data()),
                      static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  // For large blobs: SQLite reads `v` in place instead of copying it first, so `v` must
  // stay valid and unchanged until the statement is stepped and reset.
  Statement& bind_borrowed(int i, std::span<const uint8_t> v) {
    sqlite3_bind_blob(stmt_.get(), i, v.empty() ? "" : static_cast<const void*>(v.data()),
                      static_cast<int>(v.size()), SQLITE_STATIC);
    return *this;
  }
  Statement& bind_null(int i) {
    sqlite3_bind_null(stmt_.get(), i);
    return *this;
  }
  int step() { return sqlite3_step(stmt_.get()); }
  void reset() {
    sqlite3_reset(stmt_.get());
    sqlite3_clear_bindings(stmt_.get());
  }
  int64_t column_int(int i) const { return sqlite3_column_int64(stmt_.get(), i); }
  std::string column_text(int i) const {
    auto* t = sqlite3_column_text(stmt_.get(), i);
    return t ? std::string(reinterpret_cast<const char*>(t),
                           static_cast<size_t>(sqlite3_column_bytes(stmt_.get(), i)))
             : std::string();
  }
  std::span<const uint8_t> column_blob(int i) const {
    auto* b = static_cast<const uint8_t*>(sqlite3_column_blob(stmt_.get(), i));
    return {b, b ? static_cast<size_t>(sqlite3_column_bytes(stmt_.get(), i)) : 0};
  }
  bool column_is_null(int i) const { return sqlite3_column_type(stmt_.get(), i) == SQLITE_NULL; }

 private:
  SqliteStmtPtr stmt_;
};

}  // namespace metrics
