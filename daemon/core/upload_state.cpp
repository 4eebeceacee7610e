// SPDX-License-Identifier: GPL-2.0-or-later
#include "upload_state.hpp"

#include <array>
#include <utility>

namespace metrics {

namespace {

constexpr std::array<std::pair<UploadState, std::string_view>, 7> kNames = {{
    {UploadState::kDisabled, "disabled"},
    {UploadState::kOffline, "offline"},
    {UploadState::kMetered, "metered"},
    {UploadState::kIdle, "idle"},
    {UploadState::kUploading, "uploading"},
    {UploadState::kRetrying, "retrying"},
    {UploadState::kPaused, "paused"},
}};

}  // namespace

std::string_view upload_state_name(UploadState state) {
  for (const auto& [known, name] : kNames)
    if (known == state) return name;
  return "disabled";
}

std::optional<UploadState> upload_state_from_name(std::string_view name) {
  for (const auto& [state, known] : kNames)
    if (known == name) return state;
  return std::nullopt;
}

}  // namespace metrics
