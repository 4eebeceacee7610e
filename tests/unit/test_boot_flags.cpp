// SPDX-License-Identifier: GPL-2.0-or-later
// The boot-type flags of every upload, from the kernel command line.
#include <gtest/gtest.h>

#include <fstream>

#include "boot_flags.hpp"
#include "temp_dir.hpp"

namespace metrics {
namespace {

TEST(BootFlags, FedoraLiveMediaIsLive) {
  // As a Fedora Workstation live image boots.
  EXPECT_EQ(boot_flags_from_cmdline("BOOT_IMAGE=/images/pxeboot/vmlinuz "
                                    "root=live:CDLABEL=Fedora-WS-Live-40-1-14 rd.live.image "
                                    "quiet rhgb\n"),
            kBootFlagLiveBoot);
  EXPECT_EQ(boot_flags_from_cmdline("rd.live.image"), kBootFlagLiveBoot);
  EXPECT_EQ(boot_flags_from_cmdline("quiet rd.live.image=1"), kBootFlagLiveBoot);
  EXPECT_EQ(boot_flags_from_cmdline("root=live:UUID=1234 quiet"), kBootFlagLiveBoot);
}

TEST(BootFlags, InstalledSystemIsNeither) {
  EXPECT_EQ(boot_flags_from_cmdline("BOOT_IMAGE=(hd0,gpt2)/vmlinuz-6.8.5-301.fc40.x86_64 "
                                    "root=UUID=0d2f0e6f-2f4e-4e68-9c6e-3b0c8e1d5a7b ro "
                                    "rootflags=subvol=root rhgb quiet\n"),
            0);
  EXPECT_EQ(boot_flags_from_cmdline(""), 0);
}

TEST(BootFlags, OnlyTheWholeWordCounts) {
  EXPECT_EQ(boot_flags_from_cmdline("rd.live.imagex"), 0);
  EXPECT_EQ(boot_flags_from_cmdline("xrd.live.image"), 0);
  EXPECT_EQ(boot_flags_from_cmdline("rd.live.image.x=1"), 0);
  EXPECT_EQ(boot_flags_from_cmdline("init=/bin/sh root=/dev/sda1 live"), 0);
  // Inside a quoted value it is another parameter's text.
  EXPECT_EQ(boot_flags_from_cmdline("foo=\"a rd.live.image b\""), 0);
}

TEST(BootFlags, FalseValuesAndTheLastOccurrenceWin) {
  EXPECT_EQ(boot_flags_from_cmdline("rd.live.image=0"), 0);
  EXPECT_EQ(boot_flags_from_cmdline("rd.live.image=no"), 0);
  EXPECT_EQ(boot_flags_from_cmdline("rd.live.image=off"), 0);
  EXPECT_EQ(boot_flags_from_cmdline("rd.live.image rd.live.image=0"), 0);
  EXPECT_EQ(boot_flags_from_cmdline("rd.live.image=0 rd.live.image"), kBootFlagLiveBoot);
}

TEST(BootFlags, DualBootIsNeverSet) {
  for (const char* line : {"rd.live.image", "", "root=live:x", "quiet"})
    EXPECT_EQ(boot_flags_from_cmdline(line) & kBootFlagDualBoot, 0) << line;
}

TEST(BootFlags, ReadFromAFileAndNothingWithoutOne) {
  testing::TempDir dir;
  const auto file = dir.path() / "cmdline";
  {
    std::ofstream out(file);
    out << "BOOT_IMAGE=/vmlinuz root=live:CDLABEL=X rd.live.image quiet\n";
  }
  EXPECT_EQ(read_boot_flags(file), kBootFlagLiveBoot);
  EXPECT_EQ(read_boot_flags(dir.path() / "missing"), 0);
  EXPECT_EQ(read_boot_flags(dir.path()), 0);  // a directory: unreadable as a file
}

}  // namespace
}  // namespace metrics
