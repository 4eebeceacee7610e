// SPDX-License-Identifier: GPL-2.0-or-later
#include "collectors/primary_storage.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "block_topology.hpp"
#include "fixture_paths.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;
using namespace metrics::instrumentation;
using metrics::instrumentation::testing::fixture;
using metrics::testing::TempDir;

namespace {

PrimaryStorage collect(const std::string& name) {
  SourceTree tree(fixture("storage/" + name));
  return collect_primary_storage(tree).value;
}

std::string payload_text(const PrimaryStorage& storage) {
  auto variant = to_variant(storage);
  metrics::GCharPtr text(g_variant_print(variant.get(), FALSE));
  return text.get();
}

void write(const fs::path& file, const std::string& text) {
  fs::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary) << text;
}

}  // namespace

// ---- The fixture trees of issue 5 -------------------------------------------------

TEST(PrimaryStorage, NvmeSsdWithBtrfsRootOnLuks) {
  // btrfs shows the anonymous 0:27 in mountinfo: the device comes from the mount
  // source /dev/mapper/luks-…, then dm-0's slaves/ lead to nvme0n1p3 and its disk.
  SourceTree tree(fixture("storage/nvme-btrfs-luks"));
  auto disks =
      physical_disks_for_path(tree, parse_mountinfo(*tree.read_file("/proc/self/mountinfo")), "/");
  ASSERT_TRUE(disks.ok()) << disks.error().message;
  EXPECT_EQ(disks.value(),
            (std::vector<std::string>{"/sys/devices/virtual/nvme-subsystem/nvme-subsys0/nvme0n1"}));
  EXPECT_EQ(payload_text(collect("nvme-btrfs-luks")), "('ssd', 'nvme')");
}

TEST(PrimaryStorage, SataHddWithExt4OnLvm) {
  EXPECT_EQ(payload_text(collect("sata-hdd-ext4-lvm")), "('hdd', 'sata')");
}

TEST(PrimaryStorage, Emmc) {
  EXPECT_EQ(payload_text(collect("emmc")), "('ssd', 'mmc')");
}

TEST(PrimaryStorage, VirtioDiskInAVmHasNoMediaOfItsOwn) {
  // The kernel says rotational=1 for virtio-blk whatever the host stores it on.
  EXPECT_EQ(payload_text(collect("virtio-vm")), "('unknown', 'virtio')");
}

TEST(PrimaryStorage, UsbBootedLiveSystemIsTheStickNotTheInternalDisk) {
  // overlay → lower layer /run/rootfsbase → squashfs on loop0 → backing file on
  // /run/initramfs/live → sdb1 on USB. The internal SATA SSD must not be reported.
  SourceTree tree(fixture("storage/usb-live"));
  auto disks =
      physical_disks_for_path(tree, parse_mountinfo(*tree.read_file("/proc/self/mountinfo")), "/");
  ASSERT_TRUE(disks.ok()) << disks.error().message;
  ASSERT_EQ(disks->size(), 1u);
  EXPECT_NE(disks->front().find("/usb2/"), std::string::npos) << disks->front();
  // USB bridges leave rotational at the kernel's default 1: not evidence of a spinning disk.
  EXPECT_EQ(payload_text(collect("usb-live")), "('unknown', 'usb')");
}

TEST(PrimaryStorage, UnreadableTreeGivesUnknownAndSaysWhy) {
  SourceTree tree(fixture("storage/unreadable"));
  auto reading = collect_primary_storage(tree);
  EXPECT_EQ(payload_text(reading.value), "('unknown', 'unknown')");
  ASSERT_FALSE(reading.warnings.empty());
  EXPECT_NE(reading.warnings.front().find("mountinfo"), std::string::npos);
}

TEST(PrimaryStorage, NonexistentRootGivesUnknown) {
  SourceTree tree("/nonexistent-5f1c0a7e/root");
  EXPECT_EQ(collect_primary_storage(tree).value, PrimaryStorage{});
}

