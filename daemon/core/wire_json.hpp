// SPDX-License-Identifier: GPL-2.0-or-later
// A protocol-3 request as JSON, the one form both metricsctl (`log show --json`,
// `set-aside show --json`) and the test collector (its request_json column) print:
//
//   {"relative_timestamp", "absolute_timestamp", "image_id",
//    "site_labels": [[key, value], ...]   (in the request's order, duplicates kept),
//    "boot_flags", "dual_boot", "live_boot",
//    "singulars": [{"event_id", ["name",] "os_version", "relative_timestamp", "payload"}],
//    "aggregates": [{"event_id", ["name",] "os_version", "period", "count", "payload"}]}
//
// "payload" is the GVariant text form, or null for none; "name" is there only when the
// caller can name events (the registry's name, or null for an unknown UUID).
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "uuid.hpp"
#include "wire.hpp"

namespace metrics::wire {

using EventNamer = std::function<std::optional<std::string>(const Uuid&)>;

nlohmann::ordered_json request_json(const Request& request, const EventNamer& name_of = {});

}  // namespace metrics::wire
