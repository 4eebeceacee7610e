// SPDX-License-Identifier: GPL-2.0-or-later
// The man page and the bash completion know every command and option of metricsctl's
// tables, so adding one without documenting it fails here.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "cli_args.hpp"
#include "commands.hpp"

namespace metrics::cli {
namespace {

const std::filesystem::path kData =
    std::filesystem::path(METRICS_TEST_FIXTURES_DIR) / ".." / ".." / "daemon" / "cli" / "data";

std::string slurp(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  EXPECT_TRUE(in) << file;
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// The man page writes '-' as "\-".
std::string roff(std::string_view text) {
  std::string out;
  for (char c : text) out += c == '-' ? std::string("\\-") : std::string(1, c);
  return out;
}

TEST(MetricsctlDocs, ManPageDescribesEveryCommandAndOption) {
  const std::string page = slurp(kData / "metricsctl.1");
  for (const Command& c : command_table()) {
    // ".B queue", ".BI set-server-url ...", ".B registry list", ".BR consent ..."
    const bool found = page.find(".B " + std::string(c.name)) != page.npos ||
                       page.find(".BI " + std::string(c.name)) != page.npos ||
                       page.find(".BR " + std::string(c.name)) != page.npos ||
                       page.find(".BI \"" + std::string(c.name)) != page.npos;
    EXPECT_TRUE(found) << c.name;
  }
  for (const OptionSpec& o : option_table())
    EXPECT_NE(page.find(roff("--" + std::string(o.long_name))), page.npos) << o.long_name;
}

TEST(MetricsctlDocs, BashCompletionOffersEveryCommandAndOption) {
  const std::string script = slurp(kData / "metricsctl.bash-completion");
  auto words_of = [&script](const std::string& variable) {
    const std::string start = "local " + variable + "=\"";
    const size_t at = script.find(start);
    EXPECT_NE(at, script.npos) << variable;
    const size_t begin = at + start.size();
    return " " + script.substr(begin, script.find('"', begin) - begin) + " ";
  };
  const std::string commands = words_of("commands");
  for (const Command& c : command_table())
    EXPECT_NE(commands.find(" " + std::string(c.name) + " "), commands.npos) << c.name;
  const std::string options = words_of("options");
  for (const OptionSpec& o : option_table())
    EXPECT_NE(options.find(" --" + std::string(o.long_name) + " "), options.npos) << o.long_name;
  EXPECT_NE(script.find("list show check"), script.npos);
}

}  // namespace
}  // namespace metrics::cli
