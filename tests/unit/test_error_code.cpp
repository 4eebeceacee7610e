// SPDX-License-Identifier: GPL-2.0-or-later
// The error code table (common/base/error_code.cpp) against itself and against the list of
// D-Bus errors in docs/recorder.md: a code the recorder sends must be documented, and every
// documented name must be one the table has.
#include "error_code.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>

namespace metrics {
namespace {

const std::filesystem::path kRecorderDoc =
    std::filesystem::path(METRICS_TEST_FIXTURES_DIR) / ".." / ".." / "docs" / "recorder.md";

std::string slurp(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  EXPECT_TRUE(in) << file;
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The names in the first column of the table under "## Errors": "| `name` | when |".
std::set<std::string> documented_error_names() {
  const std::string doc = slurp(kRecorderDoc);
  const size_t section = doc.find("\n## Errors\n");
  EXPECT_NE(section, std::string::npos) << "no '## Errors' section in " << kRecorderDoc;
  if (section == std::string::npos) return {};
  const size_t end = doc.find("\n## ", section + 1);
  const std::string text = doc.substr(section, end == std::string::npos ? end : end - section);
  std::set<std::string> names;
  // The first table of the section lists full names; the second only refers to them.
  size_t at = text.find("\n| error | when |");
  EXPECT_NE(at, std::string::npos);
  if (at == std::string::npos) return {};
  for (at = text.find('\n', at + 1); at != std::string::npos; at = text.find('\n', at + 1)) {
    const std::string_view line = std::string_view(text).substr(at + 1);
    if (!line.starts_with("|")) break;
    if (!line.starts_with("| `")) continue;  // the |---| row
    const size_t close = line.find('`', 3);
    names.emplace(line.substr(3, close - 3));
  }
  return names;
}

TEST(ErrorCode, TableIsInEnumOrderWithConsistentNames) {
  std::set<std::string_view> names;
  std::set<std::string_view> dbus_names;
  for (size_t i = 0; i < error_codes().size(); ++i) {
    const ErrorCodeInfo& info = error_codes()[i];
    EXPECT_EQ(static_cast<size_t>(info.code), i) << info.name;
    EXPECT_EQ(&error_code_info(info.code), &info);
    EXPECT_TRUE(names.insert(info.name).second) << "two rows named " << info.name;
    EXPECT_FALSE(info.when.empty()) << info.name;
    if (info.code == ErrorCode::kForeign) continue;
    EXPECT_TRUE(dbus_names.insert(info.dbus_name).second) << info.dbus_name;
    // Ours under com.endlessm.Metrics.Error., the standard ones under theirs, same suffix.
    EXPECT_TRUE(info.dbus_name == "com.endlessm.Metrics.Error." + std::string(info.name) ||
                info.dbus_name == "org.freedesktop.DBus.Error." + std::string(info.name))
        << info.dbus_name;
    EXPECT_EQ(error_code_from_name(info.name), info.code);
    EXPECT_EQ(error_code_from_dbus_name(info.dbus_name), info.code);
  }
  EXPECT_EQ(error_code_from_name("Foreign"), std::nullopt);
  EXPECT_EQ(error_code_from_name("NoSuchCode"), std::nullopt);
  EXPECT_EQ(error_code_from_dbus_name("com.endlessm.Metrics.Error.NoSuchCode"), std::nullopt);
  EXPECT_EQ(error_code_from_dbus_name("com.endlessm.Metrics.Error.AccessDenied"), std::nullopt)
      << "AccessDenied is the standard org.freedesktop name only";
}

TEST(ErrorCode, StandardNamesWhereTheSpecAsksForThem) {
  EXPECT_EQ(error_dbus_name(ErrorCode::kAccessDenied), "org.freedesktop.DBus.Error.AccessDenied");
  EXPECT_EQ(error_dbus_name(ErrorCode::kAuthFailed), "org.freedesktop.DBus.Error.AuthFailed");
  EXPECT_EQ(error_dbus_name(ErrorCode::kUnknownMethod), "org.freedesktop.DBus.Error.UnknownMethod");
  EXPECT_EQ(error_dbus_name(ErrorCode::kInvalidEventId),
            "com.endlessm.Metrics.Error.InvalidEventId");
  EXPECT_EQ(error_code_name(ErrorCode::kUsage), "usage");
}

TEST(ErrorCode, EveryDocumentedNameIsInTheTableAndEveryContractCodeIsDocumented) {
  const std::set<std::string> documented = documented_error_names();
  ASSERT_GT(documented.size(), 30u) << "the table in " << kRecorderDoc << " was not found";
  for (const std::string& name : documented) {
    const auto code = error_code_from_dbus_name(name);
    ASSERT_TRUE(code) << name << " is documented but not in error_code.cpp's table";
    EXPECT_TRUE(error_code_info(*code).documented)
        << name << " is documented but its row is marked internal";
  }
  for (const ErrorCodeInfo& info : error_codes()) {
    if (!info.documented) continue;
    EXPECT_TRUE(documented.contains(std::string(info.dbus_name)))
        << info.dbus_name << " is part of the D-Bus contract but not in docs/recorder.md";
  }
}

}  // namespace
}  // namespace metrics
