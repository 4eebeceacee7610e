// SPDX-License-Identifier: GPL-2.0-or-later
// The boot-type byte every upload carries (field 5 of protocol 3): bit 0 "dual boot",
// bit 1 "live boot". Read once at start: neither changes during a boot.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string_view>

namespace metrics {

inline constexpr uint8_t kBootFlagDualBoot = 1;
inline constexpr uint8_t kBootFlagLiveBoot = 2;

// Live: the kernel command line of a system booted from live media the way Fedora's
// are (dracut's `rd.live.image`, unless given a false value, or `root=live:…`; the last
// `rd.live.image` wins, as dracut reads it). Dual boot is never set: Endless meant an OS
// running from an image file inside another system's partition, which Fedora has no form
// of, and telling whether another system is installed would take reading other disks or
// the firmware's boot entries.
uint8_t boot_flags_from_cmdline(std::string_view cmdline);

// The flags from the kernel command line in `file` (/proc/cmdline); none when it cannot
// be read.
uint8_t read_boot_flags(const std::filesystem::path& file);

}  // namespace metrics
