// SPDX-License-Identifier: GPL-2.0-or-later
#include "registry_allowed_values.hpp"

#include <algorithm>

#include "glib_handles.hpp"
#include "registry_gvariant.hpp"

namespace metrics::registry {

namespace {

std::optional<DisallowedValue> check_members(const std::vector<Field>& members, GVariant* value,
                                             const std::string& path);

std::string member_path(const std::string& path, const std::string& name) {
  return path.empty() ? name : path + "." + name;
}

std::optional<DisallowedValue> check_field(const Field& field, GVariant* value,
                                           const std::string& path) {
  if (!field.allowed_values.empty() && g_variant_is_of_type(value, G_VARIANT_TYPE_STRING)) {
    const char* text = g_variant_get_string(value, nullptr);
    // Lists are short (tens of values); a linear search costs less than keeping an index.
    if (std::find(field.allowed_values.begin(), field.allowed_values.end(), text) ==
        field.allowed_values.end())
      return DisallowedValue{path, field.allowed_values.size()};
  }
  if (!field.fields.empty() && restricts_values(field.fields))
    return check_members(field.fields, value, path);
  return std::nullopt;
}

// `value` is a tuple whose items `members` describe, or an array (of arrays ...) of them.
std::optional<DisallowedValue> check_members(const std::vector<Field>& members, GVariant* value,
                                             const std::string& path) {
  if (g_variant_is_of_type(value, G_VARIANT_TYPE_ARRAY)) {
    const gsize n = g_variant_n_children(value);
    for (gsize i = 0; i < n; ++i) {
      GVariantPtr element(g_variant_get_child_value(value, i));
      if (auto found =
              check_members(members, element.get(), path + "[" + std::to_string(i + 1) + "]"))
        return found;
    }
    return std::nullopt;
  }
  if (!g_variant_is_of_type(value, G_VARIANT_TYPE_TUPLE) ||
      g_variant_n_children(value) != members.size())
    return std::nullopt;  // not what the fields describe; the type check refuses it
  for (size_t i = 0; i < members.size(); ++i) {
    GVariantPtr item(g_variant_get_child_value(value, i));
    if (auto found = check_field(members[i], item.get(), member_path(path, members[i].name)))
      return found;
  }
  return std::nullopt;
}

}  // namespace

bool restricts_values(const std::vector<Field>& fields) {
  return std::any_of(fields.begin(), fields.end(), [](const Field& field) {
    return !field.allowed_values.empty() || restricts_values(field.fields);
  });
}

std::optional<DisallowedValue> find_disallowed_value(const Entry& entry, GVariant* payload) {
  if (!payload || !entry.payload_type || entry.fields.empty() || !restricts_values(entry.fields))
    return std::nullopt;
  // A tuple (or an array of tuples) is described member by member, any other value by
  // its one field.
  if (described_members(*entry.payload_type)) return check_members(entry.fields, payload, "");
  return check_field(entry.fields[0], payload, entry.fields[0].name);
}

}  // namespace metrics::registry
