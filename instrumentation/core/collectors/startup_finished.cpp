// SPDX-License-Identifier: GPL-2.0-or-later
#include "collectors/startup_finished.hpp"

#include <algorithm>
#include <array>

namespace metrics::instrumentation {

Result<std::optional<StartupTimes>> startup_times_from_manager(const ManagerTimestamps& s) {
  if (s.finish == 0) return std::optional<StartupTimes>{};
  auto invalid = [](const std::string& what) {
    return Error{ErrorCode::kStartupTimesInvalid,
                 "systemd's boot timestamps are out of order (" + what +
                     "); startup timing is not recorded for this boot"};
  };
  if (s.finish < s.userspace) return invalid("finish before userspace");
  StartupTimes t;
  t.userspace_us = s.finish - s.userspace;
  if (s.in_container) {
    // In a container systemd only knows its own part and reports it as the total.
    t.total_us = t.userspace_us;
    return std::optional<StartupTimes>{t};
  }
  if (s.firmware < s.loader) return invalid("firmware after loader");
  t.firmware_us = s.firmware - s.loader;
  t.loader_us = s.loader;  // minus the kernel's stamp, which is 0
  if (s.initrd != 0) {
    if (s.userspace < s.initrd) return invalid("userspace before initrd");
    t.kernel_us = s.initrd;
    t.initrd_us = s.userspace - s.initrd;
  } else {
    t.kernel_us = s.userspace;
  }
  t.total_us = s.firmware + s.finish;
  return std::optional<StartupTimes>{t};
}

GVariantPtr to_variant(const StartupTimes& t) {
  return adopt_variant(g_variant_new(
      "(tttttt)", static_cast<guint64>(t.firmware_us), static_cast<guint64>(t.loader_us),
      static_cast<guint64>(t.kernel_us), static_cast<guint64>(t.initrd_us),
      static_cast<guint64>(t.userspace_us), static_cast<guint64>(t.total_us)));
}

std::optional<StartupTimes> startup_times_from_signal(GVariant* parameters) {
  if (!parameters || !g_variant_is_of_type(parameters, G_VARIANT_TYPE("(tttttt)")))
    return std::nullopt;
  guint64 v[6] = {};
  g_variant_get(parameters, "(tttttt)", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]);
  StartupTimes t;
  t.firmware_us = v[0];
  t.loader_us = v[1];
  t.kernel_us = v[2];
  t.initrd_us = v[3];
  t.userspace_us = v[4];
  t.total_us = v[5];
  return t;
}

bool is_container_virtualization(std::string_view virtualization) {
  static constexpr std::array<std::string_view, 10> kContainers{
      "openvz", "lxc", "lxc-libvirt", "systemd-nspawn", "docker",
      "podman", "rkt", "wsl",         "proot",          "pouch"};
  return std::find(kContainers.begin(), kContainers.end(), virtualization) != kContainers.end();
}

bool startup_already_recorded(const std::optional<std::string>& recorded_boot_id,
                              const std::string& current_boot_id) {
  return recorded_boot_id && !current_boot_id.empty() && *recorded_boot_id == current_boot_id;
}

}  // namespace metrics::instrumentation
