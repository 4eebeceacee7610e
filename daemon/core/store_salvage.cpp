// SPDX-License-Identifier: GPL-2.0-or-later
#include "store_salvage.hpp"

#include <limits>
#include <string_view>

#include "sqlite_handles.hpp"
#include "store_schema.hpp"

namespace metrics {

namespace fs = std::filesystem;

namespace {

// Column types a row must have to be copied: i integer, t text, b blob, u 16-byte blob
// (an event id). A damaged page can yield well-formed garbage; this keeps most of it out.
struct TableSpec {
  const char* name;
  const char* columns;
  const char* types;
  const char* key;  // ORDER BY of a table without rowid; nullptr: by rowid
};

constexpr TableSpec kTables[] = {
    {"meta", "key, value", "tt", nullptr},
    {"singular", "uid, event_id, os_version, relative_ns, payload, size", "iutibi", nullptr},
    {"counts", "period, event_id, payload, uid, count, size", "tubiii",
     "period, event_id, payload, uid"},
    {"aggregate", "uid, event_id, os_version, period, count, payload, size", "iuttibi", nullptr},
    {"set_aside", "reason, time, body, singular_events, aggregate_events", "tibii", nullptr},
    {"ledger",
     "time_ns, url, sha512, compressed_size, uncompressed_size, singular_events, "
     "aggregate_events, outcome, http_status, message",
     "ittiiiitit", nullptr},
    {"ledger_body", "body", "b", nullptr},
};

// How far past the last readable id single ids are tried when nothing above the damage
// can be read (the queue's bound keeps ids far below this many rows).
constexpr int64_t kProbeWindow = 1 << 18;

Error salvage_error(sqlite3* db, const std::string& what) {
  return {ErrorCode::kStorageFailure, what + ": " + (db ? sqlite3_errmsg(db) : "out of memory")};
}

Result<SqlitePtr> open_db(const fs::path& path, int flags) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  SqlitePtr db(raw);
  if (rc != SQLITE_OK) return salvage_error(raw, "cannot open " + path.string());
  return db;
}

bool exec(sqlite3* db, const char* sql) {
  return sqlite3_exec(db, sql, nullptr, nullptr, nullptr) == SQLITE_OK;
}

Statement prepare(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &raw, nullptr) != SQLITE_OK) {
    sqlite3_finalize(raw);
    return {};
  }
  return Statement(SqliteStmtPtr(raw));
}

bool row_has_types(sqlite3_stmt* st, int first, std::string_view types) {
  for (size_t i = 0; i < types.size(); ++i) {
    const int col = first + static_cast<int>(i);
    const int type = sqlite3_column_type(st, col);
    switch (types[i]) {
      case 'i':
        if (type != SQLITE_INTEGER) return false;
        break;
      case 't':
        if (type != SQLITE_TEXT) return false;
        break;
      case 'b':
        if (type != SQLITE_BLOB) return false;
        break;
      case 'u':
        if (type != SQLITE_BLOB || sqlite3_column_bytes(st, col) != 16) return false;
        break;
    }
  }
  return true;
}

class TableCopy {
 public:
  TableCopy(sqlite3* src, sqlite3* dst, const TableSpec& spec, TableSalvage& out)
      : src_(src), dst_(dst), spec_(spec), out_(out) {}

  Result<void> run() {
    const std::string cols = spec_.columns;
    const int n = static_cast<int>(std::string_view(spec_.types).size());
    const bool by_rowid = spec_.key == nullptr;
    std::string placeholders;
    for (int i = 1; i <= n + (by_rowid ? 1 : 0); ++i)
      placeholders += (i > 1 ? ", ?" : "?") + std::to_string(i);
    insert_ =
        prepare(dst_, std::string("INSERT OR IGNORE INTO ") + spec_.name + " (" +
                          (by_rowid ? "rowid, " : "") + cols + ") VALUES (" + placeholders + ")");
    if (!insert_)
      return salvage_error(dst_, std::string("cannot prepare salvage of ") + spec_.name);
    first_ = by_rowid ? 1 : 0;
    return by_rowid ? copy_by_rowid() : copy_by_key();
  }

 private:
  // Copies the current row of `st`; false when the target refused to write.
  Result<void> copy_row(Statement& st) {
    if (!row_has_types(st.get(), first_, spec_.types)) {
      ++damaged_rows_;
      return Ok();
    }
    const int count = sqlite3_column_count(st.get());
    for (int i = 0; i < count; ++i)
      sqlite3_bind_value(insert_.get(), i + 1, sqlite3_column_value(st.get(), i));
    const int rc = insert_.step();
    insert_.reset();
    if (rc == SQLITE_CONSTRAINT) {
      ++damaged_rows_;  // e.g. a NULL where the schema forbids it
      return Ok();
    }
    if (rc != SQLITE_DONE) return salvage_error(dst_, std::string("cannot save ") + spec_.name);
    if (sqlite3_changes(dst_) > 0) ++out_.saved;
    return Ok();
  }

  // Steps `st` copying rows until it ends (true) or a read fails (false). `last` follows
  // the rowid of the last row read; rows at or beyond `stop` end the scan.
  Result<bool> scan(Statement& st, int64_t& last, bool ascending, int64_t stop) {
    for (;;) {
      const int rc = st.step();
      if (rc == SQLITE_DONE) return true;
      if (rc != SQLITE_ROW) return false;
      const int64_t id = st.column_int(0);
      if (ascending ? id >= stop : id <= stop) return true;
      last = id;
      if (auto r = copy_row(st); !r) return r.error();
    }
  }

