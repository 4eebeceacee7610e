// SPDX-License-Identifier: GPL-2.0-or-later
// What the recorder does with an event the registry does not allow: refuse it (enforce,
// the default of an installed system) or store it anyway with a warning (permissive, for
// developing a new metric before its registry entry is installed).
#pragma once

#include <optional>
#include <string_view>

#include "result.hpp"

namespace metrics::registry {

enum class Mode { Enforce, Permissive };

// "enforce" or "permissive" (recorder.conf [Recorder] RegistryMode); nullopt otherwise.
std::optional<Mode> parse_mode(std::string_view text);
std::string_view mode_name(Mode mode);

struct Verdict {
  bool store = true;
  // What Registry::check found. With store == false it is the refusal to reply with;
  // with store == true (permissive) it is the warning to log and count.
  std::optional<Error> problem;
};

Verdict decide(Mode mode, const Result<void>& check);

}  // namespace metrics::registry
