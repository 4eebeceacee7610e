// metricsctl set-server-url URL / set-environment ENV: polkit-guarded Control1 setters; the
// recorder writes /etc/metrics/eos-metrics-permissions.conf and applies it at once.
#include "command_handlers.hpp"
#include "metrics_client.hpp"

namespace metrics::cli {

namespace {

// The resolved URL the recorder now uses, for the confirmation line.
std::string current_server_url(const MetricsClient& client) {
  auto reply = client.call("org.freedesktop.DBus.Properties", "Get",
                           g_variant_new("(ss)", kControlInterface, "ServerUrl"), "(v)");
  if (!reply) return "";
  GVariantPtr boxed(g_variant_get_child_value(reply->get(), 0));
  GVariantPtr value(g_variant_get_variant(boxed.get()));
  if (!g_variant_is_of_type(value.get(), G_VARIANT_TYPE_STRING)) return "";
  return g_variant_get_string(value.get(), nullptr);
}

ExitCode set_one(const char* method, const std::string& value, Context& context) {
  Result<MetricsClient> client = MetricsClient::connect_system_bus();
  if (!client) return report_failure(context.err, "cannot reach the recorder", client.error());
  auto done = client->call(kControlInterface, method, g_variant_new("(s)", value.c_str()), nullptr);
  if (!done) return report_failure(context.err, "not changed", done.error());
  const std::string url = current_server_url(*client);
  if (!url.empty()) context.out << "Uploads go to " << url << '\n';
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
