// SPDX-License-Identifier: GPL-2.0-or-later
// Chassis names as org.freedesktop.hostname1 spells them, from the firmware's own
// numbers: SMBIOS "System Enclosure Type", ACPI "Preferred PM Profile", device tree
// "chassis-type". Unmapped numbers give nullopt, never a nearest guess.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace metrics::instrumentation {

// SMBIOS 3.x type 3 enclosure type (/sys/class/dmi/id/chassis_type, decimal).
std::optional<std::string> chassis_from_smbios(std::string_view chassis_type);
// ACPI FADT Preferred_PM_Profile (/sys/firmware/acpi/pm_profile).
std::optional<std::string> chassis_from_acpi_profile(std::string_view pm_profile);
// A value hostname1 or the device tree may hold: accepted only if it is one of
// hostname1's documented chassis names.
std::optional<std::string> known_chassis(std::string_view name);

// True when DMI names a hypervisor (QEMU, KVM, VMware, VirtualBox, Hyper-V, Xen, …):
// its chassis number describes the virtual machine's made-up enclosure.
bool is_virtual_machine_vendor(std::string_view sys_vendor, std::string_view product_name);

}  // namespace metrics::instrumentation
