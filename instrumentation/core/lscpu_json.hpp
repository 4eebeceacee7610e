// SPDX-License-Identifier: GPL-2.0-or-later
// `lscpu --json` output → the CPU part of the hardware-info payload, a(sqds).
//
// Both shapes util-linux produces are read: the flat list of {"field","data"} objects
// and the hierarchic one where entries carry "children". Entries are taken in document
// order; each "Model name:" starts a group of cores (two on an ARM big.LITTLE board),
// and "CPU max MHz:" (else "CPU MHz:") and "Flags:" belong to the group they follow,
// or to the first group when they come before any model name (older lscpu).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "reading.hpp"

namespace metrics::instrumentation {

struct CpuGroup {
  std::string model;   // "" if unknown
  uint16_t count = 0;  // logical CPUs; 0 if unknown
  double max_mhz = 0;  // 0 if unknown
  std::string flags;   // "" if unknown
  bool operator==(const CpuGroup&) const = default;
};

// Never empty: output that is not lscpu JSON gives the catalog's fallback
// {('', 0, 0.0, '')}, and each field that is missing or unparsable its own fallback.
Reading<std::vector<CpuGroup>> parse_lscpu_json(std::string_view json_text);

}  // namespace metrics::instrumentation
