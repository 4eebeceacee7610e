// SPDX-License-Identifier: GPL-2.0-or-later
#include "cli_args.hpp"

#include <array>
#include <charconv>
#include <optional>

namespace metrics::cli {

namespace {

constexpr std::array kOptions = {
    OptionSpec{'h', "help", 0, "Show this help"},
    OptionSpec{'\0', "version", 0, "Show the version"},
    OptionSpec{'\0', "no-pager", 0, "Do not pipe the output into a pager"},
    OptionSpec{'\0', "json", kOptionJson,
               "Print JSON instead of text, on one line or indented (pretty)", "pretty|short",
               OptionValue::kOptional},
    OptionSpec{'q', "quiet", kOptionQuiet, "Print neither progress nor the summary"},
    OptionSpec{'\0', "raw", kOptionRaw, "Write the exact uploaded bytes to stdout"},
    OptionSpec{'\0', "all", kOptionAll, "Re-queue every set-aside batch"},
    OptionSpec{'n', "lines", kOptionLines, "Show the N newest uploads only", "N",
               OptionValue::kRequired},
    OptionSpec{'\0', "registry-dir", kOptionRegistryDir,
               "Read the metric registry from DIR instead of the installed one", "DIR",
               OptionValue::kRequired},
};

Error usage_error(std::string message) {
  return Error{ErrorCode::kUsage, std::move(message)};
}

std::string shown_name(const OptionSpec& spec, bool as_short) {
  return as_short ? std::string("-") + spec.short_name : "--" + std::string(spec.long_name);
}

Result<void> apply(const OptionSpec& spec, Arguments& out, bool as_short,
                   std::optional<std::string> value = std::nullopt) {
  if (spec.long_name == "help") out.help = true;
  if (spec.long_name == "version") out.version = true;
  if (spec.long_name == "no-pager") out.no_pager = true;
  if (spec.long_name == "registry-dir") out.registry_dir = value.value_or("");
  if (spec.long_name == "json") {
    if (!value || *value == "short") {
      out.json_mode = JsonMode::kShort;
    } else if (*value == "pretty") {
      out.json_mode = JsonMode::kPretty;
    } else {
      return usage_error("option '--json' takes pretty or short, not '" + *value + "'");
    }
  }
  if (spec.long_name == "lines") {
    const std::string& text = *value;
    std::uint32_t n = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc() || end != text.data() + text.size() || n == 0)
      return usage_error("option '" + shown_name(spec, as_short) +
                         "' takes a number of entries (1 or more), not '" + text + "'");
    out.lines = n;
  }
  out.options |= spec.bit;
  return Ok();
}

const OptionSpec* find_long(std::string_view name) {
  for (const OptionSpec& spec : kOptions)
    if (spec.long_name == name) return &spec;
  return nullptr;
}

const OptionSpec* find_short(char c) {
  for (const OptionSpec& spec : kOptions)
    if (spec.short_name != '\0' && spec.short_name == c) return &spec;
  return nullptr;
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
      const OptionSpec* found = find_long(name);
      if (!found) return usage_error("unknown option '--" + std::string(name) + "'");
      if (found->value == OptionValue::kNone && value)
        return usage_error("option '--" + std::string(name) + "' takes no value");
      if (found->value == OptionValue::kRequired) {
        if (!value) {
          if (i + 1 == argv.size())
            return usage_error("option '--" + std::string(name) + "' needs a value (" +
                               std::string(found->value_name) + ")");
          value = argv[++i];
        }
        if (value->empty())
          return usage_error("option '--" + std::string(name) + "' needs a non-empty value");
      }
      if (auto applied = apply(*found, out, false, std::move(value)); !applied)
        return applied.error();
      continue;
    }
    const std::string_view letters = std::string_view(word).substr(1);
    for (size_t at = 0; at < letters.size(); ++at) {
      const OptionSpec* found = find_short(letters[at]);
      if (!found) return usage_error(std::string("unknown option '-") + letters[at] + "'");
      if (found->value != OptionValue::kRequired) {
        if (auto applied = apply(*found, out, true); !applied) return applied.error();
        continue;
      }
      // The rest of the word is the value ("-n5"), or else the next word ("-n 5").
      std::string value(letters.substr(at + 1));
      if (value.empty()) {
        if (i + 1 == argv.size())
          return usage_error(std::string("option '-") + letters[at] + "' needs a value (" +
                             std::string(found->value_name) + ")");
        value = argv[++i];
      }
      if (auto applied = apply(*found, out, true, std::move(value)); !applied)
        return applied.error();
      break;
    }
  }
  return out;
}

}  // namespace metrics::cli
