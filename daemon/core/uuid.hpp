// SPDX-License-Identifier: GPL-2.0-or-later
// Event ids: 16 raw bytes in RFC 4122 order, as they travel on D-Bus and in protocol 3.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace metrics {

struct Uuid {
  std::array<uint8_t, 16> bytes{};

  static std::optional<Uuid> from_bytes(std::span<const uint8_t> raw);
  // Accepts the canonical 8-4-4-4-12 form, either case.
  static std::optional<Uuid> parse(std::string_view text);
  std::string to_string() const;

  // Version-5 (SHA-1) UUID of `name` in namespace *this; protocol 3 derives
  // monthly aggregate ids as daily.derive_v5("monthly").
  Uuid derive_v5(std::string_view name) const;
  Uuid monthly() const { return derive_v5("monthly"); }

  friend bool operator==(const Uuid&, const Uuid&) = default;
  // clang-tidy 14 takes the 0 that a defaulted <=> compares its members' results with for
  // a null pointer.
  // NOLINTNEXTLINE(modernize-use-nullptr)
  friend auto operator<=>(const Uuid&, const Uuid&) = default;
};

}  // namespace metrics
