// SPDX-License-Identifier: GPL-2.0-or-later
#include "lscpu_runner.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>

#include "glib_handles.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;
using metrics::GMainLoopPtr;
using metrics::GObjectPtr;
using metrics::Result;
using metrics::instrumentation::run_lscpu_async;
using metrics::testing::TempDir;
using namespace std::chrono_literals;

namespace {

// A stand-in for lscpu: a shell script, so the test never depends on the host's CPU.
fs::path script(const TempDir& dir, const std::string& body) {
  fs::path file = dir.path() / "fake-lscpu";
  std::ofstream(file) << "#!/bin/sh\n" << body;
  fs::permissions(file, fs::perms::owner_all);
  return file;
}

gboolean quit_loop(gpointer loop) {
  g_main_loop_quit(static_cast<GMainLoop*>(loop));
  return G_SOURCE_REMOVE;
}

// Runs the main loop until `done` was called (or 20 s passed, which fails the test).
Result<std::string> run(const std::string& program,
                        std::chrono::milliseconds timeout = metrics::instrumentation::kLscpuTimeout,
                        int* ticks_meanwhile = nullptr) {
  GMainLoopPtr loop(g_main_loop_new(nullptr, FALSE));
  std::optional<Result<std::string>> out;
  run_lscpu_async(
      program, nullptr,
      [&](Result<std::string> r) {
        out.emplace(std::move(r));
        g_main_loop_quit(loop.get());
      },
      timeout);
  EXPECT_FALSE(out.has_value()) << "done must not be called before run_lscpu_async returns";
  const guint guard = g_timeout_add_seconds(20, quit_loop, loop.get());
  // Counts main-loop turns while lscpu runs: proof that nothing waits for it.
  struct Ticker {
    int* ticks;
    static gboolean tick(gpointer self) {
      auto* t = static_cast<Ticker*>(self);
      if (t->ticks) ++*t->ticks;
      return G_SOURCE_CONTINUE;
    }
  } ticker{ticks_meanwhile};
  const guint tick_id = g_timeout_add(10, &Ticker::tick, &ticker);
  g_main_loop_run(loop.get());
  g_source_remove(tick_id);
  if (out) g_source_remove(guard);
  if (!out) return metrics::Error{metrics::ErrorCode::kForeign, "done was never called"};
  return std::move(*out);
}

}  // namespace

TEST(LscpuRunner, PassesJsonFlagAndCNumericLocale) {
  TempDir dir;
  auto fake = script(dir, "printf '%s|%s' \"$1\" \"$LC_NUMERIC\"\n");
  auto out = run(fake.string());
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(out.value(), "--json|C");
}

TEST(LscpuRunner, NonZeroExitIsAnError) {
  TempDir dir;
  auto fake = script(dir, "echo partial; exit 3\n");
  auto out = run(fake.string());
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code, metrics::ErrorCode::kLscpuFailed);
  EXPECT_NE(out.error().message.find("status 3"), std::string::npos) << out.error().message;
}

TEST(LscpuRunner, KilledIsAnError) {
  TempDir dir;
  auto fake = script(dir, "kill -9 $$\n");
  auto out = run(fake.string());
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.error().message.find("signal 9"), std::string::npos) << out.error().message;
}

TEST(LscpuRunner, MissingProgramSaysWhatToInstall) {
  TempDir dir;
  auto out = run((dir.path() / "no-such-lscpu").string());
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code, metrics::ErrorCode::kLscpuFailed);
  EXPECT_NE(out.error().message.find("util-linux"), std::string::npos);
}

TEST(LscpuRunner, TheMainLoopKeepsTurningWhileLscpuRuns) {
  TempDir dir;
  auto fake = script(dir, "sleep 0.5; echo '{\"lscpu\": []}'\n");
  int ticks = 0;
  auto out = run(fake.string(), 10s, &ticks);
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(out.value(), "{\"lscpu\": []}\n");
  // 500 ms at one tick per 10 ms; a blocking run would allow none.
  EXPECT_GE(ticks, 20);
}

TEST(LscpuRunner, AHangingLscpuIsKilledAtTheTimeout) {
  TempDir dir;
  // The grandchild keeps stdout open after the shell is killed: the run must still end.
  auto fake = script(dir,
                     "d=$(dirname \"$0\"); echo $$ > \"$d/pid\"\n"
                     "sleep 60 & echo $! > \"$d/grandchild\"; wait; echo late\n");
  const auto started = std::chrono::steady_clock::now();
  auto out = run(fake.string(), 300ms);
  const auto took = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.error().message.find("did not finish"), std::string::npos) << out.error().message;
  EXPECT_LT(took, 10s);
  std::ifstream pid_file(dir.path() / "pid");
  pid_t pid = 0;
  ASSERT_TRUE(pid_file >> pid);
  // The shell is gone (killed, then reaped by GLib's child watch).
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (kill(pid, 0) == 0 && std::chrono::steady_clock::now() < deadline)
    g_main_context_iteration(nullptr, FALSE);
  EXPECT_NE(kill(pid, 0), 0) << "lscpu stand-in still running after the timeout";
  std::ifstream grandchild_file(dir.path() / "grandchild");
  pid_t grandchild = 0;
  if (grandchild_file >> grandchild && grandchild > 0) kill(grandchild, SIGKILL);
}

TEST(LscpuRunner, CancellingKillsTheProgramAndNeverCallsDone) {
  TempDir dir;
  auto fake = script(dir, "echo $$ > \"$(dirname \"$0\")/pid\"; exec sleep 60\n");
  GObjectPtr<GCancellable> cancellable(g_cancellable_new());
  bool called = false;
  run_lscpu_async(fake.string(), cancellable.get(),
                  [&](const Result<std::string>&) { called = true; });
  // Wait for the program to be running, then cancel as a destroyed owner would.
  const auto pid_path = dir.path() / "pid";
  auto deadline = std::chrono::steady_clock::now() + 5s;
  pid_t pid = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    g_main_context_iteration(nullptr, FALSE);
    std::ifstream pid_file(pid_path);
    if (pid_file >> pid) break;
  }
  ASSERT_GT(pid, 0);
  g_cancellable_cancel(cancellable.get());
  deadline = std::chrono::steady_clock::now() + 5s;
  while (kill(pid, 0) == 0 && std::chrono::steady_clock::now() < deadline)
    g_main_context_iteration(nullptr, FALSE);
  EXPECT_NE(kill(pid, 0), 0) << "lscpu stand-in still running after cancel";
  // Let the cancelled completion run: it must not call done.
  for (int i = 0; i < 50; ++i) g_main_context_iteration(nullptr, FALSE);
  EXPECT_FALSE(called);
}

TEST(LscpuRunner, AlreadyCancelledNeverCallsDone) {
  TempDir dir;
  GObjectPtr<GCancellable> cancellable(g_cancellable_new());
  g_cancellable_cancel(cancellable.get());
  bool called = false;
  run_lscpu_async((dir.path() / "no-such-lscpu").string(), cancellable.get(),
                  [&](const Result<std::string>&) { called = true; });
  for (int i = 0; i < 50; ++i) g_main_context_iteration(nullptr, FALSE);
  EXPECT_FALSE(called);
}
