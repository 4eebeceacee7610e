// SPDX-License-Identifier: GPL-2.0-or-later
// How `metricsctl registry` shows the metric registry: the list of metrics, one metric in
// full, and the problems of registry files, as text or JSON. No D-Bus: the registry is
// package data every user may read.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "registry.hpp"

namespace metrics::cli {

// --registry-dir's value, or the installed registry when it was not given.
std::filesystem::path registry_directory(const std::string& option_value);

// The entry `name_or_uuid` names: its UUID or monthly twin's UUID (any case), or its name
// (exact, ignoring ASCII case). Null when there is none.
const registry::Entry* find_registry_entry(const registry::Registry& registry,
                                           std::string_view name_or_uuid);

// One line per metric under a header: name, kind, payload type ("-" for none), UUID.
std::string render_registry_list(const std::vector<registry::Entry>& entries);

// Every fact of one entry, "Label: value" lines with wrapped text and indented fields.
std::string render_registry_entry(const registry::Entry& entry);

// Stable snake_case keys; absent values are null.
nlohmann::ordered_json registry_entry_json(const registry::Entry& entry);
nlohmann::ordered_json registry_problem_json(const registry::Problem& problem);

}  // namespace metrics::cli
