#include "lscpu_runner.hpp"

#include <gio/gio.h>

#include "glib_handles.hpp"

namespace metrics::instrumentation {

namespace {
constexpr gsize kMaxOutput = 1 << 20;
}

Result<std::string> run_lscpu(const std::string& program) {
  GObjectPtr<GSubprocessLauncher> launcher(g_subprocess_launcher_new(static_cast<GSubprocessFlags>(
      G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE)));
  g_subprocess_launcher_setenv(launcher.get(), "LC_NUMERIC", "C", TRUE);
  GErrorOut err;
  GObjectPtr<GSubprocess> process(g_subprocess_launcher_spawn(
      launcher.get(), err.out(), program.c_str(), "--json", static_cast<const char*>(nullptr)));
  if (!process)
    return Error{"LscpuFailed", "cannot run " + program + " --json: " + err.message() +
                                    " (is util-linux installed?)"};
  GBytes* raw_stdout = nullptr;
  GErrorOut comm_err;
  const gboolean communicated = g_subprocess_communicate(process.get(), nullptr, nullptr,
                                                         &raw_stdout, nullptr, comm_err.out());
  GBytesPtr out(raw_stdout);
  if (!communicated)
    return Error{"LscpuFailed",
                 "reading the output of " + program + " failed: " + comm_err.message()};
  if (!g_subprocess_get_if_exited(process.get()))
    return Error{"LscpuFailed", program + " --json was killed by signal " +
                                    std::to_string(g_subprocess_get_term_sig(process.get()))};
  if (int status = g_subprocess_get_exit_status(process.get()); status != 0)
    return Error{"LscpuFailed", program + " --json exited with status " + std::to_string(status)};
  gsize size = 0;
  const char* data = out ? static_cast<const char*>(g_bytes_get_data(out.get(), &size)) : nullptr;
  if (size > kMaxOutput)
    return Error{"LscpuFailed", program + " --json wrote more than 1 MiB; not lscpu output"};
  return std::string(data ? data : "", size);
}

}  // namespace metrics::instrumentation
