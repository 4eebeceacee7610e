// SPDX-License-Identifier: GPL-2.0-or-later
// The man page and the bash completion know every command and option of metricsctl's
// tables, so adding one without documenting it fails here.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "cli_args.hpp"
#include "commands.hpp"

namespace metrics::cli {
namespace {

const std::filesystem::path kData =
    std::filesystem::path(METRICS_TEST_FIXTURES_DIR) / ".." / ".." / "daemon" / "cli" / "data";

std::string slurp(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  EXPECT_TRUE(in) << file;
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
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
    const std::string name(c.name);
    const bool found =
        page.find(".B " + name) != page.npos || page.find(".BI " + name) != page.npos ||
        page.find(".BR " + name) != page.npos || page.find(".BI \"" + name) != page.npos ||
        page.find(".TP\n\\fB" + name + "\\fR") != page.npos;
    EXPECT_TRUE(found) << c.name;
  }
  for (const OptionSpec& o : option_table())
    EXPECT_NE(page.find(roff("--" + std::string(o.long_name))), page.npos) << o.long_name;
}

// The words of `local NAME="..."` in the completion script, or of `[KEY]="..."` in its
// associative array of each command's options.
std::vector<std::string> quoted_after(const std::string& script, const std::string& start) {
  const size_t at = script.find(start);
  EXPECT_NE(at, script.npos) << start;
  if (at == script.npos) return {};
  const size_t begin = at + start.size();
  std::istringstream words(script.substr(begin, script.find('"', begin) - begin));
  return {std::istream_iterator<std::string>(words), std::istream_iterator<std::string>()};
}

TEST(MetricsctlDocs, BashCompletionOffersEveryCommandAndOnlyItsOptions) {
  const std::string script = slurp(kData / "metricsctl.bash-completion");
  const std::vector<std::string> commands = quoted_after(script, "local commands=\"");
  std::vector<std::string> names;
  for (const Command& c : command_table()) names.emplace_back(c.name);
  EXPECT_EQ(commands, names);
  std::vector<std::string> global;
  for (const OptionSpec& o : option_table())
    if (o.bit == 0) global.push_back("--" + std::string(o.long_name));
  EXPECT_EQ(quoted_after(script, "local global_options=\""), global);
  for (const Command& c : command_table()) {
    std::vector<std::string> own;
    for (const OptionSpec& o : option_table())
      if (o.bit != 0 && (c.options & o.bit)) own.push_back("--" + std::string(o.long_name));
    EXPECT_EQ(quoted_after(script, "[" + std::string(c.name) + "]=\""), own) << c.name;
  }
  EXPECT_NE(script.find("list show check"), script.npos);
}

}  // namespace
}  // namespace metrics::cli