// ---- Transport and media rules -----------------------------------------------------

TEST(PrimaryStorage, TransportFromTheDevicePath) {
  EXPECT_EQ(transport_of_disk("/sys/devices/pci0000:00/0000:00:1d.0/0000:3d:00.0/nvme/nvme0/"
                              "nvme0n1"),
            "nvme");
  EXPECT_EQ(transport_of_disk("/sys/devices/virtual/nvme-subsystem/nvme-subsys0/nvme0n1"), "nvme");
  EXPECT_EQ(transport_of_disk("/sys/devices/pci0000:00/0000:00:17.0/ata3/host2/target2:0:0/"
                              "2:0:0:0/block/sda"),
            "sata");
  EXPECT_EQ(transport_of_disk("/sys/devices/pci0000:00/0000:00:14.0/usb2/2-1/2-1:1.0/host6/"
                              "target6:0:0/6:0:0:0/block/sdb"),
            "usb");
  EXPECT_EQ(transport_of_disk("/sys/devices/platform/soc/fe340000.mmc/mmc_host/mmc0/mmc0:0001/"
                              "block/mmcblk0"),
            "mmc");
  EXPECT_EQ(transport_of_disk("/sys/devices/pci0000:00/0000:00:04.0/virtio2/block/vda"), "virtio");
  EXPECT_EQ(transport_of_disk("/sys/devices/pci0000:00/0000:00:03.0/virtio1/host2/target2:0:0/"
                              "2:0:0:0/block/sda"),
            "virtio")
      << "virtio-scsi is a virtual disk";
  EXPECT_EQ(transport_of_disk("/sys/devices/pci0000:00/0000:00:1f.0/0000:01:00.0/host0/port-0:0/"
                              "end_device-0:0/target0:0:0/0:0:0:0/block/sda"),
            "scsi");
  EXPECT_EQ(transport_of_disk("/sys/devices/vbd-51712/block/xvda"), "other");
  EXPECT_EQ(transport_of_disk("/sys/devices/virtual/block/zram0"), "other");
  EXPECT_EQ(transport_of_disk("/sys/devices/platform/usbfoo/block/x"), "other")
      << "usb must be a bus name with a number";
}

TEST(PrimaryStorage, MediaIsOnlyReportedWhereTheKernelLearntIt) {
  TempDir dir;
  write(dir.path() / "d0/queue/rotational", "0\n");
  write(dir.path() / "d1/queue/rotational", "1\n");
  write(dir.path() / "dx/queue/rotational", "spinning\n");
  SourceTree tree(dir.path());
  EXPECT_EQ(media_of_disk(tree, "/d0", "nvme"), "ssd");
  EXPECT_EQ(media_of_disk(tree, "/d0", "sata"), "ssd");
  EXPECT_EQ(media_of_disk(tree, "/d0", "usb"), "ssd");
  EXPECT_EQ(media_of_disk(tree, "/d1", "sata"), "hdd");
  EXPECT_EQ(media_of_disk(tree, "/d1", "scsi"), "hdd");
  EXPECT_EQ(media_of_disk(tree, "/d1", "usb"), "unknown");
  EXPECT_EQ(media_of_disk(tree, "/d0", "virtio"), "unknown");
  EXPECT_EQ(media_of_disk(tree, "/d0", "other"), "unknown");
  EXPECT_EQ(media_of_disk(tree, "/dx", "sata"), "unknown");
  EXPECT_EQ(media_of_disk(tree, "/missing", "sata"), "unknown");
}

// ---- Degenerate trees ----------------------------------------------------------------

class StorageTree : public ::testing::Test {
 protected:
  void mountinfo(const std::string& text) { write(dir_.path() / "proc/self/mountinfo", text); }
  void file(const std::string& path, const std::string& text) {
    write(dir_.path() / path.substr(1), text);
  }
  void link(const std::string& path, const std::string& target) {
    fs::create_directories((dir_.path() / path.substr(1)).parent_path());
    fs::create_symlink(target, dir_.path() / path.substr(1));
  }
  Reading<PrimaryStorage> collect() { return collect_primary_storage(SourceTree(dir_.path())); }
  TempDir dir_;
};

