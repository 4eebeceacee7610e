// SPDX-License-Identifier: GPL-2.0-or-later
// GVariant helpers for the metric registry: which payload types an entry may declare,
// the members its field descriptions must match, readable type names for the user page,
// and example values in the GVariant text form.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "glib_handles.hpp"
#include "result.hpp"

namespace metrics::registry {

// "" when `type` is a usable payload type: a valid, definite GVariant type string
// without maybe types (D-Bus cannot carry them) or file descriptors (the recorder
// refuses them). Otherwise what is wrong, quoting `type`.
std::string payload_type_problem(const std::string& type);

// The member types a field list describes for a value of `type`: a tuple's items, or the
// items of the tuple an array (of arrays ...) holds. nullopt for any other type, which is
// described as one value. `type` must be usable (see payload_type_problem).
std::optional<std::vector<std::string>> described_members(const std::string& type);

// "uint64", "string", "array of (string, uint16, double, string)", ...
std::string readable_type(const std::string& type);

// Parses `text` (GVariant text form) as a value of the usable type `type`.
// Error code "InvalidExample", with GLib's description of what did not parse.
Result<GVariantPtr> parse_value(const std::string& type, const std::string& text);

// The text form without type annotations, as the user page shows it.
std::string print_value(GVariant* value);

}  // namespace metrics::registry
