// SPDX-License-Identifier: GPL-2.0-or-later
// Allowed values: a registry entry may list the only values a string payload, or a named
// string field of a tuple payload (also inside an array of tuples), may hold. With such a
// list an approved metric cannot be used to carry free text. This file finds a value
// outside its list in a payload; the recorder refuses such an event in enforce mode
// (WrongPayloadValue, see registry.hpp) and registry_schema.cpp reads the lists.
#pragma once

#include <glib.h>

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "registry_entry.hpp"

namespace metrics::registry {

// Whether any field (or member of a field, at any depth) lists allowed values.
bool restricts_values(const std::vector<Field>& fields);

struct DisallowedValue {
  // Where the value is, by field names: "application", "images[2].distribution" (array
  // elements counted from 1).
  std::string field;
  size_t allowed_count = 0;  // how many values that field allows
};

// The first value of `payload` outside its field's list, or nullopt when every value is
// allowed. `payload` must be of the entry's payload type (its fields describe it).
std::optional<DisallowedValue> find_disallowed_value(const Entry& entry, GVariant* payload);

}  // namespace metrics::registry
