// SPDX-License-Identifier: GPL-2.0-or-later
// The command table of metricsctl and the dispatcher: one entry per command, so a new
// command (consent, queue, log, set-server-url, ...) is one row and one handler.
#pragma once

#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cli_args.hpp"
#include "errors.hpp"

namespace metrics::cli {

// Where a command writes, and whether a person is watching.
struct Context {
  std::ostream& out;
  std::ostream& err;
  bool err_is_terminal = false;
};

using Handler = ExitCode (*)(const Arguments& arguments, Context& context);

struct Command {
  std::string_view name;
  std::string_view synopsis;  // its arguments, for --help ("" when none)
  std::string_view summary;
  unsigned options;  // OptionBit values it accepts
  std::size_t min_args;
  std::size_t max_args;
  Handler run;
};

// What runs when no command is given (as `hostnamectl` shows its status).
inline constexpr std::string_view kDefaultCommand = "status";

std::span<const Command> command_table();
const Command* find_command(std::string_view name);

// The --help text: commands, options and exit codes.
std::string usage_text();

// The command to run, or a usage error (unknown command, option it does not take, wrong
// number of arguments).
Result<const Command*> resolve_command(const Arguments& arguments);

// The whole program: argv without argv[0].
ExitCode run_metricsctl(const std::vector<std::string>& argv, Context& context);

}  // namespace metrics::cli
