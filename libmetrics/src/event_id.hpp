// SPDX-License-Identifier: LGPL-2.1-or-later
// Event ids: applications pass canonical UUID strings, the bus carries 16 bytes.
#pragma once

#include <glib.h>

#include <array>
#include <cstdint>
#include <optional>

namespace emtr {

using EventId = std::array<std::uint8_t, 16>;

// The 16 bytes of a canonical 8-4-4-4-12 UUID (either case); nullopt otherwise.
std::optional<EventId> parse_event_id(const char* text);

// Like parse_event_id, and logs the warning the original library gives for a bad id.
std::optional<EventId> parse_event_id_or_warn(const char* text);

// A new floating "ay" holding the 16 bytes.
GVariant* event_id_variant(const EventId& id);

}  // namespace emtr
