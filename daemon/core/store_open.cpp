// SPDX-License-Identifier: GPL-2.0-or-later
// Opening the store: what is found on disk decides between opening, staying unavailable
// (a fault that is not corruption: the files stay untouched) and salvaging (corruption).
#include <glib.h>

#include <system_error>

#include "store.hpp"
#include "store_fault.hpp"
#include "store_files.hpp"
#include "store_salvage.hpp"
#include "store_wal.hpp"

namespace metrics {

namespace fs = std::filesystem;

namespace {

// Short while opening, so a lock held elsewhere does not stall the caller's main loop;
// the store's usual wait once open.
constexpr int kOpenBusyTimeoutMs = 10;
constexpr int kBusyTimeoutMs = 2000;
constexpr const char* kSalvageName = "metrics.db.salvage";
constexpr const char* kRebuiltName = "metrics.db.rebuilt";

int64_t now_seconds() {
  return g_get_real_time() / G_USEC_PER_SEC;
}

int64_t size_of(const fs::path& p) {
  std::error_code ec;
  const auto size = fs::file_size(p, ec);
  return ec ? -1 : static_cast<int64_t>(size);
}

bool exists_quietly(const fs::path& p) {
  std::error_code ec;
  return fs::exists(p, ec);
}

}  // namespace

const char* store_state_name(StoreState state) {
  switch (state) {
    case StoreState::Ok:
      return "ok";
    case StoreState::Unavailable:
      return "unavailable";
    case StoreState::Recovered:
      return "recovered";
  }
  return "unavailable";
}

std::optional<StoreState> store_state_from_name(std::string_view name) {
  for (StoreState state : {StoreState::Ok, StoreState::Unavailable, StoreState::Recovered})
    if (name == store_state_name(state)) return state;
  return std::nullopt;
}

StoreState Store::state() const {
  if (!db_) return StoreState::Unavailable;
  return recovered_ ? StoreState::Recovered : StoreState::Ok;
}

Error Store::unavailable_error() const {
  return {ErrorCode::kStorageFailure,
          "the metrics store is unavailable, nothing was stored: " +
              (problem_.empty() ? std::string("it is not open") : problem_)};
}

std::unique_ptr<Store> Store::open_or_unavailable(const fs::path& dir) {
  auto store = std::make_unique<Store>(Passkey{});
  store->dir_ = dir;
  (void)store->reopen();
  return store;
}

Result<std::unique_ptr<Store>> Store::open(const fs::path& dir) {
  auto store = open_or_unavailable(dir);
  if (!store->available()) return Error{ErrorCode::kStorageFailure, store->problem()};
  return store;
}

void Store::close_database() {
  insert_singular_ = Statement();
  update_count_ = Statement();
  insert_count_ = Statement();
  db_.reset();  // SQLite checkpoints the write-ahead log as the last connection closes
  in_transaction_ = false;
  unsynced_ = false;
  total_bytes_ = 0;
  singular_count_ = 0;
  uid_bytes_.clear();
}

void Store::make_unavailable(const std::string& problem) {
  close_database();
  problem_ = problem;
}

Result<void> Store::reopen() {
  if (db_) return Ok();
  open_notes_.clear();
  corrupt_ = false;
  auto opened = try_open();
  if (!opened) {
    close_database();
    problem_ = opened.error().message;
    return Error{ErrorCode::kStorageFailure, problem_};
  }
  problem_ = recovered_ ? recovery_note_ : std::string();
  return Ok();
}

Result<void> Store::try_open() {
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec)
    return Error{ErrorCode::kStorageFailure,
                 "cannot create the state directory " + dir_.string() + ": " + ec.message()};
  const StoreFiles files{dir_};
  auto repairs = prepare_store_files(files);
  if (!repairs) return repairs.error();
  for (auto& r : *repairs) open_notes_.push_back(std::move(r));

  // A salvage (or rebuild) interrupted after the damaged files were set aside is
  // finished; one interrupted before is a stale copy of rows metrics.db still holds.
  for (const char* name : {kSalvageName, kRebuiltName}) {
    const fs::path left_over = dir_ / name;
    if (!exists_quietly(left_over)) continue;
    if (!exists_quietly(files.db()) && !exists_quietly(files.wal()) &&
        !exists_quietly(left_over.string() + "-journal")) {
      fs::rename(left_over, files.db(), ec);
      if (ec)
        return Error{ErrorCode::kStorageFailure, "cannot move " + left_over.string() + " to " +
                                                     files.db().string() + ": " + ec.message()};
      open_notes_.push_back("finished an interrupted recovery: " + left_over.string() + " is now " +
                            files.db().string());
    } else {
      for (const char* suffix : {"", "-journal"}) fs::remove(left_over.string() + suffix, ec);
    }
  }

