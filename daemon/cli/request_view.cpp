// SPDX-License-Identifier: GPL-2.0-or-later
#include "request_view.hpp"

#include <string>

#include "glib_handles.hpp"

namespace metrics::cli {

namespace {

std::string payload_text(const GVariantPtr& payload) {
  if (!payload) return "";
  GCharPtr text(g_variant_print(payload.get(), TRUE));
  return text.get();
}

// The payload's text form, or null for none.
nlohmann::ordered_json payload_json(const GVariantPtr& payload) {
  if (!payload) return nullptr;
  return payload_text(payload);
}

nlohmann::ordered_json name_json(const registry::Registry& names, const Uuid& id) {
  auto name = names.name_of(id);
  return name ? nlohmann::ordered_json(*name) : nlohmann::ordered_json(nullptr);
}

std::string shown_name(const registry::Registry& names, const Uuid& id) {
  return names.name_of(id).value_or(id.to_string());
}

}  // namespace

nlohmann::ordered_json request_json(const wire::Request& r, const registry::Registry& names) {
  nlohmann::ordered_json singulars = nlohmann::ordered_json::array();
  for (const auto& e : r.singulars) {
    nlohmann::ordered_json event;
    event["event_id"] = e.event_id.to_string();
    event["name"] = name_json(names, e.event_id);
    event["os_version"] = e.os_version;
    event["relative_timestamp"] = e.relative_ns;
    event["payload"] = payload_json(e.payload);
    singulars.push_back(std::move(event));
  }
  nlohmann::ordered_json aggregates = nlohmann::ordered_json::array();
  for (const auto& e : r.aggregates) {
    nlohmann::ordered_json event;
    event["event_id"] = e.event_id.to_string();
    event["name"] = name_json(names, e.event_id);
    event["os_version"] = e.os_version;
    event["period"] = e.period;
    event["count"] = e.count;
    event["payload"] = payload_json(e.payload);
    aggregates.push_back(std::move(event));
  }
  nlohmann::ordered_json labels = nlohmann::ordered_json::object();
  for (const auto& [k, v] : r.site_labels) labels[k] = v;
  return {{"relative_timestamp", r.relative_ns},
          {"absolute_timestamp", r.absolute_ns},
          {"image_id", r.image_id},
          {"site_labels", labels},
          {"boot_flags", r.boot_flags},
          {"singulars", singulars},
          {"aggregates", aggregates}};
}

void render_request_text(std::ostream& out, const wire::Request& request,
                         const registry::Registry& names) {
  out << "Request: relative " << request.relative_ns << ", absolute " << request.absolute_ns
      << ", image '" << request.image_id << "', boot flags " << static_cast<int>(request.boot_flags)
      << '\n';
  for (const auto& [k, v] : request.site_labels) out << "  label " << k << " = " << v << '\n';
  for (const auto& e : request.singulars) {
    out << "  singular " << shown_name(names, e.event_id) << " t=" << e.relative_ns << " '"
        << e.os_version << "' " << (e.payload ? payload_text(e.payload) : "-") << '\n';
  }
  for (const auto& e : request.aggregates) {
    out << "  aggregate " << shown_name(names, e.event_id) << ' ' << e.period
        << " count=" << e.count << " '" << e.os_version << "' "
        << (e.payload ? payload_text(e.payload) : "-") << '\n';
  }
}

}  // namespace metrics::cli
