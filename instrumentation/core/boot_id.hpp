// SPDX-License-Identifier: GPL-2.0-or-later
// The kernel's id of the running boot (/proc/sys/kernel/random/boot_id): what tells
// the schedule that CLOCK_BOOTTIME restarted.
#pragma once

#include <string>

#include "source_tree.hpp"

namespace metrics::instrumentation {

// "" when unreadable or not a UUID; the schedule then treats every check as a new boot.
std::string read_boot_id(const SourceTree& tree);

}  // namespace metrics::instrumentation
