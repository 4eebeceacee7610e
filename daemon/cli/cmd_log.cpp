// SPDX-License-Identifier: GPL-2.0-or-later
// metricsctl log [-n N] [show ID]: the upload ledger (Control1.GetUploadLog), and exactly
// what one upload sent (Control1.GetUploadBody: root only), decoded with the registry's
// names, or its raw bytes with --raw.
#include <unistd.h>

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
#include "upload_log_codec.hpp"
#include "wire.hpp"

namespace metrics::cli {

namespace {

// As many as the recorder keeps.
constexpr guint32 kMaxEntries = Ledger::kDefaultKeptEntries;
constexpr gint64 kNsPerSecond = 1'000'000'000;

Result<std::vector<LedgerEntry>> read_log(const MetricsClient& client, guint32 max_entries) {
  auto reply = client.call(kControlInterface, "GetUploadLog", g_variant_new("(u)", max_entries),
                           (std::string("(") + kUploadLogType + ")").c_str());
  if (!reply) return reply.error();
  GVariantPtr list(g_variant_get_child_value(reply->get(), 0));
  return decode_upload_log(list.get());
}

nlohmann::ordered_json entry_json(const LedgerEntry& e) {
  return {{"id", e.id},
          {"time", e.time_ns / kNsPerSecond},
          {"url", e.url},
          {"sha512", e.sha512},
          {"compressed_size", e.compressed_size},
          {"uncompressed_size", e.uncompressed_size},
          {"singular_events", e.singular_events},
          {"aggregate_events", e.aggregate_events},
          {"outcome", e.outcome},
          {"http_status", e.http_status},
          {"message", e.message},
          {"body_kept", e.body_kept}};
}

// Why there is no entry `id` in `log` (newest first, as the recorder lists it).
std::string missing_entry(gint64 id, const std::vector<LedgerEntry>& log) {
  const std::string shown = std::to_string(id);
  if (!log.empty() && log.size() >= kMaxEntries && id > 0 && id < log.back().id)
    return "upload " + shown + " is older than what the upload log keeps (its last " +
           std::to_string(kMaxEntries) + " attempts, from upload " + std::to_string(log.back().id) +
           " on)";
  if (log.empty())
    return "there is no upload " + shown + ": the upload log is empty (nothing has been sent)";
  return "there is no upload " + shown + " in the upload log ('metricsctl log' lists them)";
}

ExitCode show(const MetricsClient& client, const Arguments& arguments, Context& context) {
  char* end = nullptr;
  errno = 0;
  const long long id = std::strtoll(arguments.args[1].c_str(), &end, 10);
  if (errno != 0 || end == arguments.args[1].c_str() || *end != '\0')
    return report_failure(
        context.err, "log show",
        Error{ErrorCode::kUsage, "'" + arguments.args[1] + "' is not an upload id"});
  auto log = read_log(client, kMaxEntries);
  if (!log) return report_failure(context.err, "cannot read the upload log", log.error());
  const LedgerEntry* entry = nullptr;
  for (const LedgerEntry& e : *log)
    if (e.id == id) entry = &e;
  if (!entry) {
    context.err << "metricsctl: log show: " << missing_entry(id, *log) << ".\n";
    return ExitCode::kFailure;
  }
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
  // Names are a convenience: a missing or broken registry leaves the UUIDs.
  const auto names = registry::Registry::load(registry_directory(arguments.registry_dir));
  context.start_pager();
  if (arguments.options & kOptionJson) {
    nlohmann::ordered_json out;
    out["entry"] = entry_json(*entry);
    out["sha512"] = sha;
    out["request"] = request_json(*request, names);
    context.out << json_text(out, arguments.json_mode);
    return ExitCode::kSuccess;
  }
  GTimeZonePtr tz(g_time_zone_new_local());
  context.out << "Upload " << entry->id << ": " << entry->outcome << " at "
              << format_timestamp(entry->time_ns / kNsPerSecond, tz.get()) << "\n  " << entry->url
              << '\n';
  context.out << "  SHA-512 " << sha << "\n  " << body.size() << " bytes uncompressed\n";
  render_request_text(context.out, *request, names);
  return ExitCode::kSuccess;
}

}  // namespace

ExitCode run_log(const Arguments& arguments, Context& context) {
  if (!arguments.args.empty()) {
    if (arguments.args[0] != "show" || arguments.args.size() != 2)
      return report_failure(context.err, "log", Error{ErrorCode::kUsage, "expected: log show ID"});
    if (arguments.options & kOptionLines)
      return report_failure(context.err, "log show",
                            Error{ErrorCode::kUsage, "-n/--lines goes with the list ('log -n N')"});
  } else if (arguments.options & kOptionRaw) {
    return report_failure(context.err, "log",
                          Error{ErrorCode::kUsage, "--raw goes with log show ID"});
  }
  Result<MetricsClient> client = MetricsClient::connect_system_bus();
  if (!client) return report_failure(context.err, "cannot reach the recorder", client.error());
  if (!arguments.args.empty()) return show(*client, arguments, context);
  const guint32 wanted = (arguments.options & kOptionLines) ? arguments.lines : kMaxEntries;
  auto log = read_log(*client, wanted);
  if (!log) return report_failure(context.err, "cannot read the upload log", log.error());
  context.start_pager();
  if (arguments.options & kOptionJson) {
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const LedgerEntry& e : *log) list.push_back(entry_json(e));
    context.out << json_text(nlohmann::ordered_json{{"uploads", list}}, arguments.json_mode);
    return ExitCode::kSuccess;
  }
  if (log->empty()) {
    context.out << "Nothing has been uploaded.\n";
    return ExitCode::kSuccess;
  }
  GTimeZonePtr tz(g_time_zone_new_local());
  for (const LedgerEntry& e : *log) {
    context.out << e.id << "  " << format_timestamp(e.time_ns / kNsPerSecond, tz.get()) << "  "
                << e.outcome;
    if (e.http_status != 0) context.out << " (HTTP " << e.http_status << ")";
    context.out << "  " << format_count(e.singular_events + e.aggregate_events, "event", "events")
                << ", " << format_bytes(e.compressed_size) << " sent"
                << (e.body_kept ? "" : ", body not kept") << "\n    " << e.url << "\n    "
                << e.message << '\n';
  }
  return ExitCode::kSuccess;
}

}  // namespace metrics::cli
