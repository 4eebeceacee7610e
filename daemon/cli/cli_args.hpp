// SPDX-License-Identifier: GPL-2.0-or-later
// Command-line parsing for metricsctl: global options, the command word and its arguments.
#pragma once

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
};

struct OptionSpec {
  char short_name;  // '\0' when there is none
  std::string_view long_name;
  unsigned bit;  // 0 for global options (help, version, no-pager)
  std::string_view help;
  std::string_view value_name = {};  // "DIR" for an option that takes a value; "" otherwise
};

// Every option metricsctl knows, in the order --help lists them.
std::span<const OptionSpec> option_table();

struct Arguments {
  bool help = false;
  bool version = false;
  unsigned options = 0;           // OptionBit values given
  std::string registry_dir;       // --registry-dir's value
  std::string command;            // "" when none was given
  std::vector<std::string> args;  // the words after the command
};

// Options may appear anywhere (as with systemctl); "--" ends them. Short options may be
// bundled ("-qh"). An option with a value takes it as "--name=VALUE" or "--name VALUE". Errors have
// code "usage" and a message naming the offending word.
Result<Arguments> parse_arguments(const std::vector<std::string>& argv);

}  // namespace metrics::cli
