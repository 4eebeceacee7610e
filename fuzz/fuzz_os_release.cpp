// SPDX-License-Identifier: GPL-2.0-or-later
// os-release (the OS version sent with every event): any bytes are read or refused,
// never crashed on.
#include <cstdint>

#include "fatal_criticals.hpp"
#include "memfd_file.hpp"
#include "settings.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static metrics::fuzz::MemoryFile file;
  const auto& path = file.hold(data, size);
  (void)metrics::config::read_os_release_field(path, "ID");
  (void)metrics::config::read_os_version(path);
  return 0;
}