  Result<void> copy_by_rowid() {
    const std::string select =
        std::string("SELECT rowid, ") + spec_.columns + " FROM " + spec_.name;
    Statement forward = prepare(src_, select + " WHERE rowid > ?1 ORDER BY rowid");
    Statement backward = prepare(src_, select + " WHERE rowid < ?1 ORDER BY rowid DESC");
    Statement single = prepare(src_, select + " WHERE rowid = ?1");
    if (!forward || !backward || !single) return unreadable();
    constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

    int64_t last = 0;
    forward.bind(1, last);
    auto done = scan(forward, last, true, kMax);
    forward.reset();
    if (!done) return done.error();
    if (*done) return finish();

    // Damage after `last`: read down from the top to it, then try the ids between.
    int64_t high = kMax;
    backward.bind(1, kMax);
    auto down = scan(backward, high, false, last);
    backward.reset();
    if (!down) return down.error();
    int64_t window_end = high == kMax ? last + kProbeWindow : high;
    for (int64_t id = last + 1; id < high && id < window_end; ++id) {
      single.bind(1, id);
      const int rc = single.step();
      if (rc == SQLITE_ROW) {
        if (auto r = copy_row(single); !r) return r.error();
        single.reset();
        // Readable again: continue in id order from here.
        int64_t at = id;
        forward.bind(1, id);
        auto more = scan(forward, at, true, high);
        forward.reset();
        if (!more) return more.error();
        if (*more) break;
        id = at;
        if (high == kMax) window_end = at + kProbeWindow;
        continue;
      }
      single.reset();
      if (rc != SQLITE_DONE) ++out_.lost;
    }
    return finish();
  }

  Result<void> copy_by_key() {
    const std::string select = std::string("SELECT ") + spec_.columns + " FROM " + spec_.name;
    std::string descending;
    for (std::string_view key = spec_.key; !key.empty();) {
      const size_t comma = key.find(',');
      descending += std::string(key.substr(0, comma)) + " DESC";
      if (comma == std::string_view::npos) break;
      descending += ",";
      key.remove_prefix(comma + 1);
    }
    Statement forward = prepare(src_, select + " ORDER BY " + spec_.key);
    Statement backward = prepare(src_, select + " ORDER BY " + descending);
    if (!forward || !backward) return unreadable();
    // No ids to try one by one: rows before the damage, then rows after it from the end
    // (the same row twice is ignored by the key).
    if (auto r = scan_all(forward); !r)
      return r.error();
    else if (*r)
      return finish();
    if (auto r = scan_all(backward); !r) return r.error();
    out_.lost = -1;
    return finish();
  }

  Result<bool> scan_all(Statement& st) {
    for (;;) {
      const int rc = st.step();
      if (rc == SQLITE_DONE) return true;
      if (rc != SQLITE_ROW) return false;
      if (auto r = copy_row(st); !r) return r.error();
    }
  }

  Result<void> unreadable() {
    // A table an older store did not have is no loss; an unreadable schema is.
    const std::string message = sqlite3_errmsg(src_);
    if (message.find("no such table") == std::string::npos) out_.lost = -1;
    return Ok();
  }

  Result<void> finish() {
    if (out_.lost >= 0) out_.lost += damaged_rows_;
    return Ok();
  }

  sqlite3* src_;
  sqlite3* dst_;
  const TableSpec& spec_;
  TableSalvage& out_;
  Statement insert_;
  int first_ = 0;
  int64_t damaged_rows_ = 0;
};

}  // namespace

int64_t SalvageReport::saved() const {
  int64_t n = 0;
  for (const auto& t : tables) n += t.saved;
  return n;
}

int64_t SalvageReport::lost() const {
  int64_t n = 0;
  for (const auto& t : tables) n += t.lost > 0 ? t.lost : 0;
  return n;
}

bool SalvageReport::unknown_loss() const {
  for (const auto& t : tables)
    if (t.lost < 0) return true;
  return false;
}

std::string SalvageReport::describe() const {
  std::string text;
  for (const auto& t : tables) {
    if (!text.empty()) text += "; ";
    text += t.table + ": " + std::to_string(t.saved) + " saved, " +
            (t.lost < 0 ? std::string("an unknown number") : std::to_string(t.lost)) + " lost";
  }
  return text;
}

Result<SalvageReport> salvage_store(const fs::path& damaged, const fs::path& target) {
  // Read-write only because SQLite needs the WAL index for a WAL database: nothing is
  // written (query_only), and no checkpoint on close folds the WAL into the damaged file.
  auto src = open_db(damaged, SQLITE_OPEN_READWRITE);
  if (!src) return src.error();
  sqlite3_db_config(src->get(), SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
  (void)exec(src->get(), "PRAGMA query_only=ON; PRAGMA cache_size=-512");

  auto dst = open_db(target, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  if (!dst) return dst.error();
  if (!exec(dst->get(), "PRAGMA synchronous=FULL; PRAGMA secure_delete=ON;") ||
      !exec(dst->get(), kStoreSchema) || !exec(dst->get(), "BEGIN"))
    return salvage_error(dst->get(), "cannot create " + target.string());

  SalvageReport report;
  for (const TableSpec& spec : kTables) {
    report.tables.push_back({spec.name, 0, 0});
    TableCopy copy(src->get(), dst->get(), spec, report.tables.back());
    if (auto r = copy.run(); !r) return r.error();
  }
  if (!exec(dst->get(), "COMMIT"))
    return salvage_error(dst->get(), "cannot write " + target.string());
  return report;
}

}  // namespace metrics
