// SPDX-License-Identifier: GPL-2.0-or-later
// Hardware model (459fd042-…, "(sss)"): vendor, model, chassis.
//
// Per field, the first usable source wins: hostname1 (passed in by the daemon), then
// DMI under /sys/class/dmi/id, then the device tree on ARM boards. Only the named
// files below are ever opened; serial numbers and UUIDs are never read.
#pragma once

#include <optional>
#include <string>

#include "glib_handles.hpp"
#include "reading.hpp"
#include "source_tree.hpp"

namespace metrics::instrumentation {

struct HardwareModel {
  std::string vendor = "unknown";
  std::string model = "unknown";
  std::string chassis = "unknown";  // hostname1's names: laptop, desktop, vm, …
  bool operator==(const HardwareModel&) const = default;
};

// org.freedesktop.hostname1's HardwareVendor, HardwareModel and Chassis; "" where the
// service left a property empty.
struct Hostname1Values {
  std::string vendor;
  std::string model;
  std::string chassis;
};

Reading<HardwareModel> collect_hardware_model(const SourceTree& tree,
                                              const std::optional<Hostname1Values>& hostname1);

// Firmware filler text ("To Be Filled By O.E.M.", "System Product Name", …) that
// names nothing.
bool is_placeholder(std::string_view value);

GVariantPtr to_variant(const HardwareModel& model);

}  // namespace metrics::instrumentation
