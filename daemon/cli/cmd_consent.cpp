// SPDX-License-Identifier: GPL-2.0-or-later
// metricsctl consent [grant|decline]: the one privacy switch (EventRecorderServer.SetEnabled,
// as the settings panel uses it: it sets enabled and uploading_enabled together).
#include <nlohmann/json.hpp>

#include "command_handlers.hpp"
#include "consent_transition.hpp"
#include "json_text.hpp"
#include "metrics_client.hpp"
#include "status_view.hpp"

namespace metrics::cli {

ExitCode run_consent(const Arguments& arguments, Context& context) {
  Result<MetricsClient> client = MetricsClient::connect_system_bus();
  if (!client) return report_failure(context.err, "cannot reach the recorder", client.error());
  if (!arguments.args.empty()) {
    const std::string& choice = arguments.args[0];
    if (choice != "grant" && choice != "decline") {
      return report_failure(
          context.err, "consent",
          Error{ErrorCode::kUsage, "expected grant or decline, not '" + choice + "'"});
    }
    const bool grant = choice == "grant";
    context.start_polkit_agent();
    auto done = client->call(kServerInterface, "SetEnabled", g_variant_new("(b)", grant), nullptr);
    if (!done)
      return report_failure(context.err, "cannot change consent", done.error(),
                            [&client] { return client->files(); });
  }
  auto state = client->get_control_string("ConsentState");
  if (!state) return report_failure(context.err, "cannot read consent", state.error());
  const std::string& consent = *state;
  if (arguments.options & kOptionJson) {
    context.out << json_text({{"consent_state", consent}}, arguments.json_mode);
  } else {
    context.out << "Consent: " << describe_consent(consent) << '\n';
    if (!arguments.args.empty() && consent_state_from_name(consent) == ConsentState::Declined)
      context.out << "Everything collected so far has been deleted.\n";
  }
  return ExitCode::kSuccess;
}

}  // namespace metrics::cli
