// SPDX-License-Identifier: GPL-2.0-or-later
// What one metric registry entry says, and how a problem with a registry file is reported.
// The file format is described in docs/adding-a-metric.md; registry_schema.hpp reads it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "uuid.hpp"

namespace metrics::registry {

enum class Kind { Singular, Aggregate, Timer };

std::string_view kind_name(Kind kind);  // "singular", "aggregate", "timer"
std::optional<Kind> parse_kind(std::string_view text);

// One described part of a payload. Its GVariant type comes from the entry's
// payload_type, so a description can never disagree with the type that is enforced.
struct Field {
  std::string name;
  std::string type;  // GVariant type string of this part
  std::string description;
  std::vector<Field> fields;  // the members, when this part is a tuple or an array of tuples
  // The only values a string part may hold, in the file's order; empty: any value.
  std::vector<std::string> allowed_values;

  friend bool operator==(const Field&, const Field&) = default;
};

struct Entry {
  Uuid uuid;
  std::string name;
  Kind kind = Kind::Singular;
  std::optional<std::string> payload_type;  // GVariant type string; nullopt: no payload
  // For a tuple payload one per member, else one for the whole value; empty without payload.
  std::vector<Field> fields;
  std::string description;             // what it is, for the person whose machine sends it
  std::string purpose;                 // why it is collected
  std::string approval;                // who approved it and where
  std::optional<std::string> example;  // GVariant text form; nullopt without payload
  // A typical daily count (aggregate) or seconds per day (timer); nullopt for singular.
  std::optional<uint32_t> example_count;
  std::filesystem::path source;  // the registry file it came from
  size_t position = 0;           // its place among that file's entries, from 1
  std::string owner;             // that file's owner

  // Aggregate counts and timers are also sent per month, under UUID v5(uuid, "monthly").
  bool has_monthly_twin() const { return kind != Kind::Singular; }
  std::optional<Uuid> monthly_uuid() const {
    return has_monthly_twin() ? std::optional<Uuid>(uuid.monthly()) : std::nullopt;
  }

  friend bool operator==(const Entry&, const Entry&) = default;
};

// A problem found in a registry file: the file, the entry (counted from 1) and the field,
// as precisely as they are known. The entry it concerns, or the whole file when no entry
// is named, is skipped; everything else still loads.
struct Problem {
  std::filesystem::path file;
  std::optional<size_t> entry;  // 1-based position in "metrics"
  std::string uuid;             // the entry's UUID when it has a valid one
  std::string field;            // e.g. "payload_type" or "fields[2].name"; "" for the whole entry
  std::string message;

  // "FILE: entry 3 (UUID): field 'payload_type': MESSAGE", leaving out what is unknown.
  std::string to_string() const;

  friend bool operator==(const Problem&, const Problem&) = default;
};

}  // namespace metrics::registry
