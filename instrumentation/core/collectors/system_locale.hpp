// SPDX-License-Identifier: GPL-2.0-or-later
// System locale (61d6b53a-…, "s"): language_TERRITORY of the system's LANG.
//
// org.freedesktop.locale1's Locale (passed in by the daemon) first, /etc/locale.conf
// second; "unknown" when neither has a usable LANG.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "glib_handles.hpp"
#include "reading.hpp"
#include "source_tree.hpp"

namespace metrics::instrumentation {

inline constexpr std::string_view kUnknownLocale = "unknown";

// "de_DE.UTF-8" → "de_DE", "sr_RS.UTF-8@latin" → "sr_RS", "C.UTF-8" → "C", "POSIX"
// as is. nullopt for anything that is not language[_TERRITORY] (so no free text
// ever reaches the payload).
std::optional<std::string> normalize_locale(std::string_view value);

// The value of LANG= in locale1's Locale array ("LANG=de_DE.UTF-8", "LC_TIME=…").
std::optional<std::string> lang_from_assignments(const std::vector<std::string>& assignments);
// The value of LANG= in a locale.conf text (shell-like: comments, optional quotes;
// the last assignment wins).
std::optional<std::string> lang_from_locale_conf(std::string_view text);

Reading<std::string> collect_system_locale(const SourceTree& tree,
                                           const std::optional<std::vector<std::string>>& locale1);

GVariantPtr to_variant_locale(const std::string& locale);

}  // namespace metrics::instrumentation
