// SPDX-License-Identifier: GPL-2.0-or-later
#include "errors.hpp"

#include <array>

namespace metrics::cli {

namespace {

constexpr std::string_view kDBusPrefix = "org.freedesktop.DBus.Error.";
constexpr std::string_view kMetricsPrefix = "com.endlessm.Metrics.Error.";

constexpr std::array kNotRunning = {
    "org.freedesktop.DBus.Error.ServiceUnknown",
    "org.freedesktop.DBus.Error.NameHasNoOwner",
    "org.freedesktop.DBus.Error.NoServer",
};
// Also exit 3: the recorder went away during the call or hangs.
constexpr std::array kNoAnswer = {
    "org.freedesktop.DBus.Error.NoReply",
    "org.freedesktop.DBus.Error.Timeout",
    "org.freedesktop.DBus.Error.TimedOut",
    "org.freedesktop.DBus.Error.Disconnected",
};
constexpr std::array kNotAuthorized = {
    "org.freedesktop.DBus.Error.AccessDenied",
    "org.freedesktop.DBus.Error.AuthFailed",
    "org.freedesktop.DBus.Error.InteractiveAuthorizationRequired",
    "com.endlessm.Metrics.Error.NotAuthorized",
};
constexpr std::array kNoConsent = {
    "com.endlessm.Metrics.Error.MetricsDisabled",
    "com.endlessm.Metrics.Error.UploadingDisabled",
};
constexpr std::array kNoNetwork = {
    "com.endlessm.Metrics.Error.NetworkUnavailable",
    "com.endlessm.Metrics.Error.NetworkMetered",
};
// The recorder answered but lacks what metricsctl asked for: it is older than metricsctl.
constexpr std::array kTooOld = {
    "org.freedesktop.DBus.Error.UnknownMethod",
    "org.freedesktop.DBus.Error.UnknownInterface",
    "org.freedesktop.DBus.Error.UnknownProperty",
    "org.freedesktop.DBus.Error.UnknownObject",
};

template <std::size_t N>
bool contains(const std::array<const char*, N>& names, std::string_view name) {
  for (const char* n : names)
    if (name == n) return true;
  return false;
}

bool is_spawn_failure(std::string_view name) {
  // Bus activation failed (org.freedesktop.DBus.Error.Spawn.*): the recorder cannot start.
  return name.starts_with(std::string(kDBusPrefix) + "Spawn.");
}

const std::string kPermissionsFile =
    std::string(METRICS_SYSCONFDIR) + "/eos-metrics-permissions.conf";
const std::string kRecorderConf = std::string(METRICS_SYSCONFDIR) + "/recorder.conf";

}  // namespace

ExitCode exit_code_for_error(std::string_view name) {
  // Commands report a bad argument they parse themselves with the parser's code.
  if (name == "usage") return ExitCode::kUsage;
  if (contains(kNotRunning, name) || contains(kNoAnswer, name) || is_spawn_failure(name))
    return ExitCode::kNotRunning;
  if (contains(kNotAuthorized, name)) return ExitCode::kNotAuthorized;
  if (contains(kNoConsent, name)) return ExitCode::kNoConsent;
  if (contains(kNoNetwork, name)) return ExitCode::kNoNetwork;
  return ExitCode::kFailure;
}

std::string advice_for_error(std::string_view name) {
  if (name == kNoBusErrorName)
    return "metricsctl talks to the metrics recorder on the system bus; check that dbus is "
           "running (and DBUS_SYSTEM_BUS_ADDRESS, if set).";
  if (contains(kNoAnswer, name))
    return "The metrics recorder (com.endlessm.Metrics) did not answer; it may have stopped. "
           "See 'journalctl -u eos-metrics-event-recorder'.";
  if (exit_code_for_error(name) == ExitCode::kNotRunning)
    return "The metrics recorder (com.endlessm.Metrics) is not running on the system bus. "
           "Start it with 'systemctl start eos-metrics-event-recorder'.";
  if (exit_code_for_error(name) == ExitCode::kNotAuthorized)
    return "You are not allowed to do this; try again as an administrator (e.g. with sudo).";
  if (name == "com.endlessm.Metrics.Error.UploadingDisabled")
    return "Consent to upload has not been given, so events are only kept on this machine. To "
           "allow uploading, set uploading_enabled=true in the [global] group of " +
           kPermissionsFile + " (as root).";
  if (name == "com.endlessm.Metrics.Error.MetricsDisabled")
    return "Metrics are disabled (consent declined, or " + kPermissionsFile +
           " is unusable). To allow recording and uploading, set enabled=true and "
           "uploading_enabled=true in its [global] group (as root).";
  if (name == "com.endlessm.Metrics.Error.NetworkUnavailable")
    return "There is no network connection. Try again when online; the recorder also uploads on "
           "its own schedule.";
  if (name == "com.endlessm.Metrics.Error.NetworkMetered")
    return "The connection is metered and uploading on metered connections is off. Try again on "
           "another connection, or set AllowMeteredUploads=true in the [Recorder] group of " +
           kRecorderConf + ".";
  if (contains(kTooOld, name))
    return "The running metrics recorder does not offer what metricsctl needs "
           "(com.endlessm.Metrics.Control1); it is probably older than metricsctl.";
  if (name == std::string(kMetricsPrefix) + "UploadDestinationWrong")
    return "Every event stays queued, and uploading is paused: the server says the URL or the "
           "credentials are wrong. Check the server URL ('metricsctl status'), fix it with "
           "'metricsctl set-server-url URL', then upload with 'metricsctl upload'.";
  if (name == std::string(kMetricsPrefix) + "UploadRejected")
    return "The refused events were set aside: they are kept, but not uploaded again on their "
           "own. 'metricsctl set-aside list' shows them; once the server accepts them, "
           "'metricsctl set-aside requeue ID' (or --all) puts them back in the queue.";
  if (name == std::string(kMetricsPrefix) + "StorageFailure")
    return "The recorder cannot write its database (is the disk full?). Events the server "
           "accepted are not sent again; they leave the queue once the database can be "
           "written. See 'journalctl -u eos-metrics-event-recorder'.";
  if (name == std::string(kMetricsPrefix) + "NoSuchSetAside")
    return "'metricsctl set-aside list' shows the set-aside batches.";
  if (name == std::string(kMetricsPrefix) + "UploadConfigurationInvalid")
    return "Nothing was sent and the events stay queued; uploading waits until the setting "
           "named above is fixed (recorder.conf, or 'metricsctl set-server-url').";
  if (name.starts_with(std::string(kMetricsPrefix) + "Upload"))
    return "The events stay queued and the recorder retries on its own schedule; "
           "'metricsctl status' shows when.";
  return "";
}

ExitCode report_failure(std::ostream& err, std::string_view what, const Error& error) {
  err << "metricsctl: " << what << ": " << error.message << " (" << error.code << ")\n";
  if (const std::string advice = advice_for_error(error.code); !advice.empty())
    err << advice << '\n';
  return exit_code_for_error(error.code);
}

}  // namespace metrics::cli
