// SPDX-License-Identifier: GPL-2.0-or-later
// Salvage of a corrupt store: every row that can still be read (events, counts, the
// timers' and time-line state in meta, the upload ledger and set-aside batches) is copied
// into a new database. Rows are read in id order; where a read fails, the ids after it are
// tried one by one, so one damaged page costs only the rows on it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "result.hpp"

namespace metrics {

struct TableSalvage {
  std::string table;
  int64_t saved = 0;
  // Ids whose read failed (an upper bound: some may have been deleted before); -1 when
  // unknown (a table without ids, or one whose structure cannot be read at all).
  int64_t lost = 0;
};

struct SalvageReport {
  std::vector<TableSalvage> tables;
  int64_t saved() const;
  // Rows known lost; `unknown_loss` tells whether more may be.
  int64_t lost() const;
  bool unknown_loss() const;
  // "singular: 2808 saved, 192 lost; counts: 4 saved, 0 lost; …"
  std::string describe() const;
};

// Reads `damaged` (its WAL included; the files are not changed) and writes every readable
// row into the new database `target` (created; must not exist), with the store's schema.
Result<SalvageReport> salvage_store(const std::filesystem::path& damaged,
                                    const std::filesystem::path& target);

}  // namespace metrics
