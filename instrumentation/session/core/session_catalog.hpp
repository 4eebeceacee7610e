// SPDX-License-Identifier: GPL-2.0-or-later
// The session collector's metrics (registry/fedora.json): event UUIDs and the keys an
// administrator or user switches them off with. Which values each may send is not here:
// the collector reads the lists from the registry the recorder enforces.
#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace metrics::instrumentation::session {

enum class SessionCollector { IdeUsage, ToolbxImages };

struct SessionCatalogEntry {
  SessionCollector id;
  std::string_view config_key;  // key in [Collectors] of session-collector.conf
  std::string_view event_id;    // UUID recorded through libmetrics
  std::string_view payload_type;
  std::string_view field;  // the field whose allowed values the collector uses
};

inline constexpr std::array<SessionCatalogEntry, 2> kSessionCatalog{{
    // The Endless OS daily application usage (a timer of the desktop file ID), which the
    // stock Azafea server stores in its app-usage tables, limited to IDEs.
    {SessionCollector::IdeUsage, "ide-usage", "49d0451a-f706-4f50-81d2-70cc0ec923a4", "s",
     "application"},
    {SessionCollector::ToolbxImages, "toolbx-images", "1d6482fd-00c8-4223-8be8-dfacacd92ae7",
     "a(ssu)", "distribution"},
}};

constexpr const SessionCatalogEntry& session_entry(SessionCollector id) {
  for (const auto& entry : kSessionCatalog)
    if (entry.id == id) return entry;
  return kSessionCatalog[0];  // unreachable: every collector has an entry
}

constexpr std::optional<SessionCollector> session_collector_by_key(std::string_view key) {
  for (const auto& entry : kSessionCatalog)
    if (entry.config_key == key) return entry.id;
  return std::nullopt;
}

}  // namespace metrics::instrumentation::session
