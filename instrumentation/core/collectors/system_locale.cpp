// SPDX-License-Identifier: GPL-2.0-or-later
#include "collectors/system_locale.hpp"

#include <glib.h>

#include "text_util.hpp"

namespace metrics::instrumentation {

namespace {

bool all_of(std::string_view text, gboolean (*predicate)(gchar)) {
  for (char c : text)
    if (!predicate(c)) return false;
  return true;
}

gboolean is_lower(gchar c) {
  return g_ascii_islower(c);
}
gboolean is_upper(gchar c) {
  return g_ascii_isupper(c);
}
gboolean is_digit(gchar c) {
  return g_ascii_isdigit(c);
}
gboolean is_alnum(gchar c) {
  return g_ascii_isalnum(c);
}
gboolean is_codeset_char(gchar c) {
  return g_ascii_isalnum(c) || c == '-' || c == '_';
}

std::string unquote(std::string_view value) {
  value = trim(value);
  if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
      value.back() == value.front())
    value = value.substr(1, value.size() - 2);
  return std::string(value);
}

}  // namespace

std::optional<std::string> normalize_locale(std::string_view value) {
  value = trim(value);
  // Drop the modifier first ("@latin" may follow the codeset), then the codeset; both
  // must still look like what they are, or the whole value is not a locale name.
  const size_t at = value.find('@');
  if (at != std::string_view::npos) {
    std::string_view modifier = value.substr(at + 1);
    if (modifier.empty() || !all_of(modifier, is_alnum)) return std::nullopt;
    value = value.substr(0, at);
  }
  const size_t dot = value.find('.');
  if (dot != std::string_view::npos) {
    std::string_view codeset = value.substr(dot + 1);
    if (codeset.empty() || !all_of(codeset, is_codeset_char)) return std::nullopt;
    value = value.substr(0, dot);
  }
  if (value == "C" || value == "POSIX") return std::string(value);
  const size_t underscore = value.find('_');
  std::string_view language = value.substr(0, underscore);
  if (language.size() < 2 || language.size() > 3 || !all_of(language, is_lower))
    return std::nullopt;
  if (underscore == std::string_view::npos) return std::string(language);
  std::string_view territory = value.substr(underscore + 1);
  // ISO 3166 alpha-2 ("DE") or UN M.49 numeric ("419").
  const bool alpha = territory.size() == 2 && all_of(territory, is_upper);
  const bool numeric = territory.size() == 3 && all_of(territory, is_digit);
  if (!alpha && !numeric) return std::nullopt;
  return std::string(value);
}

std::optional<std::string> lang_from_assignments(const std::vector<std::string>& assignments) {
  for (const auto& assignment : assignments)
    if (assignment.rfind("LANG=", 0) == 0) return assignment.substr(5);
  return std::nullopt;
}

std::optional<std::string> lang_from_locale_conf(std::string_view text) {
  std::optional<std::string> lang;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = trim(text.substr(start, end - start));
    start = end + 1;
    if (line.empty() || line.front() == '#') continue;
    if (line.rfind("export ", 0) == 0) line = trim(line.substr(7));
    if (line.rfind("LANG=", 0) != 0) continue;
    lang = unquote(line.substr(5));
  }
  return lang;
}

Reading<std::string> collect_system_locale(const SourceTree& tree,
                                           const std::optional<std::vector<std::string>>& locale1) {
  Reading<std::string> reading;
  if (locale1) {
    auto lang = lang_from_assignments(*locale1);
    if (lang) {
      if (auto normalized = normalize_locale(*lang)) {
        reading.value = *normalized;
        return reading;
      }
      reading.warnings.emplace_back("system locale: locale1's LANG is not a locale name");
    }
  }
  if (auto conf = tree.read_file("/etc/locale.conf", size_t{64} * 1024)) {
    auto lang = lang_from_locale_conf(*conf);
    if (lang) {
      if (auto normalized = normalize_locale(*lang)) {
        reading.value = *normalized;
        return reading;
      }
      reading.warnings.emplace_back("system locale: LANG in /etc/locale.conf is not a locale name");
    }
  }
  reading.value = std::string(kUnknownLocale);
  reading.warnings.emplace_back("system locale: no usable LANG from locale1 or /etc/locale.conf");
  return reading;
}

GVariantPtr to_variant_locale(const std::string& locale) {
  return adopt_variant(g_variant_new_string(locale.c_str()));
}

}  // namespace metrics::instrumentation
