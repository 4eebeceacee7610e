// SPDX-License-Identifier: GPL-2.0-or-later
// The kernel's id of the running boot: what tells a program that CLOCK_BOOTTIME started
// again. The recorder anchors its time-line to it; the instrumentation its schedule.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace metrics {

inline constexpr const char* kBootIdFile = "/proc/sys/kernel/random/boot_id";

// The id in the file's text (its first line): nullopt when that is not a UUID.
std::optional<std::string> parse_boot_id(std::string_view contents);
// nullopt when the file cannot be read or does not hold a UUID; each caller says what an
// unknown boot means to it.
std::optional<std::string> read_boot_id(const std::filesystem::path& file = kBootIdFile);

}  // namespace metrics
