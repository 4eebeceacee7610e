// SPDX-License-Identifier: GPL-2.0-or-later
// Reading one registry file (JSON, format 1) into entries, with a precise problem for
// everything that does not follow the format. The format is documented in
// docs/adding-a-metric.md. Duplicates across entries are the registry's concern
// (registry.hpp), not this file's.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "registry_entry.hpp"

namespace metrics::registry {

inline constexpr int kFormatVersion = 1;

// What one registry file may be (docs/adding-a-metric.md): a larger or deeper file is
// refused as a whole before it takes the reader's memory or stack.
inline constexpr size_t kMaxFileBytes = size_t{1024} * 1024;
inline constexpr size_t kMaxNestingDepth = 64;  // arrays and objects inside each other
inline constexpr size_t kMaxEntries = 10000;    // metrics of one file
// Problems listed for one file: a file of 10 000 broken entries would otherwise put ~10^5
// lines in the journal at every reload and keep them in memory. The rest are counted.
inline constexpr size_t kMaxProblemsPerFile = 100;

struct FileContents {
  std::filesystem::path file;
  std::string owner;
  std::vector<Entry> entries;     // the valid entries, in file order
  std::vector<Problem> problems;  // empty when the whole file is valid
  bool file_skipped = false;      // a problem with the file itself: no entry was used
};

// `file` is only used to name the source in entries and problems. Never throws: any text
// is either read or reported.
FileContents parse_registry_text(std::string_view text, const std::filesystem::path& file);
FileContents read_registry_file(const std::filesystem::path& file);

}  // namespace metrics::registry
