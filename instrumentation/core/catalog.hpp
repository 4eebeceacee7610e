// SPDX-License-Identifier: GPL-2.0-or-later
// The instrumentation daemon's metrics as approved in the registry (registry/*.json,
// docs/what-is-collected.md): event UUIDs, payload types and the names an administrator
// uses to switch a collector off. One table, so the collectors, the
// configuration and the docs cannot drift apart.
#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace metrics::instrumentation {

enum class CollectorId {
  StartupFinished,
  SessionTime,
  HardwareInfo,
  PrimaryStorage,
  HardwareModel,
  SystemLocale,
};

struct CatalogEntry {
  CollectorId id;
  std::string_view config_key;    // key in [Collectors] of instrumentation.conf
  std::string_view event_id;      // UUID recorded through libmetrics
  std::string_view payload_type;  // GVariant type string; "" for none (timers)
  bool daily;                     // at most once per 24 h (DailySchedule)
};

inline constexpr std::array<CatalogEntry, 6> kCatalog{{
    {CollectorId::StartupFinished, "startup-finished", "bf7e8aed-2932-455c-a28e-d407cfd5aaba",
     "(tttttt)", false},
    {CollectorId::SessionTime, "session-time", "5dc0b53c-93f9-4df0-ad6f-bd25e9fe638f", "", false},
    {CollectorId::HardwareInfo, "hardware-info", "81f303aa-448d-443d-97f9-8d8a9169321c",
     "(uuuua(sqds))", true},
    {CollectorId::PrimaryStorage, "primary-storage", "af253a97-88ce-4daa-84c6-1157dcf802c5", "(ss)",
     true},
    {CollectorId::HardwareModel, "hardware-model", "459fd042-e1c8-4523-9d3e-cab8095a1ca2", "(sss)",
     true},
    {CollectorId::SystemLocale, "system-locale", "61d6b53a-559d-4ed3-8241-0a337d14bce0", "s", true},
}};

constexpr const CatalogEntry& catalog_entry(CollectorId id) {
  for (const auto& entry : kCatalog)
    if (entry.id == id) return entry;
  return kCatalog[0];  // unreachable: every CollectorId has an entry (checked by a test)
}

constexpr std::optional<CollectorId> collector_by_key(std::string_view key) {
  for (const auto& entry : kCatalog)
    if (entry.config_key == key) return entry.id;
  return std::nullopt;
}

// The monthly twin of the session-time timer (UUID v5, see docs/protocol.md); the
// recorder derives it, it is listed here for the docs.
inline constexpr std::string_view kSessionTimeMonthlyEventId =
    "2ee16e97-2993-5dcc-b9d2-841152520ad6";

}  // namespace metrics::instrumentation
