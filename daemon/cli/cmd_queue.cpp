// SPDX-License-Identifier: GPL-2.0-or-later
// metricsctl queue: the events waiting to be sent, decoded (Control1.GetQueuedEvents). The
// recorder shows a caller its own events and root everyone's. Metric names come from the
// registry files (installed, or --registry-dir); an event the registry does not know is
// shown by its UUID.
#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>
#include <optional>

#include "command_handlers.hpp"
#include "format.hpp"
#include "json_text.hpp"
#include "metrics_client.hpp"
#include "registry_view.hpp"

namespace metrics::cli {

namespace {

constexpr guint32 kMaxListed = 10000;

// `s` and the spaces up to the next column (two at least).
std::string pad(std::string s, size_t width) {
  s.resize(std::max(s.size(), width) + 2, ' ');
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
  context.start_pager();
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
    context.out << json_text(out, arguments.json_mode);
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
  GTimeZonePtr tz(g_time_zone_new_local());
  struct Row {
    std::string kind, event, uid, when, count, payload;
  };
  std::vector<Row> rows;
  for (const Queued& q : queued) {
    const bool singular = q.kind == "singular";
    rows.push_back({q.kind, q.name.value_or(q.event_id), std::to_string(q.uid),
                    singular ? format_timestamp(q.time, tz.get()) : q.period,
                    singular ? "" : std::to_string(q.count), q.payload.empty() ? "-" : q.payload});
  }
  // Every column as wide as its widest value: a count of 10^7 or a 10-digit uid never runs
  // into the next one.
  const Row header{"KIND", "EVENT", "UID", "WHEN", "COUNT", "PAYLOAD"};
  std::array<size_t, 5> widths{};
  auto widen = [&widths](const Row& r) {
    widths[0] = std::max(widths[0], r.kind.size());
    widths[1] = std::max(widths[1], r.event.size());
    widths[2] = std::max(widths[2], r.uid.size());
    widths[3] = std::max(widths[3], r.when.size());
    widths[4] = std::max(widths[4], r.count.size());
  };
  widen(header);
  for (const Row& r : rows) widen(r);
  auto line = [&widths](const Row& r) {
    return pad(r.kind, widths[0]) + pad(r.event, widths[1]) + pad(r.uid, widths[2]) +
           pad(r.when, widths[3]) + pad(r.count, widths[4]) + r.payload + "\n";
  };
  context.out << line(header);
  for (const Row& r : rows) context.out << line(r);
  if (queued.size() == kMaxListed) context.out << "(the first " << kMaxListed << " events)\n";
  context.out << aside_line;
  return ExitCode::kSuccess;
}

}  // namespace metrics::cli
