// SPDX-License-Identifier: GPL-2.0-or-later
// Computer hardware info (81f303aa-…, "(uuuua(sqds))"), as the reference sends it:
// RAM MiB, root filesystem total/used/free GiB (rounded to the nearest), CPU groups.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "filesystem_usage.hpp"
#include "glib_handles.hpp"
#include "lscpu_json.hpp"
#include "reading.hpp"
#include "result.hpp"
#include "source_tree.hpp"

namespace metrics::instrumentation {

struct HardwareInfo {
  uint32_t ram_mib = 0;  // 0 if unknown
  uint32_t root_total_gib = 0;
  uint32_t root_used_gib = 0;
  uint32_t root_free_gib = 0;  // all three 0 if statvfs failed
  std::vector<CpuGroup> cpus;  // never empty (lscpu_json.hpp)
};

// `root_fs` is filesystem_usage("/") and `lscpu_output` run_lscpu_async() on a real system;
// tests pass values. /proc/meminfo is read under `tree`.
Reading<HardwareInfo> collect_hardware_info(const SourceTree& tree,
                                            const Result<FilesystemBytes>& root_fs,
                                            const Result<std::string>& lscpu_output);

GVariantPtr to_variant(const HardwareInfo& info);

}  // namespace metrics::instrumentation
