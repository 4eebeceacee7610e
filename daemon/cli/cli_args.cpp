#include "cli_args.hpp"

#include <array>

namespace metrics::cli {

namespace {

constexpr std::array kOptions = {
    OptionSpec{'h', "help", 0, "Show this help"},
    OptionSpec{'\0', "version", 0, "Show the version"},
    OptionSpec{'\0', "no-pager", 0, "Accepted for compatibility; output is never paged"},
    OptionSpec{'\0', "json", kOptionJson, "Print one JSON object instead of text"},
    OptionSpec{'q', "quiet", kOptionQuiet, "Print neither progress nor the summary"},
    OptionSpec{'\0', "raw", kOptionRaw, "Write the exact uploaded bytes to stdout"},
};

Error usage_error(std::string message) {
  return Error{"usage", std::move(message)};
}

void apply(const OptionSpec& spec, Arguments& out) {
  if (spec.long_name == "help") out.help = true;
  if (spec.long_name == "version") out.version = true;
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
  for (const std::string& word : argv) {
    if (options_ended || word.size() < 2 || word[0] != '-') {
      positional(word);
      continue;
    }
    if (word == "--") {
      options_ended = true;
      continue;
    }
    if (word.starts_with("--")) {
      const std::string_view name = std::string_view(word).substr(2);
      if (name.find('=') != std::string_view::npos)
        return usage_error("option '--" + std::string(name.substr(0, name.find('='))) +
                           "' takes no value");
      const OptionSpec* found = nullptr;
      for (const OptionSpec& spec : kOptions)
        if (spec.long_name == name) found = &spec;
      if (!found) return usage_error("unknown option '" + word + "'");
      apply(*found, out);
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