TEST_F(StorageTree, RootOnTmpfsHasNoDisk) {
  mountinfo("1 0 0:5 / / rw - tmpfs tmpfs rw\n");
  auto reading = collect();
  EXPECT_EQ(reading.value, PrimaryStorage{});
  ASSERT_FALSE(reading.warnings.empty());
  EXPECT_NE(reading.warnings.front().find("not a block device"), std::string::npos);
}

TEST_F(StorageTree, SlavesThatLinkInACircleStop) {
  mountinfo("1 0 253:0 / / rw - ext4 /dev/mapper/x rw\n");
  link("/sys/dev/block/253:0", "../../devices/virtual/block/dm-0");
  link("/sys/devices/virtual/block/dm-0/slaves/dm-1", "../../dm-1");
  link("/sys/devices/virtual/block/dm-1/slaves/dm-0", "../../dm-0");
  EXPECT_EQ(collect().value, PrimaryStorage{});
}

TEST_F(StorageTree, OverlayOnItselfStops) {
  mountinfo("1 0 0:30 / / rw - overlay overlay rw,lowerdir=/a:/b,upperdir=/c\n");
  auto reading = collect();
  EXPECT_EQ(reading.value, PrimaryStorage{});
  EXPECT_FALSE(reading.warnings.empty());
}

TEST_F(StorageTree, RootAcrossDisksThatDifferIsUnknown) {
  // LVM over an NVMe SSD and a SATA HDD.
  mountinfo("1 0 253:0 / / rw - xfs /dev/mapper/vg-root rw\n");
  link("/sys/dev/block/253:0", "../../devices/virtual/block/dm-0");
  const std::string nvme = "/sys/devices/pci0000:00/0000:00:1d.0/0000:3d:00.0/nvme/nvme0/nvme0n1";
  const std::string sata =
      "/sys/devices/pci0000:00/0000:00:17.0/ata1/host0/target0:0:0/0:0:0:0/"
      "block/sda";
  file(nvme + "/queue/rotational", "0\n");
  file(nvme + "/nvme0n1p1/partition", "1\n");
  file(sata + "/queue/rotational", "1\n");
  file(sata + "/sda1/partition", "1\n");
  // Absolute targets: resolved inside the tree.
  link("/sys/devices/virtual/block/dm-0/slaves/nvme0n1p1", nvme + "/nvme0n1p1");
  link("/sys/devices/virtual/block/dm-0/slaves/sda1", sata + "/sda1");
  auto reading = collect();
  EXPECT_EQ(reading.value, (PrimaryStorage{"unknown", "unknown"}));
  ASSERT_FALSE(reading.warnings.empty());
  EXPECT_NE(reading.warnings.back().find("2 disks"), std::string::npos);
}

TEST_F(StorageTree, DeletedLoopBackingFileStillLeadsToItsDisk) {
  const std::string sata =
      "/sys/devices/pci0000:00/0000:00:17.0/ata1/host0/target0:0:0/0:0:0:0/"
      "block/sda";
  mountinfo(
      "1 0 7:0 / / rw - ext4 /dev/loop0 rw\n"
      "2 1 8:1 / /images rw - ext4 /dev/sda1 rw\n");
  link("/sys/dev/block/7:0", "../../devices/virtual/block/loop0");
  file("/sys/devices/virtual/block/loop0/loop/backing_file", "/images/root.img (deleted)\n");
  link("/sys/dev/block/8:1", "../.." + sata.substr(4) + "/sda1");
  file(sata + "/sda1/partition", "1\n");
  file(sata + "/queue/rotational", "0\n");
  EXPECT_EQ(collect().value, (PrimaryStorage{"ssd", "sata"}));
}
