// SPDX-License-Identifier: GPL-2.0-or-later
// metricsctl queue: the events waiting to be sent, decoded (Control1.GetQueuedEvents). The
// recorder shows a caller its own events and root everyone's. Metric names come from the
// registry files (installed, or --registry-dir); an event the registry does not know is
// shown by its UUID.
#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>

#include "command_handlers.hpp"
#include "format.hpp"
#include "metrics_client.hpp"
#include "registry_view.hpp"

namespace metrics::cli {

namespace {

constexpr guint32 kMaxListed = 10000;

std::string pad(std::string s, size_t width) {
  if (s.size() < width) s.resize(width, ' ');
  return s;
}

struct Queued {
  std::string kind;
  std::string event_id;
  std::optional<std::string> name;
  guint32 uid = 0;
  gint64 time = 0;
  std::string period;
  gint64 count = 0;
  std::string payload;
};

// Control1.SetAsideEvents, or nothing from a recorder that does not have it.
std::optional<guint64> set_aside_events(const MetricsClient& client) {
  auto reply = client.call("org.freedesktop.DBus.Properties", "Get",
                           g_variant_new("(ss)", kControlInterface, "SetAsideEvents"), "(v)");
  if (!reply) return std::nullopt;
  GVariantPtr boxed(g_variant_get_child_value(reply->get(), 0));
  GVariantPtr value(g_variant_get_variant(boxed.get()));
  if (!g_variant_is_of_type(value.get(), G_VARIANT_TYPE_UINT64)) return std::nullopt;
  return g_variant_get_uint64(value.get());
}

std::optional<std::string> name_of(const registry::Registry& registry, const std::string& id) {
  auto uuid = Uuid::parse(id);
  return uuid ? registry.name_of(*uuid) : std::nullopt;
}

}  // namespace

ExitCode run_queue(const Arguments& arguments, Context& context) {
  Result<MetricsClient> client = MetricsClient::connect_system_bus();
  if (!client) return report_failure(context.err, "cannot reach the recorder", client.error());
  auto reply = client->call(kControlInterface, "GetQueuedEvents", g_variant_new("(u)", kMaxListed),
                            "(a(ssuxsxs))");
  if (!reply) return report_failure(context.err, "cannot read the queue", reply.error());
  // Names are a convenience: a missing or broken registry leaves the UUIDs.
  const auto registry = registry::Registry::load(registry_directory(arguments.registry_dir));
  GVariantPtr events(g_variant_get_child_value(reply->get(), 0));
  std::vector<Queued> queued;
  GVariantIter iter;
  g_variant_iter_init(&iter, events.get());
  const char* kind = nullptr;
  const char* event_id = nullptr;
  const char* period = nullptr;
  const char* payload = nullptr;
  Queued e;
  while (g_variant_iter_next(&iter, "(&s&sux&sx&s)", &kind, &event_id, &e.uid, &e.time, &period,
                             &e.count, &payload)) {
    e.kind = kind;
    e.event_id = event_id;
    e.name = name_of(registry, e.event_id);
    e.period = period;
    e.payload = payload;
    queued.push_back(e);
  }

  const std::optional<guint64> aside = set_aside_events(*client);
  if (arguments.options & kOptionJson) {
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const Queued& q : queued) {
      const bool singular = q.kind == "singular";
      nlohmann::ordered_json j;
      j["kind"] = q.kind;
      j["event_id"] = q.event_id;
      j["name"] = q.name ? nlohmann::ordered_json(*q.name) : nullptr;
      j["uid"] = q.uid;
      j["time"] = singular ? nlohmann::ordered_json(q.time) : nullptr;
      j["period"] = singular ? nullptr : nlohmann::ordered_json(q.period);
      j["count"] = singular ? nullptr : nlohmann::ordered_json(q.count);
      j["payload"] = q.payload.empty() ? nullptr : nlohmann::ordered_json(q.payload);
      list.push_back(std::move(j));
    }
    nlohmann::ordered_json out{{"events", list}};
    out["set_aside_events"] = aside ? nlohmann::ordered_json(*aside) : nullptr;
    context.out << out.dump() << '\n';
    return ExitCode::kSuccess;
  }
  // Refused by the server and kept apart: not waiting to be sent, but not gone either.
  const std::string aside_line = aside && *aside > 0
                                     ? format_count(*aside, "event", "events") +
                                           " set aside, not uploaded (metricsctl set-aside list)\n"
                                     : "";
  if (queued.empty()) {
    context.out << "Nothing is waiting to be sent.\n" << aside_line;
    return ExitCode::kSuccess;
  }
  size_t event_width = 5;
  for (const Queued& q : queued)
    event_width = std::max(event_width, q.name.value_or(q.event_id).size());
  GTimeZonePtr tz(g_time_zone_new_local());
  context.out << pad("KIND", 10) << pad("EVENT", event_width + 2) << pad("UID", 7)
              << pad("WHEN", 29) << pad("COUNT", 7) << "PAYLOAD\n";
  for (const Queued& q : queued) {
    const bool singular = q.kind == "singular";
    const std::string when = singular ? format_timestamp(q.time, tz.get()) : q.period;
    context.out << pad(q.kind, 10) << pad(q.name.value_or(q.event_id), event_width + 2)
                << pad(std::to_string(q.uid), 7) << pad(when, 29)
                << pad(singular ? "" : std::to_string(q.count), 7)
                << (q.payload.empty() ? "-" : q.payload) << '\n';
  }
  if (queued.size() == kMaxListed) context.out << "(the first " << kMaxListed << " events)\n";
  context.out << aside_line;
  return ExitCode::kSuccess;
}

}  // namespace metrics::cli
