// SPDX-License-Identifier: GPL-2.0-or-later
// A look at the store's write-ahead log before SQLite opens it. SQLite silently ignores
// a WAL whose header is garbled, every frame after a damaged one, and (deleting it) a
// WAL beside an empty database: committed events would vanish without a word. Reading
// the WAL ourselves first lets the store say what did not apply, keep a copy of it, and
// rebuild an emptied database from the WAL's committed frames.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "result.hpp"

namespace metrics {

struct WalInspection {
  bool exists = false;
  uint64_t size = 0;               // bytes
  bool header_valid = false;       // magic, version, page size and checksum all right
  uint32_t page_size = 0;          // from the header (0 when garbled)
  uint64_t frames = 0;             // frames the file has room for (estimated when garbled)
  uint64_t valid_frames = 0;       // frames SQLite applies: up to the last valid commit
  uint64_t last_commit_pages = 0;  // database size in pages after that commit
  // Sound frames after the last commit: a transaction that never committed (never
  // acknowledged, so nothing lost).
  uint64_t uncommitted_frames = 0;
  // Frames of the current generation (same salts) from the first damaged one on: SQLite
  // ignores them. Frames of older generations (other salts) are normal left-overs of a
  // restarted WAL and not counted.
  uint64_t damaged_frames = 0;

  // True when SQLite would drop frames that may hold committed data. A single damaged
  // frame at the end of the current generation is what a crash in the middle of writing
  // a (not yet acknowledged) transaction leaves, and does not count.
  bool loses_something() const {
    return exists && ((!header_valid && frames > 0) || damaged_frames > 1);
  }
  // "WAL of 123456 bytes (30 frames; 12 apply)" for a journal line.
  std::string describe() const;
};

WalInspection inspect_wal(const std::filesystem::path& wal);

// Writes the pages of the WAL's committed frames (the newest image of each) into a new
// database file `out`, as a checkpoint would. Returns the number of pages written.
Result<uint64_t> rebuild_database_from_wal(const std::filesystem::path& wal,
                                           const std::filesystem::path& out);

}  // namespace metrics
