// SPDX-License-Identifier: GPL-2.0-or-later
// Typed reads from a GetAll reply: a property that is missing or of another type is
// "not known" (nullopt), never a crash or a made-up value.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bus_call.hpp"

namespace metrics::instrumentation {

std::optional<uint64_t> uint64_property(const PropertyMap& properties, const std::string& name);
std::optional<std::string> string_property(const PropertyMap& properties, const std::string& name);
std::optional<std::vector<std::string>> strv_property(const PropertyMap& properties,
                                                      const std::string& name);

}  // namespace metrics::instrumentation
