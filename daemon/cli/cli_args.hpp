// SPDX-License-Identifier: GPL-2.0-or-later
// Command-line parsing for metricsctl: global options, the command word and its arguments.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "result.hpp"

namespace metrics::cli {

// Options a command may accept; each command lists the ones it understands.
enum OptionBit : unsigned {
  kOptionJson = 1u << 0,
  kOptionQuiet = 1u << 1,
  kOptionRaw = 1u << 2,
  kOptionRegistryDir = 1u << 3,
  kOptionAll = 1u << 4,
  kOptionLines = 1u << 5,
};

// What an option does with a value.
enum class OptionValue {
  kNone,      // --quiet
  kRequired,  // --registry-dir=DIR, --registry-dir DIR, -n 5, -n5
  kOptional,  // --json or --json=pretty: a value only after '=' (a next word is never taken)
};

struct OptionSpec {
  char short_name;  // '\0' when there is none
  std::string_view long_name;
  unsigned bit;  // 0 for global options (help, version, no-pager)
  std::string_view help;
  std::string_view value_name = {};  // "DIR", "MODE", "N"; "" for an option without a value
  OptionValue value = OptionValue::kNone;
};

// Every option metricsctl knows, in the order --help lists them.
std::span<const OptionSpec> option_table();

// How --json prints: one line (plain --json, --json=short) or indented (--json=pretty).
enum class JsonMode { kShort, kPretty };

struct Arguments {
  bool help = false;
  bool version = false;
  bool no_pager = false;
  unsigned options = 0;  // OptionBit values given
  JsonMode json_mode = JsonMode::kShort;
  std::string registry_dir;       // --registry-dir's value
  std::uint32_t lines = 0;        // -n/--lines' value
  std::string command;            // "" when none was given
  std::vector<std::string> args;  // the words after the command
};

// Options may appear anywhere (as with systemctl); "--" ends them. Short options may be
// bundled ("-qh"); a short option with a value takes the rest of its word or the next
// word ("-n5", "-n 5"). A long option with a required value takes it as "--name=VALUE" or
// "--name VALUE"; one with an optional value only as "--name=VALUE". Errors have code
// "usage" and a message naming the offending word.
Result<Arguments> parse_arguments(const std::vector<std::string>& argv);

}  // namespace metrics::cli
