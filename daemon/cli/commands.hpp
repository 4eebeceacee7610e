// SPDX-License-Identifier: GPL-2.0-or-later
// The command table of metricsctl and the dispatcher: one entry per command, so a new
// command (consent, queue, log, set-server-url, ...) is one row and one handler.
#pragma once

#include <functional>
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
  bool out_is_terminal = false;
  // Set by run_metricsctl. A command calls start_pager() before output that may be long
  // (nothing happens unless stdout is a terminal and --no-pager was not given), and
  // start_polkit_agent() before a call polkit may ask a password for.
  std::function<void()> pager;
  std::function<void()> polkit_agent;

  void start_pager() const {
    if (pager) pager();
  }
  void start_polkit_agent() const {
    if (polkit_agent) polkit_agent();
  }
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

// The --help text (and `metricsctl help`): commands, options and exit codes.
std::string usage_text();
// `metricsctl help COMMAND`: its synopsis, what it does and the options it takes.
std::string command_help_text(const Command& command);

// The command to run, or a usage error (unknown command, option it does not take, wrong
// number of arguments).
Result<const Command*> resolve_command(const Arguments& arguments);

// The whole program: argv without argv[0].
ExitCode run_metricsctl(const std::vector<std::string>& argv, Context& context);

}  // namespace metrics::cli
