// SPDX-License-Identifier: GPL-2.0-or-later
#include "collectors/primary_storage.hpp"

#include <glib.h>

#include <vector>

#include "block_topology.hpp"
#include "mountinfo.hpp"

namespace metrics::instrumentation {

namespace {

bool is_name_with_number(std::string_view component, std::string_view prefix) {
  if (component.size() <= prefix.size() || component.substr(0, prefix.size()) != prefix)
    return false;
  for (char c : component.substr(prefix.size()))
    if (!g_ascii_isdigit(c)) return false;
  return true;
}

std::vector<std::string_view> components(std::string_view path) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (start < path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    if (slash > start) parts.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return parts;
}

}  // namespace

std::string transport_of_disk(std::string_view disk_sysfs_path) {
  const auto parts = components(disk_sysfs_path);
  auto any = [&](auto predicate) {
    for (auto part : parts)
      if (predicate(part)) return true;
    return false;
  };
  // Outermost bus first: an NVMe or SATA disk in a USB enclosure is a USB disk, and a
  // virtio-scsi disk is a virtual one.
  if (any([](std::string_view p) { return is_name_with_number(p, "usb"); })) return "usb";
  if (any([](std::string_view p) { return is_name_with_number(p, "virtio"); })) return "virtio";
  if (any([](std::string_view p) {
        return p == "nvme" || p == "nvme-subsystem" || p == "nvme-fabrics";
      }))
    return "nvme";
  if (any([](std::string_view p) { return p == "mmc_host"; })) return "mmc";
  if (any([](std::string_view p) { return is_name_with_number(p, "ata"); })) return "sata";
  if (any([](std::string_view p) { return is_name_with_number(p, "host"); }) &&
      any([](std::string_view p) { return p.substr(0, 6) == "target"; }))
    return "scsi";
  return "other";
}

std::string media_of_disk(const SourceTree& tree, const std::string& disk_sysfs_path,
                          std::string_view transport) {
  auto rotational = tree.read_value(disk_sysfs_path + "/queue/rotational");
  if (!rotational) return "unknown";
  // Virtual disks (virtio, loop, zram, …) have no media of their own to report.
  if (transport == "virtio" || transport == "other") return "unknown";
  if (*rotational == "0") return "ssd";
  // 1 is also the kernel's default when a device says nothing; SATA and SCSI disks
  // report their rotation rate, USB bridges often do not.
  if (*rotational == "1" && (transport == "sata" || transport == "scsi")) return "hdd";
  return "unknown";
}

Reading<PrimaryStorage> collect_primary_storage(const SourceTree& tree) {
  Reading<PrimaryStorage> reading;
  auto mountinfo = tree.read_file("/proc/self/mountinfo");
  if (!mountinfo) {
    reading.warnings.emplace_back("primary storage: cannot read /proc/self/mountinfo");
    return reading;
  }
  const auto mounts = parse_mountinfo(*mountinfo);
  auto disks = physical_disks_for_path(tree, mounts, "/");
  if (!disks) {
    reading.warnings.push_back("primary storage: " + disks.error().message);
    return reading;
  }
  // Several disks under / (LVM or btrfs across devices): one answer only if they agree.
  bool first = true;
  for (const auto& disk : *disks) {
    const std::string transport = transport_of_disk(disk);
    const std::string media = media_of_disk(tree, disk, transport);
    if (first) {
      reading.value = {media, transport};
      first = false;
      continue;
    }
    if (reading.value.media != media) reading.value.media = "unknown";
    if (reading.value.transport != transport) reading.value.transport = "unknown";
  }
  if (disks->size() > 1 &&
      (reading.value.media == "unknown" || reading.value.transport == "unknown"))
    reading.warnings.push_back("primary storage: / spans " + std::to_string(disks->size()) +
                               " disks that differ");
  return reading;
}

GVariantPtr to_variant(const PrimaryStorage& storage) {
  return adopt_variant(g_variant_new("(ss)", storage.media.c_str(), storage.transport.c_str()));
}

}  // namespace metrics::instrumentation
