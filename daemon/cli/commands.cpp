// SPDX-License-Identifier: GPL-2.0-or-later
#include "commands.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <iostream>

#include "command_handlers.hpp"
#include "pager.hpp"
#include "polkit_agent.hpp"

namespace metrics::cli {

namespace {

ExitCode run_help(const Arguments& arguments, Context& context);

constexpr std::array kCommands = {
    Command{"status", "", "Show consent, destination, queue and upload state", kOptionJson, 0, 0,
            &run_status},
    Command{"upload", "", "Upload everything queued now and wait for the result",
            kOptionJson | kOptionQuiet, 0, 0, &run_upload},
    Command{"consent", "[grant|decline]", "Show the consent state, or grant or decline",
            kOptionJson, 0, 1, &run_consent},
    Command{"queue", "", "List the events waiting to be sent (yours; root: all)",
            kOptionJson | kOptionRegistryDir, 0, 0, &run_queue},
    Command{"log", "[show ID]", "List the uploads, or show exactly what one sent",
            kOptionJson | kOptionRaw | kOptionLines | kOptionRegistryDir, 0, 2, &run_log},
    Command{"set-aside", "list|show ID|requeue ID|--all",
            "Batches the server refused: list, show one, put back in the queue",
            kOptionJson | kOptionRaw | kOptionAll | kOptionRegistryDir, 1, 2, &run_set_aside},
    Command{"set-server-url", "URL", "Send uploads to URL (may contain ${environment})", 0, 1, 1,
            &run_set_server_url},
    Command{"set-environment", "ENV", "Set the environment: dev, test or production", 0, 1, 1,
            &run_set_environment},
    Command{"registry", "list|show NAME-OR-UUID|check FILE...",
            "The metric registry: list it, show one metric, check registry files",
            kOptionJson | kOptionRegistryDir, 1, SIZE_MAX, &run_registry},
    Command{"help", "[COMMAND]", "Show this help, or what COMMAND does and its options", 0, 0, 1,
            &run_help},
};

std::string option_name(const OptionSpec& spec) {
  return "--" + std::string(spec.long_name);
}

Error usage_error(std::string message) {
  return Error{ErrorCode::kUsage, std::move(message)};
}

// "  left                      right\n"; a left side too long for its column has the right
// side on the next line.
std::string column(std::string left, std::string_view right) {
  constexpr std::size_t kWidth = 26;
  if (left.size() >= kWidth) left += "\n" + std::string(kWidth + 2, ' ');
  left.resize(std::max(left.size(), kWidth), ' ');
  return "  " + left + std::string(right) + "\n";
}

std::string option_left(const OptionSpec& spec) {
  std::string left = spec.short_name != '\0' ? std::string("-") + spec.short_name + " " : "   ";
  left += option_name(spec);
  if (spec.value == OptionValue::kRequired) left += "=" + std::string(spec.value_name);
  if (spec.value == OptionValue::kOptional) left += "[=" + std::string(spec.value_name) + "]";
  return left;
}

std::string command_line(const Command& c) {
  std::string text(c.name);
  if (!c.synopsis.empty()) text += " " + std::string(c.synopsis);
  return text;
}

ExitCode run_help(const Arguments& arguments, Context& context) {
  if (arguments.args.empty()) {
    context.start_pager();
    context.out << usage_text();
    return ExitCode::kSuccess;
  }
  const Command* command = find_command(arguments.args[0]);
  if (!command) {
    context.err << "metricsctl: help: unknown command '" << arguments.args[0]
                << "'\nSee 'metricsctl --help'.\n";
    return ExitCode::kUsage;
  }
  context.start_pager();
  context.out << command_help_text(*command);
  return ExitCode::kSuccess;
}

}  // namespace

std::span<const Command> command_table() {
  return kCommands;
}

const Command* find_command(std::string_view name) {
  for (const Command& c : kCommands)
    if (c.name == name) return &c;
  return nullptr;
}

std::string usage_text() {
  std::string text =
      "metricsctl [OPTIONS...] COMMAND ...\n"
      "\n"
      "Show and control the metrics recorder (com.endlessm.Metrics on the system bus).\n"
      "\n"
      "Commands:\n";
  for (const Command& c : kCommands) text += column(command_line(c), c.summary);
  text += "\nWithout a command, metricsctl shows the status.\n\nOptions:\n";
  for (const OptionSpec& spec : option_table()) {
    std::string help(spec.help);
    if (spec.bit != 0) {
      help += " (";
      bool first = true;
      for (const Command& c : kCommands) {
        if (!(c.options & spec.bit)) continue;
        help += (first ? "" : ", ") + std::string(c.name);
        first = false;
      }
      help += ")";
    }
    text += column(option_left(spec), help);
  }
  text +=
      "\nExit status:\n"
      "  0  success\n"
      "  1  the operation failed (e.g. the upload failed)\n"
      "  2  usage error\n"
      "  3  the recorder is not running or not reachable (or no system bus)\n"
      "  4  not authorised\n"
      "  5  uploading is not permitted by the consent settings\n"
      "  6  no network connection, or only a metered one\n"
      "\nSee 'metricsctl help COMMAND' and the metricsctl(1) manual page.\n";
  return text;
}

std::string command_help_text(const Command& command) {
  std::string text =
      "metricsctl " + command_line(command) + "\n\n" + std::string(command.summary) + ".\n";
  std::string own;
  std::string every;
  for (const OptionSpec& spec : option_table()) {
    if (spec.bit == 0)
      every += (every.empty() ? "" : ", ") + option_name(spec);
    else if (command.options & spec.bit)
      own += column(option_left(spec), spec.help);
  }
  text += own.empty() ? "\nIt takes no options of its own.\n" : "\nOptions:\n" + own;
  text += "\nEvery command also takes " + every + ".\n";
  return text;
}

Result<const Command*> resolve_command(const Arguments& a) {
  const std::string name = a.command.empty() ? std::string(kDefaultCommand) : a.command;
  const Command* command = find_command(name);
  if (!command) return usage_error("unknown command '" + name + "'");
  for (const OptionSpec& spec : option_table())
    if (spec.bit != 0 && (a.options & spec.bit) && !(command->options & spec.bit))
      return usage_error("'" + name + "' does not take " + option_name(spec));
  if (a.args.size() < command->min_args) return usage_error("'" + name + "' needs more arguments");
  if (a.args.size() > command->max_args)
    return usage_error("'" + name + "' does not take the argument '" + a.args[command->max_args] +
                       "'");
  return command;
}

ExitCode run_metricsctl(const std::vector<std::string>& argv, Context& context) {
  Result<Arguments> arguments = parse_arguments(argv);
  if (!arguments) {
    context.err << "metricsctl: " << arguments.error().message << "\nSee 'metricsctl --help'.\n";
    return ExitCode::kUsage;
  }
  // Both end after the command's output: the pager is waited for, the agent stopped.
  Pager pager;
  PolkitAgent agent;
  struct Hooks {
    Context& context;
    ~Hooks() {
      context.pager = nullptr;
      context.polkit_agent = nullptr;
    }
  } hooks{context};
  if (context.out_is_terminal && !arguments->no_pager)
    context.pager = [&pager, &context] { pager.start(context.out); };
  context.polkit_agent = [&agent] { agent.start(); };
  if (arguments->help) {
    context.start_pager();
    context.out << usage_text();
    return ExitCode::kSuccess;
  }
  if (arguments->version) {
    context.out << "metricsctl " << METRICS_VERSION << "\n";
    return ExitCode::kSuccess;
  }
  Result<const Command*> command = resolve_command(*arguments);
  if (!command) {
    context.err << "metricsctl: " << command.error().message << "\nSee 'metricsctl --help'.\n";
    return ExitCode::kUsage;
  }
  return (*command)->run(*arguments, context);
}

}  // namespace metrics::cli
