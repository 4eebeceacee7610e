// SPDX-License-Identifier: GPL-2.0-or-later
// Exit codes of metricsctl and how a D-Bus error maps to one, with advice a person can act on.
#pragma once

#include <functional>
#include <ostream>
#include <string>
#include <string_view>

#include "result.hpp"

namespace metrics::cli {

// Stable: scripts rely on them (listed in --help and docs/metricsctl.md).
enum class ExitCode : int {
  kSuccess = 0,
  kFailure = 1,        // the operation failed (upload errors, anything unexpected)
  kUsage = 2,          // bad command line
  kNotRunning = 3,     // recorder not running / not reachable, or no system bus
  kNotAuthorized = 4,  // the caller may not do this
  kNoConsent = 5,      // consent does not permit uploading
  kNoNetwork = 6,      // no network, or only a metered one
};

// Name used for "cannot connect to the system bus", which has no remote error name.
inline constexpr std::string_view kNoBusErrorName = "org.freedesktop.DBus.Error.NoServer";

// An error under its D-Bus name, as a peer sent it (or the standard name standing for a local
// bus failure): the recorder's code when error_code.hpp's table has the name, kForeign
// otherwise; `dbus_name` keeps the name either way.
Error named_error(std::string_view dbus_error_name, std::string message);

// The exit code for an error the recorder (or the bus) named.
ExitCode exit_code_for_error(std::string_view dbus_error_name);
// The same for any error: one raised here (no D-Bus name) exits 2 for a usage error, 1
// otherwise.
ExitCode exit_code_for_error(const Error& error);

// The files the recorder reads, as it says (Control1.PermissionsFile, SettingsFile): advice
// names these, not where metricsctl was told they would be. Empty when it did not say (an
// older recorder, or not asked).
struct RecorderFiles {
  std::string permissions_file;
  std::string settings_file;
};

// Whether the advice for this error names one of the recorder's files.
bool advice_names_files(std::string_view dbus_error_name);

// What the person can do about an error the recorder (or the bus) sent; "" when there is
// nothing useful to add, and for an error raised here. The message may name the setting to
// fix.
std::string advice_for_error(const Error& error, const RecorderFiles& files = {});

// Prints "metricsctl: <what>: <message> (<name>)" and the advice, returns the exit code.
// <name> is the D-Bus error name, or the code's name for an error raised here. `ask_files`
// is called only when the advice names a file.
ExitCode report_failure(std::ostream& err, std::string_view what, const Error& error,
                        const std::function<RecorderFiles()>& ask_files = {});

}  // namespace metrics::cli
