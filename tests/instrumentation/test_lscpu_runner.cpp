#include "lscpu_runner.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "temp_dir.hpp"

namespace fs = std::filesystem;
using metrics::instrumentation::run_lscpu;
using metrics::testing::TempDir;

namespace {

// A stand-in for lscpu: a shell script, so the test never depends on the host's CPU.
fs::path script(const TempDir& dir, const std::string& body) {
  fs::path file = dir.path() / "fake-lscpu";
  std::ofstream(file) << "#!/bin/sh\n" << body;
  fs::permissions(file, fs::perms::owner_all);
  return file;
}

}  // namespace

TEST(LscpuRunner, PassesJsonFlagAndCNumericLocale) {
  TempDir dir;
  auto fake = script(dir, "printf '%s|%s' \"$1\" \"$LC_NUMERIC\"\n");
  auto out = run_lscpu(fake.string());
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(out.value(), "--json|C");
}

TEST(LscpuRunner, NonZeroExitIsAnError) {
  TempDir dir;
  auto fake = script(dir, "echo partial; exit 3\n");
  auto out = run_lscpu(fake.string());
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code, "LscpuFailed");
  EXPECT_NE(out.error().message.find("status 3"), std::string::npos) << out.error().message;
}

TEST(LscpuRunner, KilledIsAnError) {
  TempDir dir;
  auto fake = script(dir, "kill -9 $$\n");
  auto out = run_lscpu(fake.string());
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.error().message.find("signal 9"), std::string::npos) << out.error().message;
}

TEST(LscpuRunner, MissingProgramSaysWhatToInstall) {
  TempDir dir;
  auto out = run_lscpu((dir.path() / "no-such-lscpu").string());
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.error().message.find("util-linux"), std::string::npos);
}
