// SPDX-License-Identifier: GPL-2.0-or-later
#include "status.hpp"

#include "glib_handles.hpp"

namespace metrics::cli {

namespace {

GVariantPtr lookup(GVariant* dict, const char* name, const GVariantType* type) {
  return GVariantPtr(g_variant_lookup_value(dict, name, type));
}

std::optional<std::string> string_property(GVariant* dict, const char* name) {
  GVariantPtr v = lookup(dict, name, G_VARIANT_TYPE_STRING);
  if (!v) return std::nullopt;
  return std::string(g_variant_get_string(v.get(), nullptr));
}

std::optional<std::uint64_t> uint64_property(GVariant* dict, const char* name) {
  GVariantPtr v = lookup(dict, name, G_VARIANT_TYPE_UINT64);
  if (!v) return std::nullopt;
  return g_variant_get_uint64(v.get());
}

std::optional<std::int64_t> int64_property(GVariant* dict, const char* name) {
  GVariantPtr v = lookup(dict, name, G_VARIANT_TYPE_INT64);
  if (!v) return std::nullopt;
  return g_variant_get_int64(v.get());
}

}  // namespace

Status status_from_properties(GVariant* properties) {
  Status s;
  if (!properties || !g_variant_is_of_type(properties, G_VARIANT_TYPE_VARDICT)) return s;
  s.consent_state = string_property(properties, "ConsentState");
  s.server_url = string_property(properties, "ServerUrl");
  s.environment = string_property(properties, "Environment");
  s.queued_events = uint64_property(properties, "QueuedEvents");
  s.queued_bytes = uint64_property(properties, "QueuedBytes");
  s.running_counts = uint64_property(properties, "RunningCounts");
  s.set_aside_events = uint64_property(properties, "SetAsideEvents");
  s.upload_state = string_property(properties, "UploadState");
  s.last_upload_time = int64_property(properties, "LastUploadTime");
  s.last_upload_result = string_property(properties, "LastUploadResult");
  s.last_upload_message = string_property(properties, "LastUploadMessage");
  s.next_upload_time = int64_property(properties, "NextUploadTime");
  s.store_state = string_property(properties, "StoreState");
  s.store_problem = string_property(properties, "StoreProblem");
  return s;
}

}  // namespace metrics::cli
