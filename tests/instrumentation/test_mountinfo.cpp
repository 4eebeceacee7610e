// SPDX-License-Identifier: GPL-2.0-or-later
#include "mountinfo.hpp"

#include <gtest/gtest.h>

using namespace metrics::instrumentation;

TEST(Mountinfo, ParsesFieldsAroundOptionalTags) {
  auto mounts = parse_mountinfo(
      "60 1 0:27 /root / rw,relatime shared:1 master:3 - btrfs /dev/mapper/luks-1 "
      "rw,subvol=/root\n"
      "68 60 259:2 / /boot rw,relatime - ext4 /dev/nvme0n1p2 rw\n");
  ASSERT_EQ(mounts.size(), 2u);
  EXPECT_EQ(mounts[0].major, 0u);
  EXPECT_EQ(mounts[0].minor, 27u);
  EXPECT_EQ(mounts[0].root, "/root");
  EXPECT_EQ(mounts[0].mount_point, "/");
  EXPECT_EQ(mounts[0].fs_type, "btrfs");
  EXPECT_EQ(mounts[0].source, "/dev/mapper/luks-1");
  EXPECT_EQ(mounts[0].super_options, "rw,subvol=/root");
  EXPECT_EQ(mounts[1].major, 259u);
  EXPECT_EQ(mounts[1].minor, 2u);
}

TEST(Mountinfo, UnescapesOctalAndSkipsMalformedLines) {
  auto mounts = parse_mountinfo(
      "garbage\n"
      "1 2 3 / /x rw - ext4\n"                                        // too short
      "1 2 a:b / /y rw - ext4 /dev/sda1 rw\n"                         // bad device
      "1 2 8:1 / /media/My\\040Disk rw - vfat /dev/sdb\\0401 rw\n");  // escapes
  ASSERT_EQ(mounts.size(), 1u);
  EXPECT_EQ(mounts[0].mount_point, "/media/My Disk");
  EXPECT_EQ(mounts[0].source, "/dev/sdb 1");
}

TEST(Mountinfo, LongestMountPointAndTheTopmostMountWin) {
  auto mounts = parse_mountinfo(
      "1 0 8:1 / / rw - ext4 /dev/sda1 rw\n"
      "2 1 8:2 / /run rw - ext4 /dev/sda2 rw\n"
      "3 1 8:3 / /run/a rw - ext4 /dev/sda3 rw\n"
      "4 1 8:4 / / rw - ext4 /dev/sda4 rw\n");  // mounted over the first /
  EXPECT_EQ(mount_for_path(mounts, "/")->source, "/dev/sda4");
  EXPECT_EQ(mount_for_path(mounts, "/run/a/file")->source, "/dev/sda3");
  EXPECT_EQ(mount_for_path(mounts, "/run/ab")->source, "/dev/sda2")
      << "/run/a does not hold /run/ab";
  EXPECT_EQ(mount_for_path({}, "/"), nullptr);
}

TEST(Mountinfo, OptionValuesIncludingRepeatedOnes) {
  const std::string options = "rw,lowerdir+=/a,lowerdir+=/b,upperdir=/u,lowerdir=/x:/y";
  EXPECT_EQ(option_values(options, "lowerdir"), (std::vector<std::string>{"/x:/y"}));
  EXPECT_EQ(option_values(options, "lowerdir+"), (std::vector<std::string>{"/a", "/b"}));
  EXPECT_EQ(option_values(options, "upperdir"), (std::vector<std::string>{"/u"}));
  EXPECT_TRUE(option_values(options, "workdir").empty());
}
