// SPDX-License-Identifier: GPL-2.0-or-later
#include "registry_entry.hpp"

namespace metrics::registry {

std::string_view kind_name(Kind kind) {
  switch (kind) {
    case Kind::Singular:
      return "singular";
    case Kind::Aggregate:
      return "aggregate";
    case Kind::Timer:
      return "timer";
  }
  return "singular";
}

std::optional<Kind> parse_kind(std::string_view text) {
  for (Kind kind : {Kind::Singular, Kind::Aggregate, Kind::Timer})
    if (kind_name(kind) == text) return kind;
  return std::nullopt;
}

std::string Problem::to_string() const {
  std::string out = file.string();
  if (entry) {
    out += ": entry " + std::to_string(*entry);
    if (!uuid.empty()) out += " (" + uuid + ")";
  }
  if (!field.empty()) out += ": field '" + field + "'";
  out += ": " + message;
  return out;
}

}  // namespace metrics::registry
