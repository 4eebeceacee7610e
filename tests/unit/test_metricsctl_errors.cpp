// SPDX-License-Identifier: GPL-2.0-or-later
#include "errors.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <utility>

#include "glib_handles.hpp"
#include "metrics_client.hpp"

namespace metrics::cli {
namespace {

TEST(MetricsctlErrors, ExitCodeOfEachErrorName) {
  const std::pair<const char*, ExitCode> table[] = {
      {"org.freedesktop.DBus.Error.ServiceUnknown", ExitCode::kNotRunning},
      {"org.freedesktop.DBus.Error.NameHasNoOwner", ExitCode::kNotRunning},
      {"org.freedesktop.DBus.Error.NoServer", ExitCode::kNotRunning},
      {"org.freedesktop.DBus.Error.NoReply", ExitCode::kNotRunning},
      {"org.freedesktop.DBus.Error.Timeout", ExitCode::kNotRunning},
      {"org.freedesktop.DBus.Error.Disconnected", ExitCode::kNotRunning},
      {"org.freedesktop.DBus.Error.Spawn.ChildExited", ExitCode::kNotRunning},
      {"org.freedesktop.DBus.Error.AccessDenied", ExitCode::kNotAuthorized},
      {"org.freedesktop.DBus.Error.AuthFailed", ExitCode::kNotAuthorized},
      {"org.freedesktop.DBus.Error.InteractiveAuthorizationRequired", ExitCode::kNotAuthorized},
      {"com.endlessm.Metrics.Error.NotAuthorized", ExitCode::kNotAuthorized},
      {"com.endlessm.Metrics.Error.MetricsDisabled", ExitCode::kNoConsent},
      {"com.endlessm.Metrics.Error.UploadingDisabled", ExitCode::kNoConsent},
      {"com.endlessm.Metrics.Error.NetworkUnavailable", ExitCode::kNoNetwork},
      {"com.endlessm.Metrics.Error.NetworkMetered", ExitCode::kNoNetwork},
      {"com.endlessm.Metrics.Error.UploadFailed", ExitCode::kFailure},
      {"com.endlessm.Metrics.Error.UploadServerError", ExitCode::kFailure},
      {"com.endlessm.Metrics.Error.NotImplemented", ExitCode::kFailure},
      {"org.freedesktop.DBus.Error.UnknownMethod", ExitCode::kFailure},
      {"org.freedesktop.DBus.Error.Failed", ExitCode::kFailure},
      {"", ExitCode::kFailure},
      // Near misses are not matches.
      {"com.endlessm.Metrics.Error.NetworkUnavailableX", ExitCode::kFailure},
      {"org.freedesktop.DBus.Error.ServiceUnknown.Extra", ExitCode::kFailure},
  };
  for (const auto& [name, code] : table) EXPECT_EQ(exit_code_for_error(name), code) << name;
}

TEST(MetricsctlErrors, ExitCodeValuesAreStable) {
  EXPECT_EQ(static_cast<int>(ExitCode::kSuccess), 0);
  EXPECT_EQ(static_cast<int>(ExitCode::kFailure), 1);
  EXPECT_EQ(static_cast<int>(ExitCode::kUsage), 2);
  EXPECT_EQ(static_cast<int>(ExitCode::kNotRunning), 3);
  EXPECT_EQ(static_cast<int>(ExitCode::kNotAuthorized), 4);
  EXPECT_EQ(static_cast<int>(ExitCode::kNoConsent), 5);
  EXPECT_EQ(static_cast<int>(ExitCode::kNoNetwork), 6);
}

std::string advice(const char* name, const RecorderFiles& files = {}) {
  return advice_for_error(named_error(name, "the recorder's message"), files);
}

const RecorderFiles kFiles{"/srv/m/perm.conf", "/srv/m/recorder.conf"};

TEST(MetricsctlErrors, AdviceSaysWhatToDo) {
  EXPECT_NE(advice("org.freedesktop.DBus.Error.ServiceUnknown")
                .find("The metrics recorder (com.endlessm.Metrics) is not running on the system "
                      "bus."),
            std::string::npos);
  EXPECT_NE(advice("com.endlessm.Metrics.Error.NetworkMetered").find("AllowMeteredUploads=true"),
            std::string::npos);
  EXPECT_NE(advice("org.freedesktop.DBus.Error.NoReply").find("did not answer"), std::string::npos);
  EXPECT_EQ(advice("org.freedesktop.DBus.Error.Failed"), "");
}

TEST(MetricsctlErrors, ConsentAdviceSaysConsentGrantAndNamesTheRecordersFile) {
  for (const char* name : {"com.endlessm.Metrics.Error.UploadingDisabled",
                           "com.endlessm.Metrics.Error.MetricsDisabled"}) {
    EXPECT_TRUE(advice_names_files(name)) << name;
    const std::string text = advice(name, kFiles);
    EXPECT_NE(text.find("run 'metricsctl consent grant'"), std::string::npos) << text;
    EXPECT_NE(text.find("/srv/m/perm.conf"), std::string::npos) << text;
    // Not where metricsctl was built to expect it.
    EXPECT_EQ(text.find("/etc/"), std::string::npos) << text;
    EXPECT_NE(advice(name).find("the recorder's permissions file"), std::string::npos);
  }
  EXPECT_NE(advice("com.endlessm.Metrics.Error.NetworkMetered", kFiles)
                .find("[Recorder] group of /srv/m/recorder.conf"),
            std::string::npos);
}

TEST(MetricsctlErrors, ConfigurationAdviceNamesTheFileAndTheKeys) {
  const Error one =
      named_error("com.endlessm.Metrics.Error.UploadConfigurationInvalid",
                  "/x/recorder.conf: [Recorder] ProxyUrl='sock5h://h' uses the scheme 'sock5h:'; "
                  "uploads are blocked until it is fixed");
  const std::string text = advice_for_error(one, kFiles);
  EXPECT_NE(text.find("Fix (or remove) ProxyUrl in the [Recorder] group of /srv/m/recorder.conf"),
            std::string::npos)
      << text;
  const Error two =
      named_error(one.dbus_name, one.message +
                                     "; also /x/recorder.conf: [Recorder] TrustFile='a' is "
                                     "not an absolute path; uploads are blocked");
  EXPECT_NE(advice_for_error(two, kFiles).find("ProxyUrl and TrustFile in the [Recorder] group"),
            std::string::npos)
      << advice_for_error(two, kFiles);
  const Error unparsable =
      named_error(one.dbus_name, "/x/recorder.conf cannot be read or parsed (line 3)");
  EXPECT_NE(advice_for_error(unparsable, kFiles).find("Fix /srv/m/recorder.conf"),
            std::string::npos);
}

TEST(MetricsctlErrors, ReportFailureAsksForTheFilesOnlyWhenTheAdviceNamesOne) {
  int asked = 0;
  auto ask = [&asked] {
    ++asked;
    return kFiles;
  };
  std::ostringstream err;
  report_failure(err, "upload failed",
                 named_error("com.endlessm.Metrics.Error.NetworkUnavailable", "Offline."), ask);
  EXPECT_EQ(asked, 0);
  report_failure(err, "upload failed",
                 named_error("com.endlessm.Metrics.Error.UploadingDisabled", "no"), ask);
  EXPECT_EQ(asked, 1);
  EXPECT_NE(err.str().find("/srv/m/perm.conf"), std::string::npos) << err.str();
}

TEST(MetricsctlErrors, ReportFailureFormat) {
  std::ostringstream err;
  const ExitCode code =
      report_failure(err, "upload failed",
                     named_error("com.endlessm.Metrics.Error.NetworkUnavailable", "Offline."));
  EXPECT_EQ(code, ExitCode::kNoNetwork);
  const std::string text = err.str();
  EXPECT_EQ(text.substr(0, text.find('\n')),
            "metricsctl: upload failed: Offline. (com.endlessm.Metrics.Error.NetworkUnavailable)");
  EXPECT_NE(text.find("no network connection"), std::string::npos);

  std::ostringstream plain;
  EXPECT_EQ(report_failure(plain, "upload failed", named_error("org.example.Weird", "odd")),
            ExitCode::kFailure);
  EXPECT_EQ(plain.str(), "metricsctl: upload failed: odd (org.example.Weird)\n");
}

TEST(MetricsctlErrors, RemoteErrorKeepsNameAndWireMessage) {
  GErrorPtr remote(g_dbus_error_new_for_dbus_error("com.endlessm.Metrics.Error.UploadingDisabled",
                                                   "Consent is undecided."));
  const Error e = error_from_gerror(remote.get());
  EXPECT_EQ(e.dbus_name, "com.endlessm.Metrics.Error.UploadingDisabled");
  EXPECT_EQ(e.message, "Consent is undecided.");
  // Registered GDBus errors (mapped to G_DBUS_ERROR) keep their wire name too.
  GErrorPtr mapped(
      g_dbus_error_new_for_dbus_error("org.freedesktop.DBus.Error.ServiceUnknown", "gone"));
  EXPECT_EQ(mapped->domain, G_DBUS_ERROR);
  EXPECT_EQ(error_from_gerror(mapped.get()).dbus_name, "org.freedesktop.DBus.Error.ServiceUnknown");
  EXPECT_EQ(error_from_gerror(mapped.get()).message, "gone");
}

TEST(MetricsctlErrors, LocalErrorsGetStandardNames) {
  GErrorPtr timeout(g_error_new_literal(G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "Timeout was reached"));
  EXPECT_EQ(error_from_gerror(timeout.get()).dbus_name, "org.freedesktop.DBus.Error.Timeout");
  EXPECT_EQ(exit_code_for_error(error_from_gerror(timeout.get()).dbus_name), ExitCode::kNotRunning);
  GErrorPtr closed(g_error_new_literal(G_IO_ERROR, G_IO_ERROR_CLOSED, "closed"));
  EXPECT_EQ(error_from_gerror(closed.get()).dbus_name, "org.freedesktop.DBus.Error.Disconnected");
  GErrorPtr other(g_error_new_literal(G_IO_ERROR, G_IO_ERROR_FAILED, "boom"));
  EXPECT_EQ(error_from_gerror(other.get()).dbus_name, "org.freedesktop.DBus.Error.Failed");
  EXPECT_EQ(error_from_gerror(other.get()).message, "boom");
}

}  // namespace
}  // namespace metrics::cli
