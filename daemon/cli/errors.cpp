// SPDX-License-Identifier: GPL-2.0-or-later
#include "errors.hpp"

#include <glib.h>

#include <algorithm>
#include <array>
#include <vector>

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

constexpr std::string_view kUploadingDisabled = "com.endlessm.Metrics.Error.UploadingDisabled";
constexpr std::string_view kMetricsDisabled = "com.endlessm.Metrics.Error.MetricsDisabled";
constexpr std::string_view kNetworkMetered = "com.endlessm.Metrics.Error.NetworkMetered";
constexpr std::string_view kInvalidServerUrl = "com.endlessm.Metrics.Error.InvalidServerUrl";
constexpr std::string_view kConfigurationInvalid =
    "com.endlessm.Metrics.Error.UploadConfigurationInvalid";

std::string permissions_file(const RecorderFiles& files) {
  return files.permissions_file.empty() ? "the recorder's permissions file "
                                          "(eos-metrics-permissions.conf)"
                                        : files.permissions_file;
}

std::string settings_file(const RecorderFiles& files) {
  return files.settings_file.empty() ? "the recorder's recorder.conf" : files.settings_file;
}

// The keys a recorder.conf problem names: "...: [Recorder] ProxyUrl='...' ...; also ...".
std::vector<std::string> recorder_keys_in(std::string_view message) {
  constexpr std::string_view kGroup = "[Recorder] ";
  std::vector<std::string> keys;
  for (size_t at = message.find(kGroup); at != std::string_view::npos;
       at = message.find(kGroup, at + 1)) {
    const size_t begin = at + kGroup.size();
    size_t end = begin;
    while (end < message.size() && g_ascii_isalnum(message[end])) ++end;
    if (end == begin || end == message.size() || message[end] != '=') continue;
    std::string key(message.substr(begin, end - begin));
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(std::move(key));
  }
  return keys;
}

std::string configuration_advice(const Error& error, const RecorderFiles& files) {
  const std::string file = settings_file(files);
  const std::vector<std::string> keys = recorder_keys_in(error.message);
  std::string fix;
  if (keys.empty()) {
    fix = "Fix " + file + " (every line 'Key=value' under [Recorder]; the message above says " +
          "what is wrong)";
  } else {
    std::string named;
    for (size_t i = 0; i < keys.size(); ++i)
      named += (i == 0 ? "" : i + 1 == keys.size() ? " and " : ", ") + keys[i];
    fix = "Fix (or remove) " + named + " in the [Recorder] group of " + file;
  }
  return "Nothing was sent and the events stay queued. " + fix +
         "; the recorder reads it again before every upload, so 'metricsctl upload' then works "
         "without a restart.";
}

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

bool advice_names_files(std::string_view name) {
  return name == kUploadingDisabled || name == kMetricsDisabled || name == kNetworkMetered ||
         name == kInvalidServerUrl || name == kConfigurationInvalid;
}

std::string advice_for_error(const Error& error, const RecorderFiles& files) {
  const std::string_view name = error.code;
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
  if (name == kUploadingDisabled)
    return "Consent to upload has not been given, so events are only kept on this machine. To "
           "allow uploading, run 'metricsctl consent grant' (it sets enabled=true and "
           "uploading_enabled=true in the [global] group of " +
           permissions_file(files) + ").";
  if (name == kMetricsDisabled)
    return "Metrics are disabled: consent was declined, or " + permissions_file(files) +
           " is unusable ('metricsctl status' says why; fix it first). To allow recording and "
           "uploading, run 'metricsctl consent grant' (it sets enabled=true and "
           "uploading_enabled=true in its [global] group).";
  if (name == "com.endlessm.Metrics.Error.NetworkUnavailable")
    return "There is no network connection. Try again when online; the recorder also uploads on "
           "its own schedule.";
  if (name == kNetworkMetered)
    return "The connection is metered and uploading on metered connections is off. Try again on "
           "another connection, or set AllowMeteredUploads=true in the [Recorder] group of " +
           settings_file(files) + ".";
  if (name == kInvalidServerUrl)
    return "Set a URL the recorder can use with 'metricsctl set-server-url URL' (it is written "
           "to server_url in the [global] group of " +
           permissions_file(files) + ").";
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
  if (name == kConfigurationInvalid) return configuration_advice(error, files);
  if (name.starts_with(std::string(kMetricsPrefix) + "Upload"))
    return "The events stay queued and the recorder retries on its own schedule; "
           "'metricsctl status' shows when.";
  return "";
}

ExitCode report_failure(std::ostream& err, std::string_view what, const Error& error,
                        const std::function<RecorderFiles()>& ask_files) {
  err << "metricsctl: " << what << ": " << error.message << " (" << error.code << ")\n";
  const RecorderFiles files =
      ask_files && advice_names_files(error.code) ? ask_files() : RecorderFiles{};
  if (const std::string advice = advice_for_error(error, files); !advice.empty())
    err << advice << '\n';
  return exit_code_for_error(error.code);
}

}  // namespace metrics::cli
