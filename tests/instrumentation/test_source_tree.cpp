// SPDX-License-Identifier: GPL-2.0-or-later
#include "source_tree.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "temp_dir.hpp"

namespace fs = std::filesystem;
using metrics::instrumentation::normalize_absolute;
using metrics::instrumentation::SourceTree;
using metrics::testing::TempDir;

namespace {

void write(const fs::path& file, const std::string& text) {
  fs::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary) << text;
}

}  // namespace

TEST(SourceTree, NormalizesPathsLexically) {
  EXPECT_EQ(normalize_absolute("/a/b/../c/./d/"), "/a/c/d");
  EXPECT_EQ(normalize_absolute("/../.."), "/");
  EXPECT_EQ(normalize_absolute("sys//class"), "/sys/class");
}

TEST(SourceTree, ReadsFilesAndTrimsValues) {
  TempDir dir;
  write(dir.path() / "sys/a", "  value \n");
  write(dir.path() / "dt/model", std::string("Board X\0", 8));
  SourceTree tree(dir.path());
  EXPECT_EQ(tree.read_file("/sys/a"), "  value \n");
  EXPECT_EQ(tree.read_value("/sys/a"), "value");
  EXPECT_EQ(tree.read_value("/dt/model"), "Board X");
  EXPECT_EQ(tree.read_file("/sys/missing"), std::nullopt);
  EXPECT_EQ(tree.read_file("/sys"), std::nullopt) << "a directory is not a value";
}

TEST(SourceTree, ResolvesRelativeAndAbsoluteLinksInsideTheRoot) {
  TempDir dir;
  write(dir.path() / "sys/devices/disk/size", "42\n");
  fs::create_directories(dir.path() / "sys/class/block");
  fs::create_symlink("../../devices/disk", dir.path() / "sys/class/block/sda");
  // An absolute target is taken inside the tree, never on the host.
  fs::create_symlink("/sys/devices/disk", dir.path() / "sys/class/block/abs");
  fs::create_symlink("/etc/hostname", dir.path() / "escape");
  SourceTree tree(dir.path());
  EXPECT_EQ(tree.resolve("/sys/class/block/sda"), "/sys/devices/disk");
  EXPECT_EQ(tree.resolve("/sys/class/block/abs/size"), "/sys/devices/disk/size");
  EXPECT_EQ(tree.read_value("/sys/class/block/abs/size"), "42");
  EXPECT_EQ(tree.read_file("/escape"), std::nullopt) << "the host's /etc/hostname must not leak";
  EXPECT_EQ(tree.read_link("/sys/class/block/sda"), "../../devices/disk");
}

TEST(SourceTree, LinkLoopsAndMissingComponentsResolveToNothing) {
  TempDir dir;
  fs::create_directories(dir.path() / "x");
  fs::create_symlink("b", dir.path() / "x/a");
  fs::create_symlink("a", dir.path() / "x/b");
  SourceTree tree(dir.path());
  EXPECT_EQ(tree.resolve("/x/a"), std::nullopt);
  EXPECT_EQ(tree.read_file("/x/a"), std::nullopt);
  EXPECT_EQ(tree.resolve("/x/none/deeper"), std::nullopt);
  EXPECT_TRUE(tree.list_directory("/x/a").empty());
}

TEST(SourceTree, RefusesFifosInsteadOfBlocking) {
  TempDir dir;
  ASSERT_EQ(mkfifo((dir.path() / "fifo").c_str(), 0600), 0);
  SourceTree tree(dir.path());
  EXPECT_EQ(tree.read_file("/fifo"), std::nullopt);
}

TEST(SourceTree, ListsDirectoriesSortedAndReportsEveryAccess) {
  TempDir dir;
  write(dir.path() / "d/b", "");
  write(dir.path() / "d/a", "");
  SourceTree tree(dir.path());
  std::vector<std::string> seen;
  tree.set_access_observer([&](const std::string& path) { seen.push_back(path); });
  EXPECT_EQ(tree.list_directory("/d"), (std::vector<std::string>{"a", "b"}));
  (void)tree.read_file("/d/./a");
  EXPECT_EQ(seen, (std::vector<std::string>{"/d", "/d/a"}));
}
