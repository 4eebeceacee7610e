// SPDX-License-Identifier: GPL-2.0-or-later
#include "session_registry.hpp"

namespace metrics::instrumentation::session {

Result<ValueSet> registered_values(const registry::Registry& registry, SessionCollector id) {
  const SessionCatalogEntry& wanted = session_entry(id);
  const std::string what =
      std::string(wanted.config_key) + " (" + std::string(wanted.event_id) + ")";
  auto uuid = Uuid::parse(wanted.event_id);
  auto match = uuid ? registry.find(*uuid) : std::nullopt;
  if (!match || match->monthly)
    return Error{ErrorCode::kNotRegistered,
                 what + " is not in the metric registry (" + registry.directory().string() + ")"};
  const registry::Entry& entry = *match->entry;
  if (entry.payload_type != std::string(wanted.payload_type))
    return Error{ErrorCode::kNotRegistered, what + " is registered with payload type '" +
                                                entry.payload_type.value_or("none") + "', not '" +
                                                std::string(wanted.payload_type) + "'"};
  for (const registry::Field& field : entry.fields) {
    if (field.name != wanted.field) continue;
    if (field.allowed_values.empty()) break;
    return ValueSet(field.allowed_values.begin(), field.allowed_values.end());
  }
  return Error{ErrorCode::kNotRegistered,
               what + ": the registry lists no allowed values for its field '" +
                   std::string(wanted.field) + "'"};
}

}  // namespace metrics::instrumentation::session
