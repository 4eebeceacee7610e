// SPDX-License-Identifier: GPL-2.0-or-later
// metricsctl set-server-url URL / set-environment ENV: polkit-guarded Control1 setters; the
// recorder writes /etc/metrics/eos-metrics-permissions.conf and applies it at once.
#include "command_handlers.hpp"
#include "metrics_client.hpp"

namespace metrics::cli {

namespace {

ExitCode set_one(const char* method, const std::string& value, Context& context) {
  Result<MetricsClient> client = MetricsClient::connect_system_bus();
  if (!client) return report_failure(context.err, "cannot reach the recorder", client.error());
  context.start_polkit_agent();
  auto done = client->call(kControlInterface, method, g_variant_new("(s)", value.c_str()), nullptr);
  if (!done)
    return report_failure(context.err, "not changed", done.error(),
                          [&client] { return client->files(); });
  // The resolved URL the recorder now uses, for the confirmation line.
  auto url = client->get_control_string("ServerUrl");
  if (url && !url->empty()) context.out << "Uploads go to " << *url << '\n';
  return ExitCode::kSuccess;
}

}  // namespace

ExitCode run_set_server_url(const Arguments& arguments, Context& context) {
  return set_one("SetServerUrl", arguments.args.at(0), context);
}

ExitCode run_set_environment(const Arguments& arguments, Context& context) {
  return set_one("SetEnvironment", arguments.args.at(0), context);
}

}  // namespace metrics::cli
