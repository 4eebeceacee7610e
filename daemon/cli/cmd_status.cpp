// SPDX-License-Identifier: GPL-2.0-or-later
// metricsctl status: the Control1 properties, read with one GetAll call.
#include "command_handlers.hpp"
#include "json_text.hpp"
#include "metrics_client.hpp"
#include "status.hpp"
#include "status_view.hpp"

namespace metrics::cli {

ExitCode run_status(const Arguments& arguments, Context& context) {
  constexpr std::string_view kWhat = "cannot read the recorder's status";
  Result<MetricsClient> client = MetricsClient::connect_system_bus();
  if (!client) return report_failure(context.err, kWhat, client.error());
  Result<GVariantPtr> properties = client->get_all_properties(kControlInterface);
  if (!properties) return report_failure(context.err, kWhat, properties.error());

  const Status status = status_from_properties(properties->get());
  context.start_pager();
  if (arguments.options & kOptionJson) {
    context.out << json_text(status_to_json(status), arguments.json_mode);
  } else {
    GTimeZonePtr local(g_time_zone_new_local());
    context.out << render_status_text(status, g_get_real_time() / G_USEC_PER_SEC, local.get());
  }
  return ExitCode::kSuccess;
}

}  // namespace metrics::cli
