// SPDX-License-Identifier: GPL-2.0-or-later
// Every error code of the project in one table: its name, its D-Bus error name, when it
// happens, and what metricsctl says about it when the recorder sends it.
#pragma once

#include <iosfwd>
#include <optional>
#include <span>
#include <string_view>

namespace metrics {

// In the order of the table in error_code.cpp (checked there at compile time).
enum class ErrorCode {
  // Sent by the recorder on D-Bus (docs/recorder.md, "Errors").
  kInvalidEventId,
  kUnknownEvent,
  kWrongPayloadType,
  kWrongEventKind,
  kWrongPayloadValue,
  kMetricsDisabled,
  kUploadingDisabled,
  kNetworkUnavailable,
  kNetworkMetered,
  kInvalidServerUrl,
  kInvalidEnvironment,
  kUploadServerError,
  kUploadDestinationWrong,
  kUploadRejected,
  kNoSuchSetAside,
  kSetAsideNotRequeueable,
  kNoSuchUpload,
  kUploadTimeout,
  kUploadConnectionFailed,
  kUploadDnsFailure,
  kUploadTlsFailure,
  kUploadNetworkFailure,
  kUploadHelperFailed,
  kUploadConfigurationInvalid,
  kInvalidPayload,
  kInvalidArguments,
  kPayloadTooLarge,
  kSequenceTooLong,
  kQueueFull,
  kUserQuotaExceeded,
  kRateLimited,
  kTooManyTimers,
  kStorageFailure,
  kInvalidMachineId,
  kAuthFailed,
  kAccessDenied,
  kUnknownMethod,
  kInvalidArgs,
  // Internal: never part of a D-Bus answer the recorder documents.
  kUsage,
  kConfigurationInvalid,
  kPermissionsMissing,
  kPermissionsWriteFailed,
  kUnknownTimer,
  kBusFailure,
  kTimerFailed,
  kBadGzip,
  kTooLarge,
  kCompressionFailed,
  kInvalidRequest,
  kInvalidJson,
  kInvalidJsonValue,
  kTooDeep,
  kTooManyMembers,
  kInvalidExample,
  kBusCallFailed,
  kNotRegistered,
  kNotGathered,
  kStateWriteFailed,
  kStorageUnresolved,
  kFilesystemUnreadable,
  kStartupTimesInvalid,
  kLscpuFailed,
  kPodmanFailed,
  kPodmanNotFound,
  kPodmanOutputInvalid,
  kTestCollectorFailure,
  // A D-Bus error name a peer sent that this table does not have (metricsctl only); the
  // name itself is in Error::dbus_name.
  kForeign,
};

// The metricsctl exit code an error the recorder sends leads to (daemon/cli/errors.hpp
// numbers them).
enum class ExitClass {
  kFailure,
  kUsage,
  kNotAuthorized,
  kNoConsent,
  kNoNetwork,
};

struct ErrorCodeInfo {
  ErrorCode code;
  std::string_view name;       // "InvalidEventId": the code as logs, counters and tests spell it
  std::string_view dbus_name;  // the D-Bus error name the recorder replies with
  bool documented;             // part of the D-Bus contract: listed in docs/recorder.md
  std::string_view when;
  ExitClass exit;
  // What metricsctl advises when the recorder sends this error; "" for nothing. The
  // placeholders {permissions_file}, {settings_file} and {settings_fix} stand for the
  // recorder's files and for the fix of a recorder.conf problem (metricsctl fills them in).
  std::string_view advice;
};

// Every row, in the enum's order.
std::span<const ErrorCodeInfo> error_codes();

const ErrorCodeInfo& error_code_info(ErrorCode code);
std::string_view error_code_name(ErrorCode code);
std::string_view error_dbus_name(ErrorCode code);

// The code with this name (error_code_name), or with this D-Bus error name; kForeign has
// neither.
std::optional<ErrorCode> error_code_from_name(std::string_view name);
std::optional<ErrorCode> error_code_from_dbus_name(std::string_view dbus_name);

// Writes the code's name (for test failures and logs).
std::ostream& operator<<(std::ostream& out, ErrorCode code);

}  // namespace metrics
