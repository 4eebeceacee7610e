// SPDX-License-Identifier: GPL-2.0-or-later
#include "collectors/startup_finished.hpp"

#include <gtest/gtest.h>

using namespace metrics::instrumentation;

TEST(StartupFinished, FromManagerTimestampsWithInitrd) {
  // Stamps of a UEFI boot with an initrd, µs. Firmware and loader count backwards
  // from the kernel's start.
  ManagerTimestamps stamps;
  stamps.firmware = 7'500'000;
  stamps.loader = 2'500'000;
  stamps.initrd = 1'200'000;
  stamps.userspace = 4'700'000;
  stamps.finish = 15'900'000;
  auto times = startup_times_from_manager(stamps);
  ASSERT_TRUE(times.ok()) << times.error().message;
  ASSERT_TRUE(times.value().has_value());
  EXPECT_EQ(*times.value(),
            (StartupTimes{5'000'000, 2'500'000, 1'200'000, 3'500'000, 11'200'000, 23'400'000}));
  auto variant = to_variant(*times.value());
  EXPECT_STREQ(g_variant_get_type_string(variant.get()), "(tttttt)");
  metrics::GCharPtr text(g_variant_print(variant.get(), FALSE));
  EXPECT_STREQ(text.get(), "(5000000, 2500000, 1200000, 3500000, 11200000, 23400000)");
}

TEST(StartupFinished, WithoutInitrdTheKernelRunsUntilUserspace) {
  ManagerTimestamps stamps;
  stamps.userspace = 900'000;
  stamps.finish = 5'900'000;
  auto times = startup_times_from_manager(stamps);
  ASSERT_TRUE(times.ok());
  EXPECT_EQ(*times.value(), (StartupTimes{0, 0, 900'000, 0, 5'000'000, 5'900'000}));
}

TEST(StartupFinished, InAContainerOnlyUserspaceCounts) {
  ManagerTimestamps stamps;
  stamps.userspace = 100;
  stamps.finish = 2'100;
  stamps.in_container = true;
  auto times = startup_times_from_manager(stamps);
  ASSERT_TRUE(times.ok());
  EXPECT_EQ(*times.value(), (StartupTimes{0, 0, 0, 0, 2'000, 2'000}));
}

TEST(StartupFinished, NotFinishedYetMeansWaitForTheSignal) {
  ManagerTimestamps stamps;
  stamps.userspace = 900'000;
  auto times = startup_times_from_manager(stamps);
  ASSERT_TRUE(times.ok());
  EXPECT_FALSE(times.value().has_value());
}

TEST(StartupFinished, OutOfOrderStampsAreRefusedNotWrapped) {
  ManagerTimestamps finish_first;
  finish_first.userspace = 9;
  finish_first.finish = 5;
  ManagerTimestamps firmware_short;
  firmware_short.firmware = 1;
  firmware_short.loader = 2;
  firmware_short.userspace = 3;
  firmware_short.finish = 4;
  ManagerTimestamps initrd_late;
  initrd_late.initrd = 10;
  initrd_late.userspace = 3;
  initrd_late.finish = 40;
  for (const auto& stamps : {finish_first, firmware_short, initrd_late}) {
    auto times = startup_times_from_manager(stamps);
    ASSERT_FALSE(times.ok());
    EXPECT_EQ(times.error().code, metrics::ErrorCode::kStartupTimesInvalid);
  }
}

TEST(StartupFinished, OncePerBoot) {
  EXPECT_FALSE(startup_already_recorded(std::nullopt, "b1"));
  EXPECT_TRUE(startup_already_recorded(std::string("b1"), "b1"));
  EXPECT_FALSE(startup_already_recorded(std::string("b1"), "b2"));
  EXPECT_FALSE(startup_already_recorded(std::string(""), "")) << "unknown boot: record";
}

TEST(StartupFinished, FromTheSignalInItsOrder) {
  metrics::GVariantPtr params = metrics::adopt_variant(g_variant_new(
      "(tttttt)", guint64{1}, guint64{2}, guint64{3}, guint64{4}, guint64{5}, guint64{15}));
  auto times = startup_times_from_signal(params.get());
  ASSERT_TRUE(times.has_value());
  EXPECT_EQ(*times, (StartupTimes{1, 2, 3, 4, 5, 15}));
}

TEST(StartupFinished, ASignalOfAnotherTypeIsNotABoot) {
  metrics::GVariantPtr five = metrics::adopt_variant(
      g_variant_new("(ttttt)", guint64{1}, guint64{2}, guint64{3}, guint64{4}, guint64{5}));
  EXPECT_EQ(startup_times_from_signal(five.get()), std::nullopt);
  EXPECT_EQ(startup_times_from_signal(nullptr), std::nullopt);
}

TEST(StartupFinished, ContainersAreTheContainerVirtualizations) {
  for (const char* container : {"docker", "podman", "systemd-nspawn", "lxc", "wsl"})
    EXPECT_TRUE(is_container_virtualization(container)) << container;
  for (const char* other : {"", "kvm", "qemu", "vmware", "microsoft", "none", "Docker"})
    EXPECT_FALSE(is_container_virtualization(other)) << other;
}
