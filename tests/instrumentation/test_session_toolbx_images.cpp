// SPDX-License-Identifier: GPL-2.0-or-later
// podman's JSON to the Toolbx payload: which containers ran in the last 24 hours, by the
// distribution and release their labels give, reduced to the closed set; other output
// is refused; the payload has the registered type.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "fixture_paths.hpp"
#include "toolbx_images.hpp"

namespace metrics::instrumentation::session {
namespace {

constexpr int64_t kNow = 1'764'800'000;
const std::set<std::string, std::less<>> kDistributions{"fedora", "rhel", "centos",  "ubuntu",
                                                        "debian", "arch", "opensuse"};

// The fixture with its @NOW-N@ times resolved against kNow. (A plain scan: std::regex
// trips GCC 12's -Wmaybe-uninitialized in the sanitizer build.)
std::string podman_output(const std::string& fixture) {
  const std::string text = testing::read_fixture("podman/" + fixture);
  constexpr std::string_view kOpen = "@NOW-";
  std::string out;
  size_t last = 0;
  for (size_t at = text.find(kOpen); at != std::string::npos; at = text.find(kOpen, last)) {
    const size_t digits = at + kOpen.size();
    const size_t close = text.find('@', digits);
    if (close == std::string::npos || close == digits ||
        text.find_first_not_of("0123456789", digits) != close) {
      ADD_FAILURE() << "malformed placeholder in podman/" << fixture << " at byte " << at;
      break;
    }
    out += text.substr(last, at - last);
    out += std::to_string(kNow - std::stoll(text.substr(digits, close - digits)));
    last = close + 1;
  }
  return out + text.substr(last);
}

std::string printed(const std::vector<ImageCount>& images) {
  const GVariantPtr payload = toolbx_payload(images);
  EXPECT_STREQ(g_variant_get_type_string(payload.get()), "a(ssu)");
  const GCharPtr text(g_variant_print(payload.get(), FALSE));
  return text.get();
}

TEST(SessionToolbx, SeveralImages) {
  auto report = count_toolbx_images(podman_output("several-images.json"), kNow, kDistributions);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(printed(report->images),
            "[('arch', 'other', 1), ('fedora', '41', 2), ('fedora', 'rawhide', 1), "
            "('other', 'other', 1), ('rhel', '9.4', 1), ('ubuntu', '24.04', 1)]");
  EXPECT_TRUE(report->warnings.empty());
  // Nothing of the names, images or registries travels.
  const std::string text = printed(report->images);
  for (const char* secret : {"my-secret-project", "alice", "registry", "quay", "work", "1.2"})
    EXPECT_EQ(text.find(secret), std::string::npos) << secret;
}

TEST(SessionToolbx, ContainersWithoutTheToolbxLabelAreNotCounted) {
  auto report = count_toolbx_images(podman_output("not-toolbx.json"), kNow, kDistributions);
  ASSERT_TRUE(report);
  EXPECT_EQ(printed(report->images), "[('fedora', '41', 1)]");
  EXPECT_EQ(report->warnings,
            std::vector<std::string>{"container 1 has no Toolbx label and is not counted"});
}

TEST(SessionToolbx, NoContainersIsTheEmptyList) {
  for (const char* output : {"[]\n", "", "  \n"}) {
    auto report = count_toolbx_images(output, kNow, kDistributions);
    ASSERT_TRUE(report) << output;
    EXPECT_TRUE(report->images.empty());
  }
  EXPECT_EQ(printed({}), "[]");
}

TEST(SessionToolbx, MalformedOutputIsRefused) {
  for (const std::string& output :
       {podman_output("malformed.json"), std::string("{\"Id\": 1}"), std::string("[1, 2]"),
        std::string("Error: cannot connect"), std::string("null")}) {
    auto report = count_toolbx_images(output, kNow, kDistributions);
    ASSERT_FALSE(report) << output;
    EXPECT_EQ(report.error().code, ErrorCode::kPodmanOutputInvalid);
  }
}

TEST(SessionToolbx, OnlyKnownDistributionsAndReleaseShapes) {
  // A distribution the registry does not list is other, and so is its release.
  auto report = count_toolbx_images(
      R"([{"Labels": {"com.github.containers.toolbox": "true", "name": "fedora-toolbox",
                      "version": "41"}, "State": "running"}])",
      kNow, {"ubuntu"});
  ASSERT_TRUE(report);
  EXPECT_EQ(printed(report->images), "[('other', 'other', 1)]");
  for (const char* release :
       {"41", "24.04", "9.3", "1.2.3", "rawhide", "testing", "unstable", "latest"})
    EXPECT_TRUE(is_release_text(release)) << release;
  for (const char* not_release : {"", "base-devel", "41 beta", "1.2.3.4", "12345", ".1", "1.",
                                  "1..2", "v41", "Rawhide", "41\n", "my text"})
    EXPECT_FALSE(is_release_text(not_release)) << not_release;
}

TEST(SessionToolbx, TheWindowIsTheLastDay) {
  const std::string exited_at = R"([{"Labels": {"com.github.containers.toolbox": "true",
      "name": "debian-toolbox", "version": "12"}, "State": "exited", "ExitedAt": )";
  auto inside =
      count_toolbx_images(exited_at + std::to_string(kNow - 86400) + "}]", kNow, kDistributions);
  ASSERT_TRUE(inside);
  EXPECT_EQ(printed(inside->images), "[('debian', '12', 1)]");
  auto outside =
      count_toolbx_images(exited_at + std::to_string(kNow - 86401) + "}]", kNow, kDistributions);
  ASSERT_TRUE(outside);
  EXPECT_TRUE(outside->images.empty());
}

}  // namespace
}  // namespace metrics::instrumentation::session
