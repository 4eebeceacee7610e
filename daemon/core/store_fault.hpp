// SPDX-License-Identifier: GPL-2.0-or-later
// What a SQLite error on the store means. Only real corruption is repaired (by salvage);
// everything else (permissions, a lock, an I/O error, a full disk, read-only files) leaves
// the files untouched and the store unavailable until the cause is gone.
#pragma once

#include <filesystem>
#include <string>

namespace metrics {

// SQLITE_CORRUPT or SQLITE_NOTADB (extended codes too).
bool is_corruption(int sqlite_rc);

// A message a person can act on: what failed on `db`, and what to fix.
std::string describe_storage_fault(int sqlite_rc, const std::string& sqlite_message,
                                   const std::filesystem::path& db);

// "owned by uid 0, mode 0644" of an existing file, for messages.
std::string describe_owner(const std::filesystem::path& file);

}  // namespace metrics
