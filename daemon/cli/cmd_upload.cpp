// SPDX-License-Identifier: GPL-2.0-or-later
// metricsctl upload: Control1.Upload(), with progress from Control1.UploadProgress.
#include <optional>

#include "command_handlers.hpp"
#include "json_text.hpp"
#include "metrics_client.hpp"
#include "upload_view.hpp"

namespace metrics::cli {

ExitCode run_upload(const Arguments& arguments, Context& context) {
  constexpr std::string_view kWhat = "upload failed";
  const bool quiet = arguments.options & kOptionQuiet;
  const bool json = arguments.options & kOptionJson;

  Result<MetricsClient> client = MetricsClient::connect_system_bus();
  if (!client) return report_failure(context.err, kWhat, client.error());

  // Progress goes to stderr so stdout carries only the result (text or JSON).
  std::optional<ProgressPrinter> printer;
  if (!quiet) printer.emplace(context.err, context.err_is_terminal);
  Result<UploadSummary> summary = client->upload([&printer](const UploadProgress& p) {
    if (printer) printer->update(p, g_get_monotonic_time());
  });
  printer.reset();

  if (!summary)
    return report_failure(context.err, kWhat, summary.error(),
                          [&client] { return client->files(); });
  if (json)
    context.out << json_text(summary_to_json(*summary), arguments.json_mode);
  else if (!quiet)
    context.out << describe_summary(*summary) << '\n';
  return ExitCode::kSuccess;
}

}  // namespace metrics::cli
