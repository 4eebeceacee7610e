// SPDX-License-Identifier: GPL-2.0-or-later
#include "text_util.hpp"

#include <glib.h>

namespace metrics::instrumentation {

std::optional<std::string> printable_text(std::string_view raw_view, size_t max_bytes) {
  // A NUL is a control character like any other here (GLib's validator rejects it).
  std::string raw(raw_view);
  for (char& c : raw)
    if (c == '\0') c = '\n';
  // Firmware strings are not guaranteed to be UTF-8 (Latin-1 vendors exist), and
  // g_variant_new_string() refuses invalid UTF-8.
  const char* end = nullptr;
  if (!g_utf8_validate_len(raw.data(), raw.size(), &end)) return std::nullopt;
  std::string out;
  out.reserve(raw.size());
  for (const char* p = raw.data(); p < raw.data() + raw.size(); p = g_utf8_next_char(p)) {
    gunichar c = g_utf8_get_char(p);
    const char* next = g_utf8_next_char(p);
    if (g_unichar_iscntrl(c)) {
      if (out.size() + 1 > max_bytes) break;
      out.push_back(' ');  // newlines and tabs become spaces; trimmed below
      continue;
    }
    if (out.size() + static_cast<size_t>(next - p) > max_bytes) break;
    out.append(p, next);
  }
  std::string trimmed(trim(out));
  if (trimmed.empty()) return std::nullopt;
  return trimmed;
}

std::optional<double> parse_non_negative_double(std::string_view text) {
  // text::parse_double ignores the locale: "3000,0000" from a French lscpu is refused.
  std::optional<double> value = text::parse_double(text);
  if (!value || *value < 0) return std::nullopt;
  return value;
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (g_ascii_tolower(a[i]) != g_ascii_tolower(b[i])) return false;
  return true;
}

}  // namespace metrics::instrumentation
