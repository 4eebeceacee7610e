// SPDX-License-Identifier: GPL-2.0-or-later
// Toolbx containers by image, from `podman ps --all --format json` (with the Toolbx label
// filter). Only what the Toolbx labels of an image say is used, reduced to a closed set:
// the distribution from the image's `name` label (fedora-toolbox → fedora; the UBI image
// toolbox-container → rhel), the release from its `version` label when that is a version
// number or a known name. Anything else becomes "other". Container names, image names,
// registries and IDs are read by nobody and sent nowhere.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "glib_handles.hpp"
#include "result.hpp"

namespace metrics::instrumentation::session {

inline constexpr std::string_view kToolbxLabel = "com.github.containers.toolbox";
inline constexpr std::string_view kOther = "other";
inline constexpr int64_t kToolbxWindowSeconds = int64_t{24} * 3600;

struct ImageCount {
  std::string distribution;
  std::string release;
  uint32_t containers = 0;
  friend bool operator==(const ImageCount&, const ImageCount&) = default;
};

struct ToolbxReport {
  std::vector<ImageCount> images;     // sorted by distribution, then release
  std::vector<std::string> warnings;  // containers that were skipped, and why
};

// "41", "24.04", "9.3": one to three parts of one to four digits; or rawhide, testing,
// unstable, latest. Anything else is not a release this metric sends.
bool is_release_text(std::string_view version);

// The containers that ran during the `kToolbxWindowSeconds` before `now_unix` (running
// now, or exited since then), counted by image. `distributions`: the values the
// registry allows (without "other"). Error "PodmanOutputInvalid" when `output` is not a
// JSON array of objects; empty output is an empty list.
Result<ToolbxReport> count_toolbx_images(std::string_view output, int64_t now_unix,
                                         const std::set<std::string, std::less<>>& distributions);

// The payload, a(ssu): [(distribution, release, containers)].
GVariantPtr toolbx_payload(const std::vector<ImageCount>& images);

}  // namespace metrics::instrumentation::session
