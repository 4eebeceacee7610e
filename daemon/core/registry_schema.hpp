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

struct FileContents {
  std::filesystem::path file;
  std::string owner;
  std::vector<Entry> entries;     // the valid entries, in file order
  std::vector<Problem> problems;  // empty when the whole file is valid
  bool file_skipped = false;      // a problem with the file itself: no entry was used
};

// `file` is only used to name the source in entries and problems.
FileContents parse_registry_text(std::string_view text, const std::filesystem::path& file);
FileContents read_registry_file(const std::filesystem::path& file);

}  // namespace metrics::registry
