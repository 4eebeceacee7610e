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
  for (const auto& [key, value] : metrics::config::read_site_labels(path)) {
    (void)key;
    (void)value;
  }
  return 0;
}
