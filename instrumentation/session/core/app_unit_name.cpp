// SPDX-License-Identifier: GPL-2.0-or-later
#include "app_unit_name.hpp"

#include <glib.h>

#include <vector>

namespace metrics::instrumentation::session {

namespace {

std::optional<std::string_view> strip_suffix(std::string_view text, std::string_view suffix) {
  if (!text.ends_with(suffix)) return std::nullopt;
  return text.substr(0, text.size() - suffix.size());
}

// Unescaped "-" separate the parts; an escaped one ("\x2d") belongs to its part.
std::vector<std::string_view> split_on_dashes(std::string_view text) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == '-') {
      parts.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  return parts;
}

// A launcher names a program (gnome, flatpak, kde); an application ID is a reverse-DNS
// name or a desktop file name, and a launcher never holds a dot.
bool looks_like_launcher(std::string_view part) {
  return !part.empty() && part.find('.') == std::string_view::npos &&
         part.find('\\') == std::string_view::npos;
}

std::optional<std::string> join_id(const std::vector<std::string_view>& parts, size_t first,
                                   size_t last) {
  if (first >= last) return std::nullopt;
  std::string escaped;
  for (size_t i = first; i < last; ++i) {
    if (parts[i].empty()) return std::nullopt;
    escaped += (i == first ? "" : "-") + std::string(parts[i]);
  }
  return unescape_unit_name_part(escaped);
}

// app[-<launcher>]-<ID>-<RANDOM>: the random part is last, the launcher first when there
// are three parts or more. An ID a launcher forgot to escape is joined back together.
std::optional<std::string> app_scope_id(std::string_view body) {
  const auto parts = split_on_dashes(body);
  if (parts.size() < 2 || parts.back().empty()) return std::nullopt;
  const size_t first = parts.size() >= 3 && looks_like_launcher(parts[0]) ? 1 : 0;
  return join_id(parts, first, parts.size() - 1);
}

// app[-<launcher>]-<ID>[@<RANDOM>]
std::optional<std::string> app_service_id(std::string_view body) {
  if (auto at = body.find('@'); at != std::string_view::npos) body = body.substr(0, at);
  const auto parts = split_on_dashes(body);
  const size_t first = parts.size() >= 2 && looks_like_launcher(parts[0]) ? 1 : 0;
  return join_id(parts, first, parts.size());
}

// dbus-:<BUS ID>-<ID>@<N>: the bus's unique-name suffix holds no "-"; the D-Bus name
// after it is not escaped, and may itself contain "-".
std::optional<std::string> dbus_broker_id(std::string_view body) {
  if (!body.starts_with(":")) return std::nullopt;
  const size_t dash = body.find('-');
  const size_t at = body.rfind('@');
  if (dash == std::string_view::npos || at == std::string_view::npos || at < dash + 2)
    return std::nullopt;
  std::string name(body.substr(dash + 1, at - dash - 1));
  // A D-Bus well-known name: elements of [A-Za-z0-9_-] separated by dots.
  for (char c : name)
    if (!g_ascii_isalnum(c) && c != '_' && c != '-' && c != '.') return std::nullopt;
  if (name.find('.') == std::string::npos) return std::nullopt;
  return name;
}

}  // namespace

std::optional<std::string> unescape_unit_name_part(std::string_view escaped) {
  std::string out;
  for (size_t i = 0; i < escaped.size(); ++i) {
    if (escaped[i] != '\\') {
      out += escaped[i];
      continue;
    }
    if (i + 3 >= escaped.size() || escaped[i + 1] != 'x') return std::nullopt;
    const int high = g_ascii_xdigit_value(escaped[i + 2]);
    const int low = g_ascii_xdigit_value(escaped[i + 3]);
    if (high < 0 || low < 0) return std::nullopt;
    out += static_cast<char>(high * 16 + low);
    i += 3;
  }
  if (out.empty() || !g_utf8_validate(out.data(), static_cast<gssize>(out.size()), nullptr))
    return std::nullopt;
  for (char c : out) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f || c == '/') return std::nullopt;
  }
  return out;
}

std::optional<std::string> application_id_of_unit(std::string_view unit_name) {
  if (auto scope = strip_suffix(unit_name, ".scope"); scope && scope->starts_with("app-"))
    return app_scope_id(scope->substr(4));
  if (auto service = strip_suffix(unit_name, ".service")) {
    if (service->starts_with("app-")) return app_service_id(service->substr(4));
    if (service->starts_with("dbus-")) return dbus_broker_id(service->substr(5));
  }
  return std::nullopt;
}

}  // namespace metrics::instrumentation::session
