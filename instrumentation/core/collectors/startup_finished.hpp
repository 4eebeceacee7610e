// SPDX-License-Identifier: GPL-2.0-or-later
// Startup finished (bf7e8aed-…, "(tttttt)"): firmware, loader, kernel, initrd,
// userspace and total boot time in µs, once per boot.
//
// The daemon gets these either from systemd's StartupFinished signal (the same six
// numbers) or, when it starts after boot finished, from the Manager's *Timestamp-
// Monotonic properties, computed here the way systemd computes the signal.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "glib_handles.hpp"
#include "result.hpp"

namespace metrics::instrumentation {

struct StartupTimes {
  uint64_t firmware_us = 0;
  uint64_t loader_us = 0;
  uint64_t kernel_us = 0;
  uint64_t initrd_us = 0;
  uint64_t userspace_us = 0;
  uint64_t total_us = 0;
  bool operator==(const StartupTimes&) const = default;
};

// org.freedesktop.systemd1.Manager properties, in µs of CLOCK_MONOTONIC. Firmware and
// loader count backwards from the kernel's start (systemd stores them that way);
// KernelTimestampMonotonic is always 0.
struct ManagerTimestamps {
  uint64_t firmware = 0;      // FirmwareTimestampMonotonic
  uint64_t loader = 0;        // LoaderTimestampMonotonic
  uint64_t initrd = 0;        // InitRDTimestampMonotonic, 0 without an initrd
  uint64_t userspace = 0;     // UserspaceTimestampMonotonic
  uint64_t finish = 0;        // FinishTimestampMonotonic, 0 while booting
  bool in_container = false;  // Manager Virtualization is a container type
};

// nullopt while boot has not finished (FinishTimestampMonotonic is 0): the daemon
// then waits for StartupFinished. Error "StartupTimesInvalid" when the stamps are not
// in boot order (firmware ≥ loader, userspace ≥ initrd, finish ≥ userspace).
Result<std::optional<StartupTimes>> startup_times_from_manager(const ManagerTimestamps& stamps);

GVariantPtr to_variant(const StartupTimes& times);

// The StartupFinished signal's six values, in its order (firmware, loader, kernel,
// initrd, userspace, total); nullopt when the parameters are not "(tttttt)".
std::optional<StartupTimes> startup_times_from_signal(GVariant* parameters);

// Whether the Manager's Virtualization property names a container (systemd-detect-virt
// --container's names), where systemd reports only its own userspace time.
bool is_container_virtualization(std::string_view virtualization);

// Startup is recorded once per boot, even across daemon restarts: the daemon keeps the
// boot id it last recorded for (ScheduleState::startup_boot_id).
bool startup_already_recorded(const std::optional<std::string>& recorded_boot_id,
                              const std::string& current_boot_id);

}  // namespace metrics::instrumentation
