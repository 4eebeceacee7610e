// SPDX-License-Identifier: GPL-2.0-or-later
// What the metric registry lets a session collector send. The collector reads its lists
// from the same registry the recorder enforces, so it cannot send what the recorder would
// refuse, and a collector whose metric is not registered does not run.
#pragma once

#include <set>
#include <string>

#include "registry.hpp"
#include "result.hpp"
#include "session_catalog.hpp"

namespace metrics::instrumentation::session {

using ValueSet = std::set<std::string, std::less<>>;

// The allowed values of the collector's field (session_catalog.hpp). Error
// "NotRegistered" when the registry has no such entry, the entry's type is not the
// collector's, or the field lists no values; the message says which.
Result<ValueSet> registered_values(const registry::Registry& registry, SessionCollector id);

}  // namespace metrics::instrumentation::session
