// SPDX-License-Identifier: GPL-2.0-or-later
#include "registry_mode.hpp"

namespace metrics::registry {

std::optional<Mode> parse_mode(std::string_view text) {
  for (Mode mode : {Mode::Enforce, Mode::Permissive})
    if (mode_name(mode) == text) return mode;
  return std::nullopt;
}

std::string_view mode_name(Mode mode) {
  switch (mode) {
    case Mode::Enforce:
      return "enforce";
    case Mode::Permissive:
      return "permissive";
  }
  return "enforce";
}

Verdict decide(Mode mode, const Result<void>& check) {
  if (check) return Verdict{true, std::nullopt};
  return Verdict{mode == Mode::Permissive, check.error()};
}

}  // namespace metrics::registry
