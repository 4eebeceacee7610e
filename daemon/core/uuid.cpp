// SPDX-License-Identifier: GPL-2.0-or-later
#include "uuid.hpp"

#include <algorithm>

#include "glib_handles.hpp"

namespace metrics {

std::optional<Uuid> Uuid::from_bytes(std::span<const uint8_t> raw) {
  if (raw.size() != 16) return std::nullopt;
  Uuid u;
  std::copy(raw.begin(), raw.end(), u.bytes.begin());
  return u;
}

std::optional<Uuid> Uuid::parse(std::string_view text) {
  if (text.size() != 36) return std::nullopt;
  Uuid u;
  size_t out = 0;
  for (size_t i = 0; i < text.size();) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (text[i] != '-') return std::nullopt;
      ++i;
      continue;
    }
    int hi = g_ascii_xdigit_value(text[i]);
    int lo = g_ascii_xdigit_value(text[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    u.bytes[out++] = static_cast<uint8_t>(hi << 4 | lo);
    i += 2;
  }
  return u;
}

std::string Uuid::to_string() const {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  s.reserve(36);
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) s.push_back('-');
    s.push_back(kHex[bytes[i] >> 4]);
    s.push_back(kHex[bytes[i] & 0xf]);
  }
  return s;
}

Uuid Uuid::derive_v5(std::string_view name) const {
  GChecksumPtr sha1(g_checksum_new(G_CHECKSUM_SHA1));
  g_checksum_update(sha1.get(), bytes.data(), bytes.size());
  g_checksum_update(sha1.get(), reinterpret_cast<const guchar*>(name.data()),
                    static_cast<gssize>(name.size()));
  std::array<uint8_t, 20> digest{};
  gsize len = digest.size();
  g_checksum_get_digest(sha1.get(), digest.data(), &len);
  Uuid u;
  std::copy_n(digest.begin(), 16, u.bytes.begin());
  u.bytes[6] = static_cast<uint8_t>((u.bytes[6] & 0x0f) | 0x50);  // version 5
  u.bytes[8] = static_cast<uint8_t>((u.bytes[8] & 0x3f) | 0x80);  // RFC 4122 variant
  return u;
}

}  // namespace metrics
