// SPDX-License-Identifier: GPL-2.0-or-later
// Primary storage (af253a97-…, "(ss)"): the media and transport of the disk that holds /.
#pragma once

#include <string>
#include <string_view>

#include "glib_handles.hpp"
#include "reading.hpp"
#include "source_tree.hpp"

namespace metrics::instrumentation {

struct PrimaryStorage {
  std::string media = "unknown";      // ssd, hdd, unknown
  std::string transport = "unknown";  // nvme, sata, scsi, usb, mmc, virtio, other, unknown
  bool operator==(const PrimaryStorage&) const = default;
};

// Reads /proc/self/mountinfo and /sys under `tree`.
Reading<PrimaryStorage> collect_primary_storage(const SourceTree& tree);

// The bus a whole disk hangs off, from its canonical sysfs path.
std::string transport_of_disk(std::string_view disk_sysfs_path);
// ssd/hdd/unknown from queue/rotational, trusted only where the kernel learnt it from
// the device (see docs/instrumentation.md).
std::string media_of_disk(const SourceTree& tree, const std::string& disk_sysfs_path,
                          std::string_view transport);

GVariantPtr to_variant(const PrimaryStorage& storage);

}  // namespace metrics::instrumentation
