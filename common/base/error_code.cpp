// SPDX-License-Identifier: GPL-2.0-or-later
#include "error_code.hpp"

#include <array>
#include <cstddef>
#include <ostream>

namespace metrics {

namespace {

using enum ErrorCode;
using ExitClass::kFailure;
using ExitClass::kNoConsent;
using ExitClass::kNoNetwork;
using ExitClass::kNotAuthorized;

constexpr std::string_view kRetryAdvice =
    "The events stay queued and the recorder retries on its own schedule; 'metricsctl status' "
    "shows when.";
constexpr std::string_view kNotAllowedAdvice =
    "You are not allowed to do this; try again as an administrator (e.g. with sudo).";

// clang-format off
constexpr std::array kTable = {
    ErrorCodeInfo{kInvalidEventId, "InvalidEventId", "com.endlessm.Metrics.Error.InvalidEventId", true,
        "event id not 16 bytes", kFailure, ""},
    ErrorCodeInfo{kUnknownEvent, "UnknownEvent", "com.endlessm.Metrics.Error.UnknownEvent", true,
        "the event's UUID is not in the metric registry (enforce mode)", kFailure, ""},
    ErrorCodeInfo{kWrongPayloadType, "WrongPayloadType", "com.endlessm.Metrics.Error.WrongPayloadType", true,
        "the payload's type is not the registry entry's (enforce mode)", kFailure, ""},
    ErrorCodeInfo{kWrongEventKind, "WrongEventKind", "com.endlessm.Metrics.Error.WrongEventKind", true,
        "a singular metric counted, a counted metric recorded as a single event, or a monthly "
        "UUID recorded directly (enforce mode)", kFailure, ""},
    ErrorCodeInfo{kWrongPayloadValue, "WrongPayloadValue", "com.endlessm.Metrics.Error.WrongPayloadValue", true,
        "a field with a list of allowed values in its registry entry holds another value "
        "(enforce mode)", kFailure, ""},
    ErrorCodeInfo{kMetricsDisabled, "MetricsDisabled", "com.endlessm.Metrics.Error.MetricsDisabled", true,
        "StartAggregateTimer or UploadEvents while declined (or the permissions file is "
        "unusable)", kNoConsent,
        "Metrics are disabled: consent was declined, or {permissions_file} is unusable "
        "('metricsctl status' says why; fix it first). To allow recording and uploading, run "
        "'metricsctl consent grant' (it sets enabled=true and uploading_enabled=true in its "
        "[global] group)."},
    ErrorCodeInfo{kUploadingDisabled, "UploadingDisabled", "com.endlessm.Metrics.Error.UploadingDisabled", true,
        "UploadEvents while undecided, or consent withdrawn during the upload", kNoConsent,
        "Consent to upload has not been given, so events are only kept on this machine. To "
        "allow uploading, run 'metricsctl consent grant' (it sets enabled=true and "
        "uploading_enabled=true in the [global] group of {permissions_file})."},
    ErrorCodeInfo{kNetworkUnavailable, "NetworkUnavailable", "com.endlessm.Metrics.Error.NetworkUnavailable", true,
        "UploadEvents while offline", kNoNetwork,
        "There is no network connection. Try again when online; the recorder also uploads on "
        "its own schedule."},
    ErrorCodeInfo{kNetworkMetered, "NetworkMetered", "com.endlessm.Metrics.Error.NetworkMetered", true,
        "UploadEvents on a metered connection without AllowMeteredUploads", kNoNetwork,
        "The connection is metered and uploading on metered connections is off. Try again on "
        "another connection, or set AllowMeteredUploads=true in the [Recorder] group of "
        "{settings_file}."},
    ErrorCodeInfo{kInvalidServerUrl, "InvalidServerUrl", "com.endlessm.Metrics.Error.InvalidServerUrl", true,
        "server_url unusable or missing from the permissions file, or environment missing while "
        "server_url needs it", kFailure,
        "Set a URL the recorder can use with 'metricsctl set-server-url URL' (it is written to "
        "server_url in the [global] group of {permissions_file})."},
    ErrorCodeInfo{kInvalidEnvironment, "InvalidEnvironment", "com.endlessm.Metrics.Error.InvalidEnvironment", true,
        "SetEnvironment with a value other than dev, test or production", kFailure, ""},
    ErrorCodeInfo{kUploadServerError, "UploadServerError", "com.endlessm.Metrics.Error.UploadServerError", true,
        "the server kept answering 5xx, 408, 429 or something that is not HTTP", kFailure,
        kRetryAdvice},
    ErrorCodeInfo{kUploadDestinationWrong, "UploadDestinationWrong", "com.endlessm.Metrics.Error.UploadDestinationWrong", true,
        "the server answered 401, 403, 404, 405, 410 or 421: the URL or the credentials are "
        "wrong", kFailure,
        "Every event stays queued, and uploading is paused: the server says the URL or the "
        "credentials are wrong. Check the server URL ('metricsctl status'), fix it with "
        "'metricsctl set-server-url URL', then upload with 'metricsctl upload'."},
    ErrorCodeInfo{kUploadRejected, "UploadRejected", "com.endlessm.Metrics.Error.UploadRejected", true,
        "the server refused a batch for good; it was set aside with its events", kFailure,
        "The refused events were set aside: they are kept, but not uploaded again on their "
        "own. 'metricsctl set-aside list' shows them; once the server accepts them, "
        "'metricsctl set-aside requeue ID' (or --all) puts them back in the queue."},
    ErrorCodeInfo{kNoSuchSetAside, "NoSuchSetAside", "com.endlessm.Metrics.Error.NoSuchSetAside", true,
        "GetSetAsideBody or RequeueSetAside for a batch that is not set aside", kFailure,
        "'metricsctl set-aside list' shows the set-aside batches."},
    ErrorCodeInfo{kSetAsideNotRequeueable, "SetAsideNotRequeueable", "com.endlessm.Metrics.Error.SetAsideNotRequeueable", true,
        "RequeueSetAside for a batch set aside by an older version (only its body was kept)",
        kFailure, ""},
    ErrorCodeInfo{kNoSuchUpload, "NoSuchUpload", "com.endlessm.Metrics.Error.NoSuchUpload", true,
        "GetUploadBody for an upload whose body the upload log does not keep", kFailure, ""},
    ErrorCodeInfo{kUploadTimeout, "UploadTimeout", "com.endlessm.Metrics.Error.UploadTimeout", true,
        "no progress for UploadRequestTimeoutSeconds", kFailure, kRetryAdvice},
    ErrorCodeInfo{kUploadConnectionFailed, "UploadConnectionFailed", "com.endlessm.Metrics.Error.UploadConnectionFailed", true,
        "connection refused, or closed before an answer", kFailure, kRetryAdvice},
    ErrorCodeInfo{kUploadDnsFailure, "UploadDnsFailure", "com.endlessm.Metrics.Error.UploadDnsFailure", true,
        "the server's name does not resolve", kFailure, kRetryAdvice},
    ErrorCodeInfo{kUploadTlsFailure, "UploadTlsFailure", "com.endlessm.Metrics.Error.UploadTlsFailure", true,
        "the server's certificate is not trusted or TLS failed", kFailure, kRetryAdvice},
    ErrorCodeInfo{kUploadNetworkFailure, "UploadNetworkFailure", "com.endlessm.Metrics.Error.UploadNetworkFailure", true,
        "another network error (unreachable, proxy down)", kFailure, kRetryAdvice},
    ErrorCodeInfo{kUploadHelperFailed, "UploadHelperFailed", "com.endlessm.Metrics.Error.UploadHelperFailed", true,
        "the upload helper could not be started, died or answered nonsense", kFailure,
        kRetryAdvice},
    ErrorCodeInfo{kUploadConfigurationInvalid, "UploadConfigurationInvalid", "com.endlessm.Metrics.Error.UploadConfigurationInvalid", true,
        "TrustFile unreadable, ProxyUrl or TrustFile unusable, recorder.conf unreadable or "
        "unparsable: no connection is made", kFailure,
        "Nothing was sent and the events stay queued. {settings_fix}; the recorder reads it "
        "again before every upload, so 'metricsctl upload' then works without a restart."},
    ErrorCodeInfo{kInvalidPayload, "InvalidPayload", "com.endlessm.Metrics.Error.InvalidPayload", true,
        "malformed payload, a type with file descriptors, or a string holding a Unicode "
        "noncharacter", kFailure, ""},
    ErrorCodeInfo{kInvalidArguments, "InvalidArguments", "com.endlessm.Metrics.Error.InvalidArguments", true,
        "arguments that cannot be read", kFailure, ""},
    ErrorCodeInfo{kPayloadTooLarge, "PayloadTooLarge", "com.endlessm.Metrics.Error.PayloadTooLarge", true,
        "payload over MaxPayloadBytes", kFailure, ""},
    ErrorCodeInfo{kSequenceTooLong, "SequenceTooLong", "com.endlessm.Metrics.Error.SequenceTooLong", true,
        "sequence over MaxSequenceLength", kFailure, ""},
    ErrorCodeInfo{kQueueFull, "QueueFull", "com.endlessm.Metrics.Error.QueueFull", true,
        "the queue holds its maximum, or unprivileged uids together fill their share of it",
        kFailure, ""},
    ErrorCodeInfo{kUserQuotaExceeded, "UserQuotaExceeded", "com.endlessm.Metrics.Error.UserQuotaExceeded", true,
        "this uid fills its share of the queue", kFailure, ""},
    ErrorCodeInfo{kRateLimited, "RateLimited", "com.endlessm.Metrics.Error.RateLimited", true,
        "this uid records (or lists the queue) faster than allowed", kFailure, ""},
    ErrorCodeInfo{kTooManyTimers, "TooManyTimers", "com.endlessm.Metrics.Error.TooManyTimers", true,
        "timer limits reached (per connection, per uid, unprivileged pool, total)", kFailure, ""},
    ErrorCodeInfo{kStorageFailure, "StorageFailure", "com.endlessm.Metrics.Error.StorageFailure", true,
        "the database could not be written, or read or updated during an upload", kFailure,
        "The recorder cannot write its database (is the disk full?). Events the server "
        "accepted are not sent again; they leave the queue once the database can be written. "
        "See 'journalctl -u eos-metrics-event-recorder'."},
    ErrorCodeInfo{kInvalidMachineId, "InvalidMachineId", "com.endlessm.Metrics.Error.InvalidMachineId", true,
        "legacy name, never sent", kFailure, ""},
    ErrorCodeInfo{kAuthFailed, "AuthFailed", "org.freedesktop.DBus.Error.AuthFailed", true,
        "polkit said no", kNotAuthorized, kNotAllowedAdvice},
    ErrorCodeInfo{kAccessDenied, "AccessDenied", "org.freedesktop.DBus.Error.AccessDenied", true,
        "stopping someone else's timer; caller cannot be identified; an unprivileged caller "
        "reading the upload log or an upload's body", kNotAuthorized, kNotAllowedAdvice},
    ErrorCodeInfo{kUnknownMethod, "UnknownMethod", "org.freedesktop.DBus.Error.UnknownMethod", true,
        "a call to a timer that no longer runs (or never ran)", kFailure,
        "The running metrics recorder does not offer what metricsctl needs "
        "(com.endlessm.Metrics.Control1); it is probably older than metricsctl."},
    ErrorCodeInfo{kInvalidArgs, "InvalidArgs", "org.freedesktop.DBus.Error.InvalidArgs", true,
        "Properties.Set of any property, Properties.Get or Set of a property or interface the "
        "object does not have", kFailure, ""},

    ErrorCodeInfo{kUsage, "usage", "com.endlessm.Metrics.Error.usage", false,
        "metricsctl's command line is wrong", ExitClass::kUsage, ""},
    ErrorCodeInfo{kConfigurationInvalid, "ConfigurationInvalid", "com.endlessm.Metrics.Error.ConfigurationInvalid", false,
        "the permissions file is unusable", kFailure, ""},
    ErrorCodeInfo{kPermissionsMissing, "PermissionsMissing", "com.endlessm.Metrics.Error.PermissionsMissing", false,
        "the permissions file does not exist", kFailure, ""},
    ErrorCodeInfo{kPermissionsWriteFailed, "PermissionsWriteFailed", "com.endlessm.Metrics.Error.PermissionsWriteFailed", false,
        "the permissions file cannot be written", kFailure, ""},
    ErrorCodeInfo{kUnknownTimer, "UnknownTimer", "com.endlessm.Metrics.Error.UnknownTimer", false,
        "no running timer has this id (D-Bus: UnknownMethod)", kFailure, ""},
    ErrorCodeInfo{kBusFailure, "BusFailure", "com.endlessm.Metrics.Error.BusFailure", false,
        "the system bus cannot be used (connecting, owning the name, exporting objects)",
        kFailure, ""},
    ErrorCodeInfo{kTimerFailed, "TimerFailed", "com.endlessm.Metrics.Error.TimerFailed", false,
        "a CLOCK_BOOTTIME timer cannot be created or armed", kFailure, ""},
    ErrorCodeInfo{kBadGzip, "BadGzip", "com.endlessm.Metrics.Error.BadGzip", false,
        "data that is not valid gzip", kFailure, ""},
    ErrorCodeInfo{kTooLarge, "TooLarge", "com.endlessm.Metrics.Error.TooLarge", false,
        "gzip data uncompresses beyond its limit", kFailure, ""},
    ErrorCodeInfo{kCompressionFailed, "CompressionFailed", "com.endlessm.Metrics.Error.CompressionFailed", false,
        "an upload body cannot be compressed", kFailure, ""},
    ErrorCodeInfo{kInvalidRequest, "InvalidRequest", "com.endlessm.Metrics.Error.InvalidRequest", false,
        "a protocol-3 request that does not decode", kFailure, ""},
    ErrorCodeInfo{kInvalidJson, "InvalidJson", "com.endlessm.Metrics.Error.InvalidJson", false,
        "a registry file that is not JSON", kFailure, ""},
    ErrorCodeInfo{kInvalidJsonValue, "InvalidJsonValue", "com.endlessm.Metrics.Error.InvalidJsonValue", false,
        "a registry file with a JSON value out of range", kFailure, ""},
    ErrorCodeInfo{kTooDeep, "TooDeep", "com.endlessm.Metrics.Error.TooDeep", false,
        "JSON nested beyond the limit", kFailure, ""},
    ErrorCodeInfo{kTooManyMembers, "TooManyMembers", "com.endlessm.Metrics.Error.TooManyMembers", false,
        "a JSON array or object with more members than the limit", kFailure, ""},
    ErrorCodeInfo{kInvalidExample, "InvalidExample", "com.endlessm.Metrics.Error.InvalidExample", false,
        "a registry entry's example does not parse as its payload type", kFailure, ""},
    ErrorCodeInfo{kBusCallFailed, "BusCallFailed", "com.endlessm.Metrics.Error.BusCallFailed", false,
        "a D-Bus call an instrumentation daemon makes fails", kFailure, ""},
    ErrorCodeInfo{kNotRegistered, "NotRegistered", "com.endlessm.Metrics.Error.NotRegistered", false,
        "an instrumentation event that the registry does not have as the daemon sends it",
        kFailure, ""},
    ErrorCodeInfo{kNotGathered, "NotGathered", "com.endlessm.Metrics.Error.NotGathered", false,
        "a collector has nothing to report", kFailure, ""},
    ErrorCodeInfo{kStateWriteFailed, "StateWriteFailed", "com.endlessm.Metrics.Error.StateWriteFailed", false,
        "an instrumentation daemon cannot write its schedule state", kFailure, ""},
    ErrorCodeInfo{kStorageUnresolved, "StorageUnresolved", "com.endlessm.Metrics.Error.StorageUnresolved", false,
        "the block device under a path cannot be found", kFailure, ""},
    ErrorCodeInfo{kFilesystemUnreadable, "FilesystemUnreadable", "com.endlessm.Metrics.Error.FilesystemUnreadable", false,
        "a file system's usage cannot be read", kFailure, ""},
    ErrorCodeInfo{kStartupTimesInvalid, "StartupTimesInvalid", "com.endlessm.Metrics.Error.StartupTimesInvalid", false,
        "systemd's boot timestamps are out of order", kFailure, ""},
    ErrorCodeInfo{kLscpuFailed, "LscpuFailed", "com.endlessm.Metrics.Error.LscpuFailed", false,
        "lscpu cannot be run or fails", kFailure, ""},
    ErrorCodeInfo{kPodmanFailed, "PodmanFailed", "com.endlessm.Metrics.Error.PodmanFailed", false,
        "podman fails", kFailure, ""},
    ErrorCodeInfo{kPodmanNotFound, "PodmanNotFound", "com.endlessm.Metrics.Error.PodmanNotFound", false,
        "podman is not installed", kFailure, ""},
    ErrorCodeInfo{kPodmanOutputInvalid, "PodmanOutputInvalid", "com.endlessm.Metrics.Error.PodmanOutputInvalid", false,
        "podman's output is not what it should be", kFailure, ""},
    ErrorCodeInfo{kTestCollectorFailure, "TestCollectorFailure", "com.endlessm.Metrics.Error.TestCollectorFailure", false,
        "the test collector (tests/collector) cannot start, or was sent a bad control request",
        kFailure, ""},

    ErrorCodeInfo{kForeign, "Foreign", "org.freedesktop.DBus.Error.Failed", false,
        "a D-Bus peer sent an error name this table does not have", kFailure, ""},
};
// clang-format on

constexpr bool in_enum_order() {
  for (std::size_t i = 0; i < kTable.size(); ++i)
    if (static_cast<std::size_t>(kTable[i].code) != i) return false;
  return kTable.back().code == kForeign;
}
static_assert(in_enum_order(), "kTable must list every ErrorCode in the enum's order");

}  // namespace

std::span<const ErrorCodeInfo> error_codes() {
  return kTable;
}

const ErrorCodeInfo& error_code_info(ErrorCode code) {
  return kTable[static_cast<std::size_t>(code)];
}

std::string_view error_code_name(ErrorCode code) {
  return error_code_info(code).name;
}

std::string_view error_dbus_name(ErrorCode code) {
  return error_code_info(code).dbus_name;
}

std::optional<ErrorCode> error_code_from_name(std::string_view name) {
  for (const ErrorCodeInfo& info : kTable)
    if (info.code != kForeign && info.name == name) return info.code;
  return std::nullopt;
}

std::optional<ErrorCode> error_code_from_dbus_name(std::string_view dbus_name) {
  for (const ErrorCodeInfo& info : kTable)
    if (info.code != kForeign && info.dbus_name == dbus_name) return info.code;
  return std::nullopt;
}

std::ostream& operator<<(std::ostream& out, ErrorCode code) {
  return out << error_code_name(code);
}

}  // namespace metrics
