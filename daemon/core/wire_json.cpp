// SPDX-License-Identifier: GPL-2.0-or-later
#include "wire_json.hpp"

#include <utility>

#include "glib_handles.hpp"

namespace metrics::wire {

namespace {

nlohmann::ordered_json payload_json(const GVariantPtr& payload) {
  if (!payload) return nullptr;
  GCharPtr text(g_variant_print(payload.get(), TRUE));
  return std::string(text.get());
}

nlohmann::ordered_json event_head(const Uuid& id, const EventNamer& name_of,
                                  const std::string& os_version) {
  nlohmann::ordered_json event;
  event["event_id"] = id.to_string();
  if (name_of) {
    auto name = name_of(id);
    event["name"] = name ? nlohmann::ordered_json(*name) : nlohmann::ordered_json(nullptr);
  }
  event["os_version"] = os_version;
  return event;
}

}  // namespace

nlohmann::ordered_json request_json(const Request& request, const EventNamer& name_of) {
  nlohmann::ordered_json labels = nlohmann::ordered_json::array();
  for (const auto& [key, value] : request.site_labels) labels.push_back({key, value});
  nlohmann::ordered_json singulars = nlohmann::ordered_json::array();
  for (const auto& e : request.singulars) {
    nlohmann::ordered_json event = event_head(e.event_id, name_of, e.os_version);
    event["relative_timestamp"] = e.relative_ns;
    event["payload"] = payload_json(e.payload);
    singulars.push_back(std::move(event));
  }
  nlohmann::ordered_json aggregates = nlohmann::ordered_json::array();
  for (const auto& e : request.aggregates) {
    nlohmann::ordered_json event = event_head(e.event_id, name_of, e.os_version);
    event["period"] = e.period;
    event["count"] = e.count;
    event["payload"] = payload_json(e.payload);
    aggregates.push_back(std::move(event));
  }
  nlohmann::ordered_json j;
  j["relative_timestamp"] = request.relative_ns;
  j["absolute_timestamp"] = request.absolute_ns;
  j["image_id"] = request.image_id;
  j["site_labels"] = std::move(labels);
  j["boot_flags"] = request.boot_flags;
  j["dual_boot"] = (request.boot_flags & 1) != 0;
  j["live_boot"] = (request.boot_flags & 2) != 0;
  j["singulars"] = std::move(singulars);
  j["aggregates"] = std::move(aggregates);
  return j;
}

}  // namespace metrics::wire
