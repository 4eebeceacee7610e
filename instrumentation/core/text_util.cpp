#include "text_util.hpp"

#include <glib.h>

#include <charconv>
#include <cmath>

namespace metrics::instrumentation {

std::string_view trim(std::string_view text) {
  while (!text.empty() && g_ascii_isspace(text.front())) text.remove_prefix(1);
  while (!text.empty() && g_ascii_isspace(text.back())) text.remove_suffix(1);
  return text;
}

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

std::optional<uint64_t> parse_unsigned(std::string_view text) {
  text = trim(text);
  if (text.empty()) return std::nullopt;
  for (char c : text)
    if (!g_ascii_isdigit(c)) return std::nullopt;
  uint64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<double> parse_non_negative_double(std::string_view text) {
  std::string s(trim(text));
  if (s.empty()) return std::nullopt;
  // g_ascii_strtod ignores the locale: "3000,0000" from a French lscpu is refused.
  char* end = nullptr;
  double value = g_ascii_strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || !std::isfinite(value) || value < 0) return std::nullopt;
  return value;
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (g_ascii_tolower(a[i]) != g_ascii_tolower(b[i])) return false;
  return true;
}

}  // namespace metrics::instrumentation
