// SPDX-License-Identifier: GPL-2.0-or-later
// What the uploader is doing (Control1.UploadState), and the word for a session that worked
// (Control1.LastUploadResult): the strings on D-Bus, in one place.
#pragma once

#include <optional>
#include <string_view>

namespace metrics {

enum class UploadState {
  kDisabled,   // consent not granted
  kOffline,    // waiting for a network connection
  kMetered,    // waiting for an unmetered connection
  kIdle,       // waiting for the next slot
  kUploading,  // sending now
  kRetrying,   // backing off after a failure
  kPaused,     // the configuration or the destination is unusable
};

// "disabled", "offline", "metered", "idle", "uploading", "retrying", "paused".
std::string_view upload_state_name(UploadState state);
std::optional<UploadState> upload_state_from_name(std::string_view name);

// LastUploadResult of a session that worked; otherwise it is the error's D-Bus name, or ""
// before the first session.
inline constexpr std::string_view kUploadSucceeded = "success";

}  // namespace metrics
