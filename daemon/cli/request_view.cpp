// SPDX-License-Identifier: GPL-2.0-or-later
#include "request_view.hpp"

#include <string>

#include "glib_handles.hpp"
#include "wire_json.hpp"

namespace metrics::cli {

namespace {

std::string payload_text(const GVariantPtr& payload) {
  if (!payload) return "";
  GCharPtr text(g_variant_print(payload.get(), TRUE));
  return text.get();
}

std::string shown_name(const registry::Registry& names, const Uuid& id) {
  return names.name_of(id).value_or(id.to_string());
}

}  // namespace

nlohmann::ordered_json request_json(const wire::Request& r, const registry::Registry& names) {
  return wire::request_json(r, [&names](const Uuid& id) { return names.name_of(id); });
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
