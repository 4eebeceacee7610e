// SPDX-License-Identifier: GPL-2.0-or-later
#include "collectors/hardware_info.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "fixture_paths.hpp"
#include "meminfo.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;
using namespace metrics::instrumentation;
using metrics::Error;
using metrics::Result;
using metrics::instrumentation::testing::read_fixture;
using metrics::testing::TempDir;

namespace {

constexpr uint64_t kGiB = uint64_t{1} << 30;

std::string print(const metrics::GVariantPtr& variant) {
  metrics::GCharPtr text(g_variant_print(variant.get(), FALSE));
  return text.get();
}

class HardwareInfoTest : public ::testing::Test {
 protected:
  void meminfo(const std::string& text) {
    fs::create_directories(dir_.path() / "proc");
    std::ofstream(dir_.path() / "proc/meminfo") << text;
  }
  TempDir dir_;
};

}  // namespace

TEST(Meminfo, MemTotalInMiBRoundedToNearest) {
  EXPECT_EQ(ram_mib_from_meminfo("MemTotal:       16089728 kB\nMemFree: 1 kB\n"), 15713u);
  EXPECT_EQ(ram_mib_from_meminfo("MemFree: 1 kB\nMemTotal: 1536 kB\n"), 2u) << "1.5 MiB rounds up";
  EXPECT_EQ(ram_mib_from_meminfo("MemTotal: 1535 kB\n"), 1u);
  EXPECT_EQ(ram_mib_from_meminfo("MemTotal: 16089728\n"), std::nullopt) << "no unit";
  EXPECT_EQ(ram_mib_from_meminfo("MemTotal: -5 kB\n"), std::nullopt);
  EXPECT_EQ(ram_mib_from_meminfo("MemTotal: 0 kB\n"), std::nullopt);
  EXPECT_EQ(ram_mib_from_meminfo("MemTotalX: 5 kB\n"), std::nullopt);
  EXPECT_EQ(ram_mib_from_meminfo(""), std::nullopt);
}

TEST(Meminfo, RoundingSaturatesInsteadOfWrapping) {
  EXPECT_EQ(round_to_units(UINT64_MAX, 1), UINT32_MAX);
  EXPECT_EQ(round_to_units(kGiB / 2, kGiB), 1u);
  EXPECT_EQ(round_to_units(kGiB / 2 - 1, kGiB), 0u);
  EXPECT_EQ(round_to_units(5, 0), 0u);
}

TEST_F(HardwareInfoTest, PayloadTypeIsExactlyTheCatalogs) {
  meminfo("MemTotal:       16089728 kB\n");
  FilesystemBytes fs_bytes{476 * kGiB + kGiB / 3, 120 * kGiB + kGiB * 2 / 3, 350 * kGiB};
  auto reading = collect_hardware_info(SourceTree(dir_.path()), fs_bytes,
                                       read_fixture("lscpu/good-x86-laptop.json"));
  auto variant = to_variant(reading.value);
  EXPECT_STREQ(g_variant_get_type_string(variant.get()), "(uuuua(sqds))");
  EXPECT_TRUE(reading.warnings.empty());
  const std::string text = print(variant);
  EXPECT_EQ(text.substr(0, text.find('[')), "(15713, 476, 121, 350, ");
  EXPECT_NE(text.find("('11th Gen Intel(R) Core(TM) i7-1165G7 @ 2.80GHz', 8, 4700.0, 'fpu"),
            std::string::npos);
}

TEST_F(HardwareInfoTest, EverySourceFailingGivesTheFallbacks) {
  // No /proc/meminfo in the tree, statvfs failed, lscpu could not run.
  Result<FilesystemBytes> fs_error =
      Error{metrics::ErrorCode::kFilesystemUnreadable, "statvfs(/) failed: EIO"};
  Result<std::string> lscpu_error =
      Error{metrics::ErrorCode::kLscpuFailed, "cannot run lscpu --json: not found"};
  auto reading = collect_hardware_info(SourceTree(dir_.path()), fs_error, lscpu_error);
  EXPECT_EQ(print(to_variant(reading.value)), "(0, 0, 0, 0, [('', 0, 0.0, '')])");
  EXPECT_EQ(reading.warnings.size(), 3u);
}

TEST(FilesystemUsage, ReadsATemporaryDirectoryAndReportsAMissingOne) {
  TempDir dir;
  auto usage = filesystem_usage(dir.path());
  ASSERT_TRUE(usage.ok()) << usage.error().message;
  EXPECT_GT(usage->total, 0u);
  EXPECT_LE(usage->used, usage->total);
  EXPECT_LE(usage->free, usage->total);
  auto missing = filesystem_usage(dir.path() / "nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, metrics::ErrorCode::kFilesystemUnreadable);
  EXPECT_NE(missing.error().message.find("nope"), std::string::npos);
}
