// metricsctl queue: the events waiting to be sent, decoded (Control1.GetQueuedEvents). The
// recorder shows a caller its own events and root everyone's.
#include <nlohmann/json.hpp>

#include "command_handlers.hpp"
#include "format.hpp"
#include "metrics_client.hpp"

namespace metrics::cli {

namespace {

constexpr guint32 kMaxListed = 10000;

std::string pad(std::string s, size_t width) {
  if (s.size() < width) s.resize(width, ' ');
  return s;
}

}  // namespace

ExitCode run_queue(const Arguments& arguments, Context& context) {
  Result<MetricsClient> client = MetricsClient::connect_system_bus();
  if (!client) return report_failure(context.err, "cannot reach the recorder", client.error());
  auto reply = client->call(kControlInterface, "GetQueuedEvents", g_variant_new("(u)", kMaxListed),
                            "(a(ssuxsxs))");
  if (!reply) return report_failure(context.err, "cannot read the queue", reply.error());
  GVariantPtr events(g_variant_get_child_value(reply->get(), 0));
  const bool json = arguments.options & kOptionJson;
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  GTimeZonePtr tz(g_time_zone_new_local());
  if (!json && g_variant_n_children(events.get()) > 0) {
    context.out << pad("KIND", 10) << pad("EVENT", 38) << pad("UID", 7) << pad("WHEN", 22)
                << pad("COUNT", 7) << "PAYLOAD\n";
  }
  GVariantIter iter;
  g_variant_iter_init(&iter, events.get());
  const char* kind = nullptr;
  const char* event_id = nullptr;
  guint32 uid = 0;
  gint64 time = 0;
  const char* period = nullptr;
  gint64 count = 0;
  const char* payload = nullptr;
  size_t n = 0;
  while (g_variant_iter_next(&iter, "(&s&sux&sx&s)", &kind, &event_id, &uid, &time, &period, &count,
                             &payload)) {
    ++n;
    const std::string_view k = kind;
    if (json) {
      nlohmann::ordered_json e;
      e["kind"] = kind;
      e["event_id"] = event_id;
      e["uid"] = uid;
      e["time"] = k == "singular" ? nlohmann::ordered_json(time) : nullptr;
      e["period"] = k == "singular" ? nullptr : nlohmann::ordered_json(period);
      e["count"] = k == "singular" ? nullptr : nlohmann::ordered_json(count);
      e["payload"] = *payload ? nlohmann::ordered_json(payload) : nullptr;
      list.push_back(std::move(e));
      continue;
    }
    const std::string when = k == "singular" ? format_timestamp(time, tz.get()) : period;
    context.out << pad(kind, 10) << pad(event_id, 38) << pad(std::to_string(uid), 7)
                << pad(when, 22) << pad(k == "singular" ? "" : std::to_string(count), 7)
                << (*payload ? payload : "-") << '\n';
  }
  if (json) {
    context.out << nlohmann::ordered_json{{"events", list}}.dump() << '\n';
  } else if (n == 0) {
    context.out << "Nothing is waiting to be sent.\n";
  } else if (n == kMaxListed) {
    context.out << "(the first " << kMaxListed << " events)\n";
  }
  return ExitCode::kSuccess;
}

}  // namespace metrics::cli
