// SPDX-License-Identifier: GPL-2.0-or-later
#include "collectors/hardware_model.hpp"

#include <array>
#include <string_view>

#include "chassis.hpp"
#include "text_util.hpp"

namespace metrics::instrumentation {

namespace {

constexpr std::string_view kDmi = "/sys/class/dmi/id/";
constexpr std::string_view kDeviceTree = "/sys/firmware/devicetree/base/";

// A name fit for the payload: printable, not filler.
std::optional<std::string> usable(const std::optional<std::string>& raw) {
  if (!raw) return std::nullopt;
  auto text = printable_text(*raw, 128);
  if (!text || is_placeholder(*text)) return std::nullopt;
  return text;
}

std::optional<std::string> dmi(const SourceTree& tree, std::string_view name) {
  return tree.read_value(std::string(kDmi) + std::string(name));
}

}  // namespace

bool is_placeholder(std::string_view value) {
  static constexpr std::array<std::string_view, 22> kFiller{"To Be Filled By O.E.M.",
                                                            "To be filled by O.E.M.",
                                                            "Default string",
                                                            "Default String",
                                                            "System manufacturer",
                                                            "System Manufacturer",
                                                            "System Product Name",
                                                            "System Version",
                                                            "System Name",
                                                            "Not Applicable",
                                                            "Not Specified",
                                                            "Not Available",
                                                            "None",
                                                            "O.E.M.",
                                                            "OEM",
                                                            "Unknown",
                                                            "INVALID",
                                                            "Type1ProductConfigId",
                                                            "All Series",
                                                            "0123456789",
                                                            "123456789",
                                                            "Product Name"};
  std::string_view trimmed = trim(value);
  if (trimmed.empty()) return true;
  for (auto filler : kFiller)
    if (equals_ignoring_case(trimmed, filler)) return true;
  // Strings of one repeated character ("0000000", "xxxx", "........").
  return trimmed.find_first_not_of(trimmed.front()) == std::string_view::npos && trimmed.size() > 2;
}

Reading<HardwareModel> collect_hardware_model(const SourceTree& tree,
                                              const std::optional<Hostname1Values>& hostname1) {
  Reading<HardwareModel> reading;
  auto& out = reading.value;

  const auto sys_vendor = usable(dmi(tree, "sys_vendor"));
  const auto product_name = usable(dmi(tree, "product_name"));

  // ---- vendor
  std::optional<std::string> vendor;
  if (hostname1) vendor = usable(hostname1->vendor);
  if (!vendor) vendor = sys_vendor;
  // A self-built desktop names its mainboard only.
  if (!vendor) vendor = usable(dmi(tree, "board_vendor"));

  // ---- model
  std::optional<std::string> model;
  if (hostname1) model = usable(hostname1->model);
  // Lenovo puts the machine-type number in product_name and the marketing name
  // ("ThinkPad X1 Carbon Gen 9") in product_version.
  if (!model && sys_vendor && equals_ignoring_case(*sys_vendor, "LENOVO"))
    model = usable(dmi(tree, "product_version"));
  if (!model) model = product_name;
  if (!model) model = usable(dmi(tree, "board_name"));
  if (!model) model = usable(tree.read_value(std::string(kDeviceTree) + "model"));

  // ---- chassis
  std::optional<std::string> chassis;
  if (hostname1) chassis = known_chassis(hostname1->chassis);
  if (!chassis && is_virtual_machine_vendor(sys_vendor.value_or(""), product_name.value_or("")))
    chassis = "vm";
  if (!chassis) {
    auto type = dmi(tree, "chassis_type");
    if (type) chassis = chassis_from_smbios(*type);
  }
  if (!chassis) {
    auto profile = tree.read_value("/sys/firmware/acpi/pm_profile");
    if (profile) chassis = chassis_from_acpi_profile(*profile);
  }
  if (!chassis) {
    auto dt_chassis = tree.read_value(std::string(kDeviceTree) + "chassis-type");
    if (dt_chassis) chassis = known_chassis(*dt_chassis);
  }

  if (vendor) out.vendor = *vendor;
  if (model) out.model = *model;
  if (chassis) out.chassis = *chassis;
  for (auto [value, name] :
       {std::pair{vendor.has_value(), "vendor"}, std::pair{model.has_value(), "model"},
        std::pair{chassis.has_value(), "chassis"}})
    if (!value)
      reading.warnings.push_back(std::string("hardware model: no usable ") + name +
                                 " from hostname1, DMI or the device tree; sending unknown");
  return reading;
}

GVariantPtr to_variant(const HardwareModel& model) {
  return adopt_variant(
      g_variant_new("(sss)", model.vendor.c_str(), model.model.c_str(), model.chassis.c_str()));
}

}  // namespace metrics::instrumentation
