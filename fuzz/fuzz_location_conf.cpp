// SPDX-License-Identifier: GPL-2.0-or-later
// location.conf (the site labels sent with every request): any bytes are read or
// refused, never crashed on.
#include <cstdint>

#include "fatal_criticals.hpp"
#include "memfd_file.hpp"
#include "settings.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static metrics::fuzz::MemoryFile file;
  const auto& path = file.hold(data, size);
  const metrics::config::SiteLabels read = metrics::config::read_site_labels(path);
  size_t total = 0;
  for (const auto& [key, value] : read.labels) total += key.size() + value.size();
  // What is kept must stay within the cap, whatever the file holds.
  if (total > metrics::config::kMaxSiteLabelBytes) __builtin_trap();
  for (const auto& warning : read.warnings) (void)warning;
  return 0;
}
