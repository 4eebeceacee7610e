// SPDX-License-Identifier: GPL-2.0-or-later
#include "collectors/hardware_info.hpp"

#include "meminfo.hpp"

namespace metrics::instrumentation {

namespace {
constexpr uint64_t kGiB = uint64_t{1} << 30;
}

Reading<HardwareInfo> collect_hardware_info(const SourceTree& tree,
                                            const Result<FilesystemBytes>& root_fs,
                                            const Result<std::string>& lscpu_output) {
  Reading<HardwareInfo> reading;
  auto& info = reading.value;

  auto meminfo = tree.read_file("/proc/meminfo");
  auto ram = meminfo ? ram_mib_from_meminfo(*meminfo) : std::nullopt;
  if (ram)
    info.ram_mib = *ram;
  else
    reading.warnings.emplace_back("hardware info: no usable MemTotal in /proc/meminfo; RAM is 0");

  if (root_fs) {
    info.root_total_gib = round_to_units(root_fs->total, kGiB);
    info.root_used_gib = round_to_units(root_fs->used, kGiB);
    info.root_free_gib = round_to_units(root_fs->free, kGiB);
  } else {
    reading.warnings.push_back("hardware info: " + root_fs.error().message +
                               "; root filesystem sizes are 0");
  }

  if (lscpu_output) {
    auto cpus = parse_lscpu_json(lscpu_output.value());
    info.cpus = std::move(cpus.value);
    for (auto& warning : cpus.warnings) reading.warnings.push_back(std::move(warning));
  } else {
    // Same fallback as unusable output, so the payload always has one CPU element.
    info.cpus = {CpuGroup{}};
    reading.warnings.push_back("hardware info: " + lscpu_output.error().message +
                               "; CPU fields are unknown");
  }
  return reading;
}

GVariantPtr to_variant(const HardwareInfo& info) {
  GVariantBuilder cpus;
  g_variant_builder_init(&cpus, G_VARIANT_TYPE("a(sqds)"));
  for (const auto& cpu : info.cpus)
    g_variant_builder_add(&cpus, "(sqds)", cpu.model.c_str(), cpu.count, cpu.max_mhz,
                          cpu.flags.c_str());
  return adopt_variant(g_variant_new("(uuuua(sqds))", info.ram_mib, info.root_total_gib,
                                     info.root_used_gib, info.root_free_gib, &cpus));
}

}  // namespace metrics::instrumentation
