// SPDX-License-Identifier: GPL-2.0-or-later
// metricsctl log [show ID]: the upload ledger (Control1.GetUploadLog), and exactly what one
// upload sent (Control1.GetUploadBody: root only), decoded, or its raw bytes with --raw.
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>

#include "command_handlers.hpp"
#include "format.hpp"
#include "metrics_client.hpp"
#include "request_view.hpp"
#include "wire.hpp"

namespace metrics::cli {

namespace {

constexpr guint32 kMaxEntries = 2000;

struct Entry {
  gint64 id = 0;
  gint64 time = 0;
  std::string url;
  std::string sha512;
  guint64 compressed = 0;
  guint64 uncompressed = 0;
  guint64 singulars = 0;
  guint64 aggregates = 0;
  std::string outcome;
  gint32 status = 0;
  std::string message;
  bool body_kept = false;
};

Result<std::vector<Entry>> read_log(const MetricsClient& client) {
  auto reply = client.call(kControlInterface, "GetUploadLog", g_variant_new("(u)", kMaxEntries),
                           "(a(xxssttttsisb))");
  if (!reply) return reply.error();
  GVariantPtr list(g_variant_get_child_value(reply->get(), 0));
  std::vector<Entry> out;
  GVariantIter iter;
  g_variant_iter_init(&iter, list.get());
  const char* url = nullptr;
  const char* sha = nullptr;
  const char* outcome = nullptr;
  const char* message = nullptr;
  gboolean kept = FALSE;
  Entry e;
  while (g_variant_iter_next(&iter, "(xx&s&stttt&si&sb)", &e.id, &e.time, &url, &sha, &e.compressed,
                             &e.uncompressed, &e.singulars, &e.aggregates, &outcome, &e.status,
                             &message, &kept)) {
    e.url = url;
    e.sha512 = sha;
    e.outcome = outcome;
    e.message = message;
    e.body_kept = kept != FALSE;
    out.push_back(e);
  }
  return out;
}

nlohmann::ordered_json entry_json(const Entry& e) {
  return {{"id", e.id},
          {"time", e.time},
          {"url", e.url},
          {"sha512", e.sha512},
          {"compressed_size", e.compressed},
          {"uncompressed_size", e.uncompressed},
          {"singular_events", e.singulars},
          {"aggregate_events", e.aggregates},
          {"outcome", e.outcome},
          {"http_status", e.status},
          {"message", e.message},
          {"body_kept", e.body_kept}};
}

ExitCode show(const MetricsClient& client, const Arguments& arguments, Context& context) {
  char* end = nullptr;
  errno = 0;
  const long long id = std::strtoll(arguments.args[1].c_str(), &end, 10);
  if (errno != 0 || end == arguments.args[1].c_str() || *end != '\0')
    return report_failure(context.err, "log show",
                          Error{"usage", "'" + arguments.args[1] + "' is not an upload id"});
  auto log = read_log(client);
  if (!log) return report_failure(context.err, "cannot read the upload log", log.error());
  const Entry* entry = nullptr;
  for (const Entry& e : *log)
    if (e.id == id) entry = &e;
  auto reply =
      client.call(kControlInterface, "GetUploadBody", g_variant_new("(x)", gint64{id}), "(ay)");
  if (!reply) return report_failure(context.err, "cannot read the upload", reply.error());
  GVariantPtr array(g_variant_get_child_value(reply->get(), 0));
  gsize size = 0;
  const auto* data = static_cast<const uint8_t*>(g_variant_get_fixed_array(array.get(), &size, 1));
  const std::span<const uint8_t> body(data, size);
  if (arguments.options & kOptionRaw) {
    // The exact bytes whose SHA-512 named the upload (`sha512sum` shows the same).
    std::cout.write(reinterpret_cast<const char*>(body.data()),
                    static_cast<std::streamsize>(body.size()));
    std::cout.flush();
    return ExitCode::kSuccess;
  }
  auto request = wire::decode(body);
  if (!request) return report_failure(context.err, "cannot decode the upload", request.error());
  const std::string sha = wire::sha512_hex(body);
  if (arguments.options & kOptionJson) {
    nlohmann::ordered_json out;
    if (entry) out["entry"] = entry_json(*entry);
    out["sha512"] = sha;
    out["request"] = request_json(*request);
    context.out << out.dump() << '\n';
    return ExitCode::kSuccess;
  }
  GTimeZonePtr tz(g_time_zone_new_local());
  if (entry) {
    context.out << "Upload " << entry->id << ": " << entry->outcome << " at "
                << format_timestamp(entry->time, tz.get()) << "\n  " << entry->url << '\n';
  }
  context.out << "  SHA-512 " << sha << "\n  " << body.size() << " bytes uncompressed\n";
  render_request_text(context.out, *request);
  return ExitCode::kSuccess;
}

}  // namespace

ExitCode run_log(const Arguments& arguments, Context& context) {
  Result<MetricsClient> client = MetricsClient::connect_system_bus();
  if (!client) return report_failure(context.err, "cannot reach the recorder", client.error());
  if (!arguments.args.empty()) {
    if (arguments.args[0] != "show" || arguments.args.size() != 2)
      return report_failure(context.err, "log", Error{"usage", "expected: log show ID"});
    return show(*client, arguments, context);
  }
  auto log = read_log(*client);
  if (!log) return report_failure(context.err, "cannot read the upload log", log.error());
  if (arguments.options & kOptionJson) {
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const Entry& e : *log) list.push_back(entry_json(e));
    context.out << nlohmann::ordered_json{{"uploads", list}}.dump() << '\n';
    return ExitCode::kSuccess;
  }
  if (log->empty()) {
    context.out << "Nothing has been uploaded.\n";
    return ExitCode::kSuccess;
  }
  GTimeZonePtr tz(g_time_zone_new_local());
  for (const Entry& e : *log) {
    context.out << e.id << "  " << format_timestamp(e.time, tz.get()) << "  " << e.outcome;
    if (e.status != 0) context.out << " (HTTP " << e.status << ")";
    context.out << "  " << e.singulars + e.aggregates << " events, " << format_bytes(e.compressed)
                << " sent" << (e.body_kept ? "" : ", body not kept") << "\n    " << e.url
                << "\n    " << e.message << '\n';
  }
  return ExitCode::kSuccess;
}

}  // namespace metrics::cli
