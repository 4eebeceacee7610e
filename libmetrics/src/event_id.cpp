// SPDX-License-Identifier: LGPL-2.1-or-later
#include "event_id.hpp"

#include <cstring>

namespace emtr {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool is_dash_position(std::size_t i) {
  return i == 8 || i == 13 || i == 18 || i == 23;
}

}  // namespace

std::optional<EventId> parse_event_id(const char* text) {
  constexpr std::size_t kLength = 36;
  if (text == nullptr || std::strlen(text) != kLength) return std::nullopt;
  EventId id{};
  std::size_t byte = 0;
  for (std::size_t i = 0; i < kLength;) {
    if (is_dash_position(i)) {
      if (text[i] != '-') return std::nullopt;
      ++i;
      continue;
    }
    const int high = hex_value(text[i]);
    const int low = hex_value(text[i + 1]);
    if (high < 0 || low < 0 || is_dash_position(i + 1)) return std::nullopt;
    id[byte++] = static_cast<std::uint8_t>(high * 16 + low);
    i += 2;
  }
  return id;
}

std::optional<EventId> parse_event_id_or_warn(const char* text) {
  auto id = parse_event_id(text);
  if (!id) {
    // The original's words (callers' tests expect them), its package hint included.
    g_warning(
        "Attempt to parse UUID \"%s\" failed. Make sure you created this UUID with uuidgen -r. "
        "You may need to sudo apt-get install uuid-runtime first.",
        text);
  }
  return id;
}

GVariant* event_id_variant(const EventId& id) {
  return g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, id.data(), id.size(), 1);
}

}  // namespace emtr
