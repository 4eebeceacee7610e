// SPDX-License-Identifier: GPL-2.0-or-later
#include "property_values.hpp"

#include <memory>

namespace metrics::instrumentation {

namespace {

GVariant* typed(const PropertyMap& properties, const std::string& name, const GVariantType* type) {
  auto it = properties.find(name);
  if (it == properties.end() || !it->second || !g_variant_is_of_type(it->second.get(), type))
    return nullptr;
  return it->second.get();
}

}  // namespace

std::optional<uint64_t> uint64_property(const PropertyMap& properties, const std::string& name) {
  GVariant* value = typed(properties, name, G_VARIANT_TYPE_UINT64);
  if (!value) return std::nullopt;
  return g_variant_get_uint64(value);
}

std::optional<std::string> string_property(const PropertyMap& properties, const std::string& name) {
  GVariant* value = typed(properties, name, G_VARIANT_TYPE_STRING);
  if (!value) return std::nullopt;
  return std::string(g_variant_get_string(value, nullptr));
}

std::optional<std::vector<std::string>> strv_property(const PropertyMap& properties,
                                                      const std::string& name) {
  GVariant* value = typed(properties, name, G_VARIANT_TYPE_STRING_ARRAY);
  if (!value) return std::nullopt;
  std::vector<std::string> strings;
  gsize n = 0;
  // A shallow array: the strings belong to the variant.
  const std::unique_ptr<const gchar*, GFreeDeleter> raw(g_variant_get_strv(value, &n));
  for (gsize i = 0; i < n; ++i) strings.emplace_back(raw.get()[i]);
  return strings;
}

}  // namespace metrics::instrumentation
