// SPDX-License-Identifier: GPL-2.0-or-later
// From a path to the whole physical disks under it, through the layers a Fedora-like
// system stacks: the mount (on btrfs the named device, not the anonymous 0:N),
// partitions, device-mapper (dm-crypt/LUKS, LVM, live-rw snapshots) and md via
// `slaves/`, loop devices via their backing file, overlayfs via its layers.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "mountinfo.hpp"
#include "result.hpp"
#include "source_tree.hpp"

namespace metrics::instrumentation {

// Canonical sysfs paths of whole disks ("/sys/devices/pci…/nvme0n1"), each once, in
// the order found. Error "StorageUnresolved" says where the walk stopped, e.g. "/ is
// mounted from overlay (overlay) and no layer is on a block device".
Result<std::vector<std::string>> physical_disks_for_path(const SourceTree& tree,
                                                         const std::vector<MountEntry>& mounts,
                                                         std::string_view path);

}  // namespace metrics::instrumentation
