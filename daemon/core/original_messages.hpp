// SPDX-License-Identifier: GPL-2.0-or-later
// The texts of the Endless recorder's errors, for the errors it has: programs written
// against it may show or match them. Each of our messages starts with the original's
// text; what follows is ours (what happened here and what to do).
#pragma once

#include <string>
#include <string_view>

namespace metrics::original {

// MetricsDisabled, from UploadEvents and from StartAggregateTimer alike (the original
// says "upload" in both).
inline constexpr std::string_view kMetricsDisabled =
    "Could not upload events because the metrics system is disabled.";
// UploadingDisabled: the original's text names the permissions file.
inline constexpr std::string_view kUploadingDisabled =
    "Could not upload events because uploading is disabled.";
// InvalidEventId (the original sends it from StartAggregateTimer only).
inline constexpr std::string_view kInvalidEventId =
    "Event ID must be a UUID represented as an array of 16 bytes. Dropping event.";
// AuthFailed when polkit says no, per method (SetEnabled says "disabling" either way).
inline constexpr std::string_view kSetEnabledNotAuthorized =
    "Disabling metrics is only allowed from system settings";
inline constexpr std::string_view kResetTrackingIdNotAuthorized =
    "Only privileged users can reset the tracking ID";

inline std::string metrics_disabled(std::string_view ours) {
  return std::string(kMetricsDisabled) + " " + std::string(ours);
}

inline std::string uploading_disabled(std::string_view ours) {
  return std::string(kUploadingDisabled) + " " + std::string(ours);
}

// The original's whole UploadingDisabled text, which tells where to enable uploading.
inline std::string uploading_disabled(std::string_view permissions_file, std::string_view ours) {
  return uploading_disabled("You may enable uploading by setting uploading_enabled to true in " +
                            std::string(permissions_file) + " (" + std::string(ours) + ")");
}

inline std::string invalid_event_id(std::string_view ours) {
  return std::string(kInvalidEventId) + " " + std::string(ours);
}

// `original` and then, after a colon, what polkit or we said.
inline std::string not_authorized(std::string_view original, std::string_view ours) {
  return std::string(original) + ": " + std::string(ours);
}

}  // namespace metrics::original
