// SPDX-License-Identifier: GPL-2.0-or-later
#include "errors.hpp"

#include <glib.h>

#include <algorithm>
#include <array>
#include <optional>
#include <utility>
#include <vector>

#include "error_code.hpp"

namespace metrics::cli {

namespace {

constexpr std::string_view kDBusPrefix = "org.freedesktop.DBus.Error.";
constexpr std::string_view kMetricsPrefix = "com.endlessm.Metrics.Error.";

// Names the recorder does not send (the bus, GDBus, polkit, a newer recorder), which metricsctl
// knows what to make of. The recorder's own names are in error_code.hpp's table.
enum class Foreign {
  kNoBus,          // no system bus
  kNotRunning,     // the recorder is not running or cannot start
  kNoAnswer,       // it went away during the call or hangs
  kNotAuthorized,  // the caller may not do this
  kTooOld,         // it answered but lacks what metricsctl asked for: older than metricsctl
};

struct ForeignName {
  std::string_view name;
  Foreign kind;
};

constexpr std::array kForeignNames = {
    ForeignName{kNoBusErrorName, Foreign::kNoBus},
    ForeignName{"org.freedesktop.DBus.Error.ServiceUnknown", Foreign::kNotRunning},
    ForeignName{"org.freedesktop.DBus.Error.NameHasNoOwner", Foreign::kNotRunning},
    ForeignName{"org.freedesktop.DBus.Error.NoReply", Foreign::kNoAnswer},
    ForeignName{"org.freedesktop.DBus.Error.Timeout", Foreign::kNoAnswer},
    ForeignName{"org.freedesktop.DBus.Error.TimedOut", Foreign::kNoAnswer},
    ForeignName{"org.freedesktop.DBus.Error.Disconnected", Foreign::kNoAnswer},
    ForeignName{"org.freedesktop.DBus.Error.InteractiveAuthorizationRequired",
                Foreign::kNotAuthorized},
    ForeignName{"com.endlessm.Metrics.Error.NotAuthorized", Foreign::kNotAuthorized},
    ForeignName{"org.freedesktop.DBus.Error.UnknownInterface", Foreign::kTooOld},
    ForeignName{"org.freedesktop.DBus.Error.UnknownProperty", Foreign::kTooOld},
    ForeignName{"org.freedesktop.DBus.Error.UnknownObject", Foreign::kTooOld},
};

std::optional<Foreign> foreign_kind(std::string_view name) {
  for (const ForeignName& known : kForeignNames)
    if (known.name == name) return known.kind;
  // Bus activation failed (org.freedesktop.DBus.Error.Spawn.*): the recorder cannot start.
  if (name.starts_with(std::string(kDBusPrefix) + "Spawn.")) return Foreign::kNotRunning;
  return std::nullopt;
}

ExitCode exit_code_of(ExitClass exit) {
  switch (exit) {
    case ExitClass::kFailure:
      return ExitCode::kFailure;
    case ExitClass::kUsage:
      return ExitCode::kUsage;
    case ExitClass::kNotAuthorized:
      return ExitCode::kNotAuthorized;
    case ExitClass::kNoConsent:
      return ExitCode::kNoConsent;
    case ExitClass::kNoNetwork:
      return ExitCode::kNoNetwork;
  }
  return ExitCode::kFailure;
}

// The placeholders of the table's advice (error_code.hpp).
constexpr std::string_view kPermissionsFile = "permissions_file";
constexpr std::string_view kSettingsFile = "settings_file";
constexpr std::string_view kSettingsFix = "settings_fix";

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

// How to fix a recorder.conf problem: the keys its message names, or the whole file.
std::string settings_fix(const Error& error, const RecorderFiles& files) {
  const std::string file = settings_file(files);
  const std::vector<std::string> keys = recorder_keys_in(error.message);
  if (keys.empty()) {
    return "Fix " + file + " (every line 'Key=value' under [Recorder]; the message above says " +
           "what is wrong)";
  }
  std::string named;
  for (size_t i = 0; i < keys.size(); ++i)
    named += (i == 0 ? "" : i + 1 == keys.size() ? " and " : ", ") + keys[i];
  return "Fix (or remove) " + named + " in the [Recorder] group of " + file;
}

// The table's advice with its placeholders filled in.
std::string filled_in(std::string_view advice, const Error& error, const RecorderFiles& files) {
  std::string out;
  while (!advice.empty()) {
    const size_t open = advice.find('{');
    const size_t close = advice.find('}', open);
    if (open == std::string_view::npos || close == std::string_view::npos) break;
    out += advice.substr(0, open);
    const std::string_view placeholder = advice.substr(open + 1, close - open - 1);
    if (placeholder == kPermissionsFile)
      out += permissions_file(files);
    else if (placeholder == kSettingsFile)
      out += settings_file(files);
    else if (placeholder == kSettingsFix)
      out += settings_fix(error, files);
    advice.remove_prefix(close + 1);
  }
  return out + std::string(advice);
}

std::string_view advice_of(ErrorCode code) {
  return error_code_info(code).advice;
}

}  // namespace

Error named_error(std::string_view dbus_error_name, std::string message) {
  return Error{error_code_from_dbus_name(dbus_error_name).value_or(ErrorCode::kForeign),
               std::move(message), std::string(dbus_error_name)};
}

ExitCode exit_code_for_error(std::string_view name) {
  // The recorder's names of the D-Bus contract; an internal code's name (never sent) is no
  // more than a failure.
  if (const auto code = error_code_from_dbus_name(name); code && error_code_info(*code).documented)
    return exit_code_of(error_code_info(*code).exit);
  const auto kind = foreign_kind(name);
  if (!kind) return ExitCode::kFailure;
  switch (*kind) {
    case Foreign::kNoBus:
    case Foreign::kNotRunning:
    case Foreign::kNoAnswer:
      return ExitCode::kNotRunning;
    case Foreign::kNotAuthorized:
      return ExitCode::kNotAuthorized;
    case Foreign::kTooOld:
      return ExitCode::kFailure;
  }
  return ExitCode::kFailure;
}

ExitCode exit_code_for_error(const Error& error) {
  // Commands report a bad argument they parse themselves with the parser's code.
  if (error.dbus_name.empty())
    return error.code == ErrorCode::kUsage ? ExitCode::kUsage : ExitCode::kFailure;
  return exit_code_for_error(error.dbus_name);
}

bool advice_names_files(std::string_view name) {
  const auto code = error_code_from_dbus_name(name);
  return code && advice_of(*code).find('{') != std::string_view::npos;
}

std::string advice_for_error(const Error& error, const RecorderFiles& files) {
  // An error raised here: its message says it all.
  if (error.dbus_name.empty()) return "";
  if (error.code != ErrorCode::kForeign) return filled_in(advice_of(error.code), error, files);
  if (const auto kind = foreign_kind(error.dbus_name)) {
    switch (*kind) {
      case Foreign::kNoBus:
        return "metricsctl talks to the metrics recorder on the system bus; check that dbus is "
               "running (and DBUS_SYSTEM_BUS_ADDRESS, if set).";
      case Foreign::kNoAnswer:
        return "The metrics recorder (com.endlessm.Metrics) did not answer; it may have "
               "stopped. See 'journalctl -u eos-metrics-event-recorder'.";
      case Foreign::kNotRunning:
        return "The metrics recorder (com.endlessm.Metrics) is not running on the system bus. "
               "Start it with 'systemctl start eos-metrics-event-recorder'.";
      case Foreign::kNotAuthorized:
        return std::string(advice_of(ErrorCode::kAuthFailed));
      case Foreign::kTooOld:
        return std::string(advice_of(ErrorCode::kUnknownMethod));
    }
  }
  // An upload failure of a newer recorder: the recorder's own upload failures say the same.
  if (std::string_view(error.dbus_name).starts_with(std::string(kMetricsPrefix) + "Upload"))
    return std::string(advice_of(ErrorCode::kUploadServerError));
  return "";
}

ExitCode report_failure(std::ostream& err, std::string_view what, const Error& error,
                        const std::function<RecorderFiles()>& ask_files) {
  const std::string_view name = error.dbus_name.empty() && error.code != ErrorCode::kForeign
                                    ? error_code_name(error.code)
                                    : std::string_view(error.dbus_name);
  err << "metricsctl: " << what << ": " << error.message << " (" << name << ")\n";
  const RecorderFiles files =
      ask_files && advice_names_files(error.dbus_name) ? ask_files() : RecorderFiles{};
  if (const std::string advice = advice_for_error(error, files); !advice.empty())
    err << advice << '\n';
  return exit_code_for_error(error);
}

}  // namespace metrics::cli