  // What SQLite would drop without a word: a WAL beside an empty database (it deletes
  // the WAL), a garbled WAL header, frames after a damaged one.
  const WalInspection wal = inspect_wal(files.wal());
  if (wal.exists && wal.size > 0 && size_of(files.db()) <= 0) {
    const fs::path aside = set_aside_name(files, now_seconds());
    const fs::path rebuilt = dir_ / kRebuiltName;
    fs::remove(rebuilt, ec);  // our own left-over
    auto pages = rebuild_database_from_wal(files.wal(), rebuilt);
    if (auto r = set_aside_store(files, aside); !r) {
      fs::remove(rebuilt, ec);
      return Error{ErrorCode::kStorageFailure, "metrics.db is empty beside a " + wal.describe() +
                                                   "; it cannot be set aside (" +
                                                   r.error().message + "), so nothing was changed"};
    }
    std::string note = files.db().string() + " was empty or missing beside a " + wal.describe();
    if (pages) {
      fs::rename(rebuilt, files.db(), ec);
      if (ec)
        return Error{ErrorCode::kStorageFailure,
                     note + "; the database rebuilt from it (" + rebuilt.string() +
                         ") cannot be moved into place: " + ec.message()};
      note += "; rebuilt the database from the WAL's committed frames (" + std::to_string(*pages) +
              " pages)";
    } else {
      note += "; nothing of it could be applied (" + pages.error().message + ")";
    }
    note += "; the files found are kept as " + aside.string() + " and " + aside.string() + "-wal";
    open_notes_.push_back(note);
    recovery_note_ = note;
    recovered_ = true;
  } else if (wal.loses_something()) {
    const fs::path copy = set_aside_name(files, now_seconds()).string() + "-wal";
    std::string note = "the " + wal.describe() + " of " + files.db().string() +
                       " cannot be applied in full: the frames that do not apply are lost";
    if (auto r = copy_file_synced(files.wal(), copy); r)
      note += "; a copy of the WAL is kept as " + copy.string();
    else
      note += "; no copy of it could be kept (" + r.error().message + ")";
    open_notes_.push_back(note);
    recovery_note_ = note;
    recovered_ = true;
  }

  auto opened = open_connection();
  if (opened) opened = check_and_prepare();
  if (!opened && corrupt_) {
    if (auto r = salvage(opened.error().message); !r) return r;
    corrupt_ = false;
    opened = open_connection();
    if (opened) opened = check_and_prepare();
  }
  return opened;
}

Result<void> Store::open_connection() {
  close_database();
  const fs::path db_path = dir_ / "metrics.db";
  sqlite3* raw = nullptr;
  const int rc =
      sqlite3_open_v2(db_path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  db_.reset(raw);
  if (rc != SQLITE_OK) {
    const std::string message = raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
    corrupt_ = is_corruption(rc);
    return Error{ErrorCode::kStorageFailure, describe_storage_fault(rc, message, db_path)};
  }
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, kOpenBusyTimeoutMs);
  if (sqlite3_db_readonly(raw, "main") == 1)
    return Error{ErrorCode::kStorageFailure,
                 describe_storage_fault(SQLITE_READONLY, "opened read-only", db_path)};
  return Ok();
}

Result<void> Store::check_and_prepare() {
  const fs::path db_path = dir_ / "metrics.db";
  const auto fault = [&](const std::string& what) -> Error {
    const int rc = sqlite3_extended_errcode(db_.get());
    corrupt_ = corrupt_ || is_corruption(rc);
    return Error{ErrorCode::kStorageFailure,
                 describe_storage_fault(rc, what + ": " + sqlite3_errmsg(db_.get()), db_path)};
  };
  // Before the check, which reads every page: with SQLite's default (2 MB) the pages it
  // read would stay in the daemon's heap for good. Appends need few pages.
  if (!exec("PRAGMA cache_size=-512")) return fault("cannot set up the database");
  auto check = integrity_check();
  if (!check) return fault("cannot check the database");
  if (*check != "ok") {
    corrupt_ = true;
    return Error{ErrorCode::kStorageFailure, "integrity check failed: " + check->substr(0, 300)};
  }
  if (!init_schema()) return fault("cannot set up the database");
  // Writing proves what reading cannot: no lock held elsewhere, writable files.
  if (!exec("BEGIN IMMEDIATE; INSERT OR REPLACE INTO meta (key, value) VALUES "
            "('store_write_check', 'ok'); COMMIT;")) {
    Error e = fault("cannot write to the database");
    (void)sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
    return e;
  }
  if (!load_totals()) return fault("cannot read the queue's size");
  sqlite3_busy_timeout(db_.get(), kBusyTimeoutMs);
  return Ok();
}

Result<void> Store::salvage(const std::string& why) {
  close_database();
  const StoreFiles files{dir_};
  const fs::path target = dir_ / kSalvageName;
  std::error_code ec;
  for (const char* suffix : {"", "-journal", "-wal", "-shm"})
    fs::remove(target.string() + suffix, ec);  // our own left-overs
  auto report = salvage_store(files.db(), target);
  if (!report) {
    for (const char* suffix : {"", "-journal"}) fs::remove(target.string() + suffix, ec);
    return Error{ErrorCode::kStorageFailure, files.db().string() + " is corrupt (" + why +
                                                 ") and its rows cannot be copied: " +
                                                 report.error().message + "; it was left as it is"};
  }
  const fs::path aside = set_aside_name(files, now_seconds());
  if (auto r = set_aside_store(files, aside); !r) {
    fs::remove(target, ec);
    return Error{ErrorCode::kStorageFailure, files.db().string() + " is corrupt (" + why +
                                                 ") but cannot be set aside (" + r.error().message +
                                                 "); nothing was changed"};
  }
  fs::rename(target, files.db(), ec);
  if (ec)
    return Error{ErrorCode::kStorageFailure,
                 "the rows salvaged from the corrupt " + files.db().string() + " are in " +
                     target.string() + " but cannot be moved into place: " + ec.message()};
  sync_directory(dir_);
  std::string note =
      files.db().string() + " was corrupt (" + why +
      "); copied its readable rows into a new store: " + std::to_string(report->saved()) +
      " rows saved, " + std::to_string(report->lost()) +
      (report->unknown_loss() ? " or more" : "") + " lost (" + report->describe() +
      "); the damaged files are kept as " + aside.string() +
      (exists_quietly(aside.string() + "-wal") ? " and its -wal" : "");
  open_notes_.push_back(note);
  recovery_note_ = recovery_note_.empty() ? note : recovery_note_ + "; " + note;
  recovered_ = true;
  return Ok();
}

}  // namespace metrics
