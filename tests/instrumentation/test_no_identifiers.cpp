// SPDX-License-Identifier: GPL-2.0-or-later
// No serial number or UUID ever reaches a payload: the collectors never even open the
// files holding them. The fixtures contain such files (DMI product_serial,
// product_uuid, board_serial, the device tree's serial-number, device-mapper uuid);
// this test reads their values itself and searches every payload for them.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "collectors/hardware_info.hpp"
#include "collectors/hardware_model.hpp"
#include "collectors/primary_storage.hpp"
#include "collectors/system_locale.hpp"
#include "fixture_paths.hpp"
#include "text_util.hpp"

namespace fs = std::filesystem;
using namespace metrics::instrumentation;
using metrics::instrumentation::testing::fixture;
using metrics::instrumentation::testing::read_fixture;

namespace {

bool names_an_identifier(const std::string& file_name) {
  return file_name.find("serial") != std::string::npos ||
         file_name.find("uuid") != std::string::npos;
}

// Values of every identifier file below `root` (NULs of device-tree strings dropped).
std::set<std::string> identifiers_under(const fs::path& root) {
  std::set<std::string> values;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file() || !names_an_identifier(entry.path().filename().string()))
      continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    std::string value = s.str();
    value.erase(std::remove(value.begin(), value.end(), '\0'), value.end());
    value = std::string(trim(value));
    if (!value.empty()) values.insert(value);
  }
  return values;
}

std::string print(const metrics::GVariantPtr& variant) {
  metrics::GCharPtr text(g_variant_print(variant.get(), FALSE));
  return text.get();
}

// Every payload the daily collectors would send from this tree.
std::vector<std::string> payloads_from(const SourceTree& tree) {
  std::vector<std::string> out;
  out.push_back(print(to_variant(collect_hardware_model(tree, std::nullopt).value)));
  out.push_back(print(to_variant(collect_primary_storage(tree).value)));
  out.push_back(print(to_variant_locale(collect_system_locale(tree, std::nullopt).value)));
  out.push_back(print(to_variant(collect_hardware_info(tree, FilesystemBytes{1, 1, 1},
                                                       read_fixture("lscpu/good-arm-board.json"))
                                     .value)));
  return out;
}

class NoIdentifiers : public ::testing::TestWithParam<std::string> {};

}  // namespace

TEST_P(NoIdentifiers, NeverOpenedNeverSent) {
  const fs::path root = fixture(GetParam());
  const auto identifiers = identifiers_under(root);
  ASSERT_FALSE(identifiers.empty()) << "the fixture must contain identifiers to be meaningful";

  SourceTree tree(root);
  std::vector<std::string> touched;
  tree.set_access_observer([&](const std::string& path) { touched.push_back(path); });
  const auto payloads = payloads_from(tree);

  ASSERT_FALSE(touched.empty());
  for (const auto& path : touched)
    EXPECT_FALSE(names_an_identifier(path.substr(path.rfind('/') + 1))) << "opened " << path;
  for (const auto& payload : payloads)
    for (const auto& id : identifiers)
      EXPECT_EQ(payload.find(id), std::string::npos) << id << " is in " << payload;
}

INSTANTIATE_TEST_SUITE_P(Fixtures, NoIdentifiers,
                         ::testing::Values("dmi/lenovo-laptop", "dmi/dell-desktop", "dmi/qemu-vm",
                                           "dmi/arm-board", "dmi/arm-laptop", "dmi/custom-desktop",
                                           "storage/nvme-btrfs-luks", "storage/sata-hdd-ext4-lvm"),
                         [](const ::testing::TestParamInfo<std::string>& param_info) {
                           std::string name = param_info.param;
                           for (auto& c : name)
                             if (c == '/' || c == '-') c = '_';
                           return name;
                         });

TEST(NoIdentifiers, TheCheckItselfCatchesALeak) {
  // Guards the guard: a payload built from product_serial is detected.
  const auto identifiers = identifiers_under(fixture("dmi/lenovo-laptop"));
  ASSERT_TRUE(identifiers.count("PF2KX7QZ"));
  HardwareModel leaky{"LENOVO", "PF2KX7QZ", "laptop"};
  EXPECT_NE(print(to_variant(leaky)).find("PF2KX7QZ"), std::string::npos);
}
