// SPDX-License-Identifier: GPL-2.0-or-later
#include "cli_args.hpp"

#include <array>
#include <optional>

namespace metrics::cli {

namespace {

constexpr std::array kOptions = {
    OptionSpec{'h', "help", 0, "Show this help"},
    OptionSpec{'\0', "version", 0, "Show the version"},
    OptionSpec{'\0', "no-pager", 0, "Accepted for compatibility; output is never paged"},
    OptionSpec{'\0', "json", kOptionJson, "Print one JSON object instead of text"},
    OptionSpec{'q', "quiet", kOptionQuiet, "Print neither progress nor the summary"},
    OptionSpec{'\0', "raw", kOptionRaw, "Write the exact uploaded bytes to stdout"},
    OptionSpec{'\0', "all", kOptionAll, "Re-queue every set-aside batch"},
    OptionSpec{'\0', "registry-dir", kOptionRegistryDir,
               "Read the metric registry from DIR instead of the installed one", "DIR"},
};

Error usage_error(std::string message) {
  return Error{"usage", std::move(message)};
}

void apply(const OptionSpec& spec, Arguments& out, std::string value = {}) {
  if (spec.long_name == "help") out.help = true;
  if (spec.long_name == "version") out.version = true;
  if (spec.long_name == "registry-dir") out.registry_dir = std::move(value);
  out.options |= spec.bit;
}

}  // namespace

std::span<const OptionSpec> option_table() {
  return kOptions;
}

Result<Arguments> parse_arguments(const std::vector<std::string>& argv) {
  Arguments out;
  bool options_ended = false;
  auto positional = [&out](const std::string& word) {
    if (out.command.empty())
      out.command = word;
    else
      out.args.push_back(word);
  };
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& word = argv[i];
    if (options_ended || word.size() < 2 || word[0] != '-') {
      positional(word);
      continue;
    }
    if (word == "--") {
      options_ended = true;
      continue;
    }
    if (word.starts_with("--")) {
      std::string_view name = std::string_view(word).substr(2);
      std::optional<std::string> value;
      if (const size_t eq = name.find('='); eq != std::string_view::npos) {
        value = std::string(name.substr(eq + 1));
        name = name.substr(0, eq);
      }
      const OptionSpec* found = nullptr;
      for (const OptionSpec& spec : kOptions)
        if (spec.long_name == name) found = &spec;
      if (!found) return usage_error("unknown option '--" + std::string(name) + "'");
      if (found->value_name.empty()) {
        if (value) return usage_error("option '--" + std::string(name) + "' takes no value");
        apply(*found, out);
        continue;
      }
      if (!value) {
        if (i + 1 == argv.size())
          return usage_error("option '--" + std::string(name) + "' needs a value (" +
                             std::string(found->value_name) + ")");
        value = argv[++i];
      }
      if (value->empty())
        return usage_error("option '--" + std::string(name) + "' needs a non-empty value");
      apply(*found, out, std::move(*value));
      continue;
    }
    for (const char c : std::string_view(word).substr(1)) {
      const OptionSpec* found = nullptr;
      for (const OptionSpec& spec : kOptions)
        if (spec.short_name != '\0' && spec.short_name == c) found = &spec;
      if (!found) return usage_error(std::string("unknown option '-") + c + "'");
      apply(*found, out);
    }
  }
  return out;
}

}  // namespace metrics::cli
