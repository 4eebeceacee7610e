// SPDX-License-Identifier: GPL-2.0-or-later
// /etc/metrics/instrumentation.conf: the administrator's switches, one per collector.
//
//   [Collectors]
//   hardware-model=false
//   system-locale=false
//
// Next to the recorder's files in /etc/metrics, where an administrator already looks.
// Missing file or key: the collector runs (the recorder's consent still decides
// whether anything is kept). Anything the administrator wrote that cannot be
// understood errs towards collecting less, with a warning saying what to fix.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "catalog.hpp"

namespace metrics::instrumentation {

struct InstrumentationConfig {
  std::map<CollectorId, bool> enabled;  // every CollectorId present
  std::vector<std::string> warnings;

  bool is_enabled(CollectorId id) const;
};

InstrumentationConfig all_collectors_enabled();

// Rules: a key that is not a boolean switches its collector off; an unknown key or
// group is ignored; a file that exists but cannot be read or parsed switches every
// collector off (the administrator evidently meant to configure something).
InstrumentationConfig read_instrumentation_config(const std::filesystem::path& file);

}  // namespace metrics::instrumentation
