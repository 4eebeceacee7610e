// SPDX-License-Identifier: GPL-2.0-or-later
#include "toolbx_images.hpp"

#include <glib.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <utility>

namespace metrics::instrumentation::session {

namespace {

using nlohmann::json;

std::string label(const json& labels, std::string_view key) {
  auto it = labels.find(key);
  return it != labels.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// podman prints times as Unix seconds (StartedAt, ExitedAt); 0 or absent: never.
int64_t seconds(const json& container, std::string_view key) {
  auto it = container.find(key);
  if (it == container.end() || !it->is_number_integer()) return 0;
  return it->get<int64_t>();
}

std::string distribution_of(const std::string& name,
                            const std::set<std::string, std::less<>>& distributions) {
  // Red Hat's UBI Toolbx image.
  if (name == "toolbox-container" && distributions.count("rhel")) return "rhel";
  constexpr std::string_view kSuffix = "-toolbox";
  if (name.size() > kSuffix.size() && name.ends_with(kSuffix)) {
    std::string distribution = name.substr(0, name.size() - kSuffix.size());
    if (distributions.count(distribution)) return distribution;
  }
  return std::string(kOther);
}

bool ran_within(const json& container, int64_t now_unix) {
  auto state = container.find("State");
  if (state != container.end() && state->is_string() && state->get<std::string>() == "running")
    return true;
  const int64_t since = now_unix - kToolbxWindowSeconds;
  return seconds(container, "ExitedAt") >= since || seconds(container, "StartedAt") >= since;
}

}  // namespace

bool is_release_text(std::string_view version) {
  for (std::string_view name : {"rawhide", "testing", "unstable", "latest"})
    if (version == name) return true;
  size_t parts = 0;
  size_t digits = 0;
  for (char c : version) {
    if (g_ascii_isdigit(c)) {
      if (++digits > 4) return false;
      continue;
    }
    if (c != '.' || digits == 0) return false;
    ++parts;
    digits = 0;
  }
  return digits > 0 && parts < 3;
}

Result<ToolbxReport> count_toolbx_images(std::string_view output, int64_t now_unix,
                                         const std::set<std::string, std::less<>>& distributions) {
  ToolbxReport report;
  if (std::all_of(output.begin(), output.end(), [](char c) { return g_ascii_isspace(c); }))
    return report;  // some podman versions print nothing for no containers
  const json parsed = json::parse(output, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_array())
    return Error{ErrorCode::kPodmanOutputInvalid,
                 "podman's output is not a JSON array of containers"};
  std::map<std::pair<std::string, std::string>, uint32_t> counts;
  size_t position = 0;
  for (const json& container : parsed) {
    ++position;
    if (!container.is_object())
      return Error{
          ErrorCode::kPodmanOutputInvalid,
          "element " + std::to_string(position) + " of podman's output is not a container object"};
    auto labels = container.find("Labels");
    if (labels == container.end() || !labels->is_object() ||
        label(*labels, kToolbxLabel) != "true") {
      // The label filter keeps others out; a container without the label is not Toolbx's.
      report.warnings.push_back("container " + std::to_string(position) +
                                " has no Toolbx label and is not counted");
      continue;
    }
    if (!ran_within(container, now_unix)) continue;
    std::string distribution = distribution_of(label(*labels, "name"), distributions);
    const std::string version = label(*labels, "version");
    std::string release =
        distribution != kOther && is_release_text(version) ? version : std::string(kOther);
    uint32_t& count = counts[{std::move(distribution), std::move(release)}];
    if (count < UINT32_MAX) ++count;
  }
  for (auto& [key, count] : counts) report.images.push_back({key.first, key.second, count});
  return report;
}

GVariantPtr toolbx_payload(const std::vector<ImageCount>& images) {
  GVariantBuilder builder;
  g_variant_builder_init(&builder, G_VARIANT_TYPE("a(ssu)"));
  for (const ImageCount& image : images)
    g_variant_builder_add(&builder, "(ssu)", image.distribution.c_str(), image.release.c_str(),
                          image.containers);
  return adopt_variant(g_variant_builder_end(&builder));
}

}  // namespace metrics::instrumentation::session
