// SPDX-License-Identifier: GPL-2.0-or-later
// The store's files on disk (metrics.db, its -wal and -shm) before SQLite opens them:
// whether this process may use them, the repairs it can make itself, and setting damaged
// files aside. Nothing here deletes a file that holds committed data.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "result.hpp"

namespace metrics {

struct StoreFiles {
  std::filesystem::path dir;
  std::filesystem::path db() const { return dir / "metrics.db"; }
  std::filesystem::path wal() const { return dir / "metrics.db-wal"; }
  std::filesystem::path shm() const { return dir / "metrics.db-shm"; }
};

inline constexpr const char* kSetAsidePrefix = "metrics.db.corrupt-";

// Checks that this process can read and write the store's files and repairs what it can
// in its own directory: a stale -shm it cannot write (left by root after a crash; it holds
// no data) is removed, a -wal it can read but not write is copied into a file of its own
// that replaces it. Returns what was repaired, one sentence each; an error (files left
// untouched) says what a person must fix.
Result<std::vector<std::string>> prepare_store_files(const StoreFiles& files);

// A name `<dir>/metrics.db.corrupt-<now_s>[-n]` that no file has yet (nor its -wal).
std::filesystem::path set_aside_name(const StoreFiles& files, int64_t now_s);

// Moves metrics.db and its -wal to `aside` and `aside`-wal (the WAL first, so a crash in
// between never leaves a WAL beside a missing database) and removes the -shm. On failure
// whatever moved is moved back and the error says what could not be renamed.
Result<void> set_aside_store(const StoreFiles& files, const std::filesystem::path& aside);

// Copies `from` to a new file `to` and syncs it.
Result<void> copy_file_synced(const std::filesystem::path& from, const std::filesystem::path& to);

// Syncs the directory, so renames in it survive a crash.
void sync_directory(const std::filesystem::path& dir);

}  // namespace metrics
