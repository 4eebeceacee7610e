// SPDX-License-Identifier: GPL-2.0-or-later
#include "collectors/hardware_model.hpp"

#include <gtest/gtest.h>

#include "chassis.hpp"
#include "fixture_paths.hpp"

using namespace metrics::instrumentation;
using metrics::instrumentation::testing::fixture;

namespace {

HardwareModel collect(const std::string& name,
                      const std::optional<Hostname1Values>& hostname1 = std::nullopt) {
  return collect_hardware_model(SourceTree(fixture("dmi/" + name)), hostname1).value;
}

std::string payload(const HardwareModel& model) {
  auto variant = to_variant(model);
  EXPECT_STREQ(g_variant_get_type_string(variant.get()), "(sss)");
  metrics::GCharPtr text(g_variant_print(variant.get(), FALSE));
  return text.get();
}

}  // namespace

TEST(HardwareModel, LenovoLaptopUsesProductVersion) {
  EXPECT_EQ(payload(collect("lenovo-laptop")), "('LENOVO', 'ThinkPad X1 Carbon Gen 9', 'laptop')");
}

TEST(HardwareModel, DellDesktop) {
  EXPECT_EQ(payload(collect("dell-desktop")), "('Dell Inc.', 'OptiPlex 7090', 'desktop')");
}

TEST(HardwareModel, QemuVmIsAVmWhateverItsChassisNumberSays) {
  EXPECT_EQ(payload(collect("qemu-vm")), "('QEMU', 'Standard PC (Q35 + ICH9, 2009)', 'vm')");
}

TEST(HardwareModel, ArmBoardUsesTheDeviceTreeModel) {
  // No DMI: the model comes from the device tree (NUL-terminated); the vendor is not
  // derived from the "compatible" prefix, that would be a guess at a company name.
  EXPECT_EQ(payload(collect("arm-board")),
            "('unknown', 'Raspberry Pi 4 Model B Rev 1.4', 'unknown')");
}

TEST(HardwareModel, ArmLaptopUsesTheDeviceTreeChassisType) {
  EXPECT_EQ(payload(collect("arm-laptop")), "('unknown', 'Pine64 Pinebook Pro', 'laptop')");
}

TEST(HardwareModel, SelfBuiltDesktopSkipsFirmwarePlaceholders) {
  EXPECT_EQ(payload(collect("custom-desktop")),
            "('ASUSTeK COMPUTER INC.', 'PRIME B450M-A', 'desktop')");
}

TEST(HardwareModel, MissingDmiIsUnknownWithWarnings) {
  auto reading = collect_hardware_model(SourceTree(fixture("dmi/missing")), std::nullopt);
  EXPECT_EQ(payload(reading.value), "('unknown', 'unknown', 'unknown')");
  EXPECT_EQ(reading.warnings.size(), 3u);
}

TEST(HardwareModel, Hostname1WinsOverDmi) {
  Hostname1Values hostname1{"Lenovo", "ThinkPad X1 Carbon Gen 9 (hostname1)", "convertible"};
  EXPECT_EQ(payload(collect("lenovo-laptop", hostname1)),
            "('Lenovo', 'ThinkPad X1 Carbon Gen 9 (hostname1)', 'convertible')");
}

TEST(HardwareModel, EmptyOrUnknownHostname1FieldsFallBackPerField) {
  // hostname1 left HardwareVendor empty and has a chassis name it does not document.
  Hostname1Values hostname1{"", "OptiPlex 7090 Tower", "spaceship"};
  EXPECT_EQ(payload(collect("dell-desktop", hostname1)),
            "('Dell Inc.', 'OptiPlex 7090 Tower', 'desktop')");
  // hostname1 says vm on a machine whose DMI looks like a desktop: hostname1 wins.
  EXPECT_EQ(collect("dell-desktop", Hostname1Values{"", "", "vm"}).chassis, "vm");
}

TEST(HardwareModel, Hostname1AloneIsEnoughWithoutDmi) {
  EXPECT_EQ(payload(collect("missing", Hostname1Values{"Framework", "Laptop 13", "laptop"})),
            "('Framework', 'Laptop 13', 'laptop')");
}

TEST(HardwareModel, Placeholders) {
  for (const char* filler :
       {"To Be Filled By O.E.M.", "to be filled by o.e.m.", "Default string", "System manufacturer",
        "Not Specified", "None", "0000000", "  ", "xxxx", ""})
    EXPECT_TRUE(is_placeholder(filler)) << filler;
  for (const char* name : {"LENOVO", "Dell Inc.", "HP", "X1", "OptiPlex 7090", "QEMU"})
    EXPECT_FALSE(is_placeholder(name)) << name;
}

TEST(Chassis, SmbiosNumbersMapOnlyWhereTheSpecIsClear) {
  EXPECT_EQ(chassis_from_smbios("3"), "desktop");
  EXPECT_EQ(chassis_from_smbios("10\n"), "laptop");
  EXPECT_EQ(chassis_from_smbios("9"), "laptop");
  EXPECT_EQ(chassis_from_smbios("31"), "convertible");
  EXPECT_EQ(chassis_from_smbios("32"), "convertible");
  EXPECT_EQ(chassis_from_smbios("30"), "tablet");
  EXPECT_EQ(chassis_from_smbios("23"), "server");
  EXPECT_EQ(chassis_from_smbios("35"), "desktop");
  EXPECT_EQ(chassis_from_smbios("1"), std::nullopt) << "Other";
  EXPECT_EQ(chassis_from_smbios("2"), std::nullopt) << "Unknown";
  EXPECT_EQ(chassis_from_smbios("12"), std::nullopt) << "Docking station";
  EXPECT_EQ(chassis_from_smbios("99"), std::nullopt);
  EXPECT_EQ(chassis_from_smbios("laptop"), std::nullopt);
  EXPECT_EQ(chassis_from_acpi_profile("2"), "laptop");
  EXPECT_EQ(chassis_from_acpi_profile("0"), std::nullopt);
  EXPECT_EQ(known_chassis("vm"), "vm");
  EXPECT_EQ(known_chassis("Laptop"), std::nullopt);
}

TEST(Chassis, VirtualMachineVendorsButNotChromebooks) {
  EXPECT_TRUE(is_virtual_machine_vendor("QEMU", "Standard PC (i440FX + PIIX, 1996)"));
  EXPECT_TRUE(is_virtual_machine_vendor("VMware, Inc.", "VMware Virtual Platform"));
  EXPECT_TRUE(is_virtual_machine_vendor("innotek GmbH", "VirtualBox"));
  EXPECT_TRUE(is_virtual_machine_vendor("Microsoft Corporation", "Virtual Machine"));
  EXPECT_TRUE(is_virtual_machine_vendor("Red Hat", "KVM"));
  EXPECT_FALSE(is_virtual_machine_vendor("Google", "Eve"));
  EXPECT_FALSE(is_virtual_machine_vendor("Microsoft Corporation", "Surface Laptop 4"));
  EXPECT_FALSE(is_virtual_machine_vendor("", ""));
}
