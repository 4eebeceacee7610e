// SPDX-License-Identifier: GPL-2.0-or-later
// metricsctl set-aside list|show ID|requeue ID|--all: the batches the server refused for
// good (Control1.GetSetAsideBatches), exactly what one held (GetSetAsideBody: root only),
// decoded or raw, and putting their events back in the queue (RequeueSetAside: polkit).
#include <cerrno>
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>

#include "command_handlers.hpp"
#include "format.hpp"
#include "json_text.hpp"
#include "metrics_client.hpp"
#include "registry_view.hpp"
#include "request_view.hpp"
#include "wire.hpp"

namespace metrics::cli {

namespace {

struct Batch {
  gint64 id = 0;
  gint64 time = 0;
  std::string reason;
  guint64 singulars = 0;
  guint64 aggregates = 0;
  gint64 body_bytes = 0;
  bool requeueable = false;
};

Result<std::vector<Batch>> read_batches(const MetricsClient& client) {
  auto reply = client.call(kControlInterface, "GetSetAsideBatches", nullptr, "(a(xxsttxb))");
  if (!reply) return reply.error();
  GVariantPtr list(g_variant_get_child_value(reply->get(), 0));
  std::vector<Batch> out;
  GVariantIter iter;
  g_variant_iter_init(&iter, list.get());
  const char* reason = nullptr;
  gboolean requeueable = FALSE;
  Batch b;
  while (g_variant_iter_next(&iter, "(xx&sttxb)", &b.id, &b.time, &reason, &b.singulars,
                             &b.aggregates, &b.body_bytes, &requeueable)) {
    b.reason = reason;
    b.requeueable = requeueable != FALSE;
    out.push_back(b);
  }
  return out;
}

nlohmann::ordered_json batch_json(const Batch& b) {
  return {{"id", b.id},
          {"time", b.time},
          {"reason", b.reason},
          {"singular_events", b.singulars},
          {"aggregate_events", b.aggregates},
          {"body_bytes", b.body_bytes},
          {"requeueable", b.requeueable}};
}

Result<gint64> parse_id(const std::string& text) {
  char* end = nullptr;
  errno = 0;
  const long long id = std::strtoll(text.c_str(), &end, 10);
  if (errno != 0 || end == text.c_str() || *end != '\0' || id <= 0)
    return Error{ErrorCode::kUsage, "'" + text + "' is not a set-aside batch id"};
  return gint64{id};
}

ExitCode list(const MetricsClient& client, const Arguments& arguments, Context& context) {
  auto batches = read_batches(client);
  if (!batches)
    return report_failure(context.err, "cannot read the set-aside batches", batches.error());
  context.start_pager();
  if (arguments.options & kOptionJson) {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const Batch& b : *batches) out.push_back(batch_json(b));
    context.out << json_text(nlohmann::ordered_json{{"set_aside", out}}, arguments.json_mode);
    return ExitCode::kSuccess;
  }
  if (batches->empty()) {
    context.out << "No batch is set aside.\n";
    return ExitCode::kSuccess;
  }
  guint64 events = 0;
  GTimeZonePtr tz(g_time_zone_new_local());
  for (const Batch& b : *batches) {
    events += b.singulars + b.aggregates;
    context.out << b.id << "  " << format_timestamp(b.time, tz.get()) << "  "
                << format_count(b.singulars + b.aggregates, "event", "events") << ", "
                << format_bytes(static_cast<std::uint64_t>(b.body_bytes))
                << (b.requeueable ? "" : ", body only (cannot be re-queued)") << "\n    "
                << b.reason << '\n';
  }
  context.out << format_count(batches->size(), "batch", "batches") << " with "
              << format_count(events, "event", "events")
              << " set aside. 'metricsctl set-aside show ID' shows one; 'metricsctl set-aside "
                 "requeue ID' (or --all) puts its events back in the queue.\n";
  return ExitCode::kSuccess;
}

ExitCode show_batch(const MetricsClient& client, const Arguments& arguments, Context& context) {
  auto id = parse_id(arguments.args[1]);
  if (!id) return report_failure(context.err, "set-aside show", id.error());
  auto batches = read_batches(client);
  if (!batches)
    return report_failure(context.err, "cannot read the set-aside batches", batches.error());
  const Batch* batch = nullptr;
  for (const Batch& b : *batches)
    if (b.id == *id) batch = &b;
  auto reply = client.call(kControlInterface, "GetSetAsideBody", g_variant_new("(x)", *id), "(ay)");
  if (!reply) return report_failure(context.err, "cannot read the set-aside batch", reply.error());
  GVariantPtr array(g_variant_get_child_value(reply->get(), 0));
  gsize size = 0;
  const auto* data = static_cast<const uint8_t*>(g_variant_get_fixed_array(array.get(), &size, 1));
  const std::span<const uint8_t> body(data, size);
  if (arguments.options & kOptionRaw) {
    std::cout.write(reinterpret_cast<const char*>(body.data()),
                    static_cast<std::streamsize>(body.size()));
    std::cout.flush();
    return ExitCode::kSuccess;
  }
  auto request = wire::decode(body);
  if (!request)
    return report_failure(context.err, "cannot decode the set-aside batch", request.error());
  const std::string sha = wire::sha512_hex(body);
  // Names are a convenience: a missing or broken registry leaves the UUIDs.
  const auto names = registry::Registry::load(registry_directory(arguments.registry_dir));
  context.start_pager();
  if (arguments.options & kOptionJson) {
    nlohmann::ordered_json out;
    if (batch) out["batch"] = batch_json(*batch);
    out["sha512"] = sha;
    out["request"] = request_json(*request, names);
    context.out << json_text(out, arguments.json_mode);
    return ExitCode::kSuccess;
  }
  GTimeZonePtr tz(g_time_zone_new_local());
  if (batch) {
    context.out << "Set-aside batch " << batch->id << ": set aside at "
                << format_timestamp(batch->time, tz.get()) << "\n  " << batch->reason << '\n';
  }
  context.out << "  SHA-512 " << sha << "\n  " << body.size() << " bytes uncompressed\n";
  render_request_text(context.out, *request, names);
  return ExitCode::kSuccess;
}

ExitCode requeue(const MetricsClient& client, const Arguments& arguments, Context& context) {
  const bool all = arguments.options & kOptionAll;
  if (all == (arguments.args.size() == 2))
    return report_failure(
        context.err, "set-aside requeue",
        Error{ErrorCode::kUsage, "expected: set-aside requeue ID, or set-aside requeue --all"});
  gint64 id = 0;
  if (!all) {
    auto parsed = parse_id(arguments.args[1]);
    if (!parsed) return report_failure(context.err, "set-aside requeue", parsed.error());
    id = *parsed;
  }
  context.start_polkit_agent();
  auto reply = client.call(kControlInterface, "RequeueSetAside", g_variant_new("(x)", id), "(t)");
  if (!reply) return report_failure(context.err, "cannot re-queue", reply.error());
  guint64 events = 0;
  g_variant_get(reply->get(), "(t)", &events);
  if (arguments.options & kOptionJson) {
    context.out << json_text({{"requeued_events", events}}, arguments.json_mode);
    return ExitCode::kSuccess;
  }
  context.out << format_count(events, "event", "events")
              << " back in the queue; they go with the next upload ('metricsctl upload' sends "
                 "them now).\n";
  return ExitCode::kSuccess;
}

}  // namespace

ExitCode run_set_aside(const Arguments& arguments, Context& context) {
  const std::string& what = arguments.args[0];
  const bool needs_id = what == "show";
  if ((what != "list" && what != "show" && what != "requeue") ||
      (needs_id && arguments.args.size() != 2) || (what == "list" && arguments.args.size() != 1))
    return report_failure(
        context.err, "set-aside",
        Error{ErrorCode::kUsage,
              "expected: set-aside list, set-aside show ID, set-aside requeue ID|--all"});
  if ((arguments.options & kOptionAll) && what != "requeue")
    return report_failure(context.err, "set-aside",
                          Error{ErrorCode::kUsage, "--all goes with set-aside requeue"});
  if ((arguments.options & kOptionRaw) && what != "show")
    return report_failure(context.err, "set-aside",
                          Error{ErrorCode::kUsage, "--raw goes with set-aside show ID"});
  Result<MetricsClient> client = MetricsClient::connect_system_bus();
  if (!client) return report_failure(context.err, "cannot reach the recorder", client.error());
  if (what == "list") return list(*client, arguments, context);
  if (what == "show") return show_batch(*client, arguments, context);
  return requeue(*client, arguments, context);
}

}  // namespace metrics::cli
