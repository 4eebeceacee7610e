// SPDX-License-Identifier: GPL-2.0-or-later
// One entry point for the daemon's daily timer: the payload of a daily collector from
// the sources the daemon gathered (D-Bus values, lscpu output, statvfs), so wiring a
// collector is one call and one record_event().
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "catalog.hpp"
#include "collectors/hardware_model.hpp"
#include "filesystem_usage.hpp"
#include "glib_handles.hpp"
#include "reading.hpp"
#include "result.hpp"
#include "source_tree.hpp"

namespace metrics::instrumentation {

struct DailySources {
  const SourceTree& tree;
  std::optional<Hostname1Values> hostname1;         // nullopt: hostname1 unavailable
  std::optional<std::vector<std::string>> locale1;  // locale1 Locale, if it answered
  Result<FilesystemBytes> root_fs = Error{ErrorCode::kNotGathered, "statvfs(/) was not run"};
  Result<std::string> lscpu_output = Error{ErrorCode::kNotGathered, "lscpu was not run"};
};

// The payload (of the catalog's type) for a daily collector; nullptr for
// StartupFinished and SessionTime, which are not daily.
Reading<GVariantPtr> daily_payload(CollectorId id, const DailySources& sources);

}  // namespace metrics::instrumentation
