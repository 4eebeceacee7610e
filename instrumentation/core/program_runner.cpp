// SPDX-License-Identifier: GPL-2.0-or-later
#include "program_runner.hpp"

#include <memory>

#include "glib_handles.hpp"

namespace metrics::instrumentation {

namespace {

// One run. Owned by whichever main-context callback is pending (the spawn failure idle
// or the communicate completion): that callback adopts it and frees it, so the operation
// stays valid however long the caller lives.
struct ProgramOperation {
  enum class Stop { None, TimedOut, Cancelled };

  ProgramRequest request;
  std::string command;  // for messages
  ProgramDone done;
  Error spawn_error;
  GObjectPtr<GSubprocess> process;
  // Cancels the communicate call, for a timeout as well as for the caller.
  GObjectPtr<GCancellable> own_cancellable{g_cancellable_new()};
  GObjectPtr<GCancellable> caller_cancellable;
  gulong caller_handler = 0;
  GSourcePtr timeout_source;
  Stop stop = Stop::None;

  ~ProgramOperation() {
    // Disconnecting also waits out a handler running in another thread; none here.
    if (caller_handler != 0) g_cancellable_disconnect(caller_cancellable.get(), caller_handler);
  }

  // Never frees the operation: GSubprocess notices the cancellation through a main-context
  // source, so the completion runs in a later dispatch, not inside this call.
  void halt(Stop why) {
    if (stop != Stop::None) return;
    stop = why;
    // A program that ignores its pipe must not outlive the run (or the daemon).
    if (process) g_subprocess_force_exit(process.get());
    g_cancellable_cancel(own_cancellable.get());
  }
};

using OperationPtr = std::unique_ptr<ProgramOperation>;

void on_caller_cancelled(GCancellable*, gpointer data) {
  static_cast<ProgramOperation*>(data)->halt(ProgramOperation::Stop::Cancelled);
}

gboolean on_timeout(gpointer data) {
  static_cast<ProgramOperation*>(data)->halt(ProgramOperation::Stop::TimedOut);
  return G_SOURCE_REMOVE;
}

Result<std::string> outcome(const ProgramOperation& op, gboolean communicated, GBytes* out,
                            const GErrorOut& err) {
  const ErrorCode code = op.request.error_code;
  const std::string& command = op.command;
  if (op.stop == ProgramOperation::Stop::TimedOut)
    return Error{code, command + " did not finish within " +
                           std::to_string(op.request.timeout.count() / 1000) + " s and was killed"};
  if (!communicated)
    return Error{code, "reading the output of " + command + " failed: " + err.message()};
  GSubprocess* process = op.process.get();
  if (!g_subprocess_get_if_exited(process))
    return Error{code, command + " was killed by signal " +
                           std::to_string(g_subprocess_get_term_sig(process))};
  if (int status = g_subprocess_get_exit_status(process); status != 0)
    return Error{code, command + " exited with status " + std::to_string(status)};
  gsize size = 0;
  const char* data = out ? static_cast<const char*>(g_bytes_get_data(out, &size)) : nullptr;
  if (size > op.request.max_output)
    return Error{code, command + " wrote more than " + std::to_string(op.request.max_output) +
                           " bytes; that is not its usual output"};
  return std::string(data ? data : "", size);
}

void on_communicated(GObject* source, GAsyncResult* result, gpointer data) {
  OperationPtr op(static_cast<ProgramOperation*>(data));
  GBytes* raw_stdout = nullptr;
  GErrorOut err;
  const gboolean communicated = g_subprocess_communicate_finish(G_SUBPROCESS(source), result,
                                                                &raw_stdout, nullptr, err.out());
  GBytesPtr out(raw_stdout);
  if (op->stop == ProgramOperation::Stop::Cancelled) return;
  op->done(outcome(*op, communicated, out.get(), err));
}

gboolean on_spawn_failed(gpointer data) {
  auto* op = static_cast<ProgramOperation*>(data);
  if (op->stop != ProgramOperation::Stop::Cancelled) op->done(op->spawn_error);
  return G_SOURCE_REMOVE;
}

void free_operation(gpointer data) {
  OperationPtr adopted(static_cast<ProgramOperation*>(data));
}

}  // namespace

std::string command_line(const ProgramRequest& request) {
  std::string out = request.program;
  for (const std::string& argument : request.arguments) out += " " + argument;
  return out;
}

void run_program_async(ProgramRequest request, GCancellable* cancellable, ProgramDone done) {
  auto op = std::make_unique<ProgramOperation>();
  op->command = command_line(request);
  op->request = std::move(request);
  op->done = std::move(done);

  GObjectPtr<GSubprocessLauncher> launcher(g_subprocess_launcher_new(static_cast<GSubprocessFlags>(
      G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE)));
  for (const auto& [name, value] : op->request.environment)
    g_subprocess_launcher_setenv(launcher.get(), name.c_str(), value.c_str(), TRUE);
  std::vector<const gchar*> argv{op->request.program.c_str()};
  for (const std::string& argument : op->request.arguments) argv.push_back(argument.c_str());
  argv.push_back(nullptr);
  GErrorOut err;
  op->process.reset(g_subprocess_launcher_spawnv(launcher.get(), argv.data(), err.out()));
  if (cancellable) {
    op->caller_cancellable = share_object(cancellable);
    // Runs at once if already cancelled.
    op->caller_handler =
        g_cancellable_connect(cancellable, G_CALLBACK(on_caller_cancelled), op.get(), nullptr);
  }

  if (!op->process) {
    // Reported from the main context, like every other outcome.
    const bool not_found = g_error_matches(err.get(), G_SPAWN_ERROR, G_SPAWN_ERROR_NOENT);
    const ErrorCode code = not_found && op->request.not_found_code ? *op->request.not_found_code
                                                                   : op->request.error_code;
    op->spawn_error = Error{code, "cannot run " + op->command + ": " + err.message() +
                                      (not_found ? op->request.not_found_hint : "")};
    g_idle_add_full(G_PRIORITY_DEFAULT, on_spawn_failed, op.release(), free_operation);
    return;
  }

  op->timeout_source.reset(g_timeout_source_new(static_cast<guint>(op->request.timeout.count())));
  g_source_set_callback(op->timeout_source.get(), on_timeout, op.get(), nullptr);
  g_source_attach(op->timeout_source.get(), g_main_context_get_thread_default());

  GSubprocess* process = op->process.get();
  GCancellable* own = op->own_cancellable.get();
  g_subprocess_communicate_async(process, nullptr, own, on_communicated, op.release());
}

}  // namespace metrics::instrumentation
