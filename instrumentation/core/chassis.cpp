// SPDX-License-Identifier: GPL-2.0-or-later
#include "chassis.hpp"

#include <array>
#include <utility>

#include "text_util.hpp"

namespace metrics::instrumentation {

std::optional<std::string> chassis_from_smbios(std::string_view chassis_type) {
  auto number = parse_unsigned(chassis_type);
  if (!number) return std::nullopt;
  switch (*number) {
    case 3:   // Desktop
    case 4:   // Low Profile Desktop
    case 5:   // Pizza Box
    case 6:   // Mini Tower
    case 7:   // Tower
    case 13:  // All in One
    case 15:  // Space-saving
    case 16:  // Lunch Box
    case 24:  // Sealed-case PC
    case 35:  // Mini PC
    case 36:  // Stick PC
      return "desktop";
    case 8:   // Portable
    case 9:   // Laptop
    case 10:  // Notebook
    case 14:  // Sub Notebook
      return "laptop";
    case 11:  // Hand Held
      return "handset";
    case 17:  // Main Server Chassis
    case 23:  // Rack Mount Chassis
    case 25:  // Multi-system chassis
    case 28:  // Blade
    case 29:  // Blade Enclosure
      return "server";
    case 30:  // Tablet
      return "tablet";
    case 31:  // Convertible
    case 32:  // Detachable
      return "convertible";
    case 33:  // IoT Gateway
    case 34:  // Embedded PC
      return "embedded";
    default:  // 1 Other, 2 Unknown, docking stations, expansion chassis, …
      return std::nullopt;
  }
}

std::optional<std::string> chassis_from_acpi_profile(std::string_view pm_profile) {
  auto number = parse_unsigned(pm_profile);
  if (!number) return std::nullopt;
  switch (*number) {
    case 1:  // Desktop
    case 3:  // Workstation
      return "desktop";
    case 2:  // Mobile
      return "laptop";
    case 4:  // Enterprise Server
    case 5:  // SOHO Server
    case 7:  // Performance Server
      return "server";
    case 8:  // Tablet
      return "tablet";
    default:  // 0 Unspecified, 6 Appliance PC
      return std::nullopt;
  }
}

std::optional<std::string> known_chassis(std::string_view name) {
  static constexpr std::array<std::string_view, 10> kNames{
      "desktop", "laptop", "convertible", "server", "tablet",
      "handset", "watch",  "embedded",    "vm",     "container"};
  std::string_view trimmed = trim(name);
  for (auto known : kNames)
    if (trimmed == known) return std::string(known);
  return std::nullopt;
}

bool is_virtual_machine_vendor(std::string_view sys_vendor, std::string_view product_name) {
  // DMI strings hypervisors put in their virtual firmware (what systemd-detect-virt
  // also looks at); exact or prefix matches only.
  // Not "Google": that is also the vendor of real Chromebooks.
  static constexpr std::array<std::string_view, 10> kVendors{
      "QEMU",      "VMware",     "innotek GmbH",         "Xen",     "Bochs", "BHYVE",
      "Parallels", "Amazon EC2", "Apple Virtualization", "KubeVirt"};
  static constexpr std::array<std::string_view, 6> kProducts{"KVM",
                                                             "VirtualBox",
                                                             "Virtual Machine",
                                                             "OpenStack Compute",
                                                             "OpenStack Nova",
                                                             "Google Compute Engine"};
  auto starts_with = [](std::string_view text, std::string_view prefix) {
    return text.substr(0, prefix.size()) == prefix;
  };
  for (auto vendor : kVendors)
    if (starts_with(sys_vendor, vendor)) return true;
  for (auto product : kProducts)
    if (starts_with(product_name, product)) return true;
  return false;
}

}  // namespace metrics::instrumentation
