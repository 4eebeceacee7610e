// SPDX-License-Identifier: GPL-2.0-or-later
// Every file the recorder reads or writes, relocatable for tests and packagers.
#pragma once

#include <filesystem>

namespace metrics {

struct Paths {
  std::filesystem::path config_dir;        // /etc/metrics
  std::filesystem::path permissions_file;  // -c; default config_dir/eos-metrics-permissions.conf
  std::filesystem::path state_dir;         // -p; default /var/cache/metrics/v3
  std::filesystem::path os_release;        // /etc/os-release
  std::filesystem::path boot_id_file;      // /proc/sys/kernel/random/boot_id
  std::filesystem::path kernel_cmdline;    // /proc/cmdline (live boot)

  std::filesystem::path cache_size_file() const { return config_dir / "cache-size.conf"; }
  std::filesystem::path location_file() const { return config_dir / "location.conf"; }
  // Our own settings, so the permissions file keeps exactly the reference format.
  std::filesystem::path recorder_settings_file() const { return config_dir / "recorder.conf"; }
  std::filesystem::path database_file() const { return state_dir / "metrics.db"; }
};

}  // namespace metrics
