// SPDX-License-Identifier: GPL-2.0-or-later
#include "polkit_agent.hpp"

#include <fcntl.h>
#include <glib.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "glib_handles.hpp"

namespace metrics::cli {

std::vector<std::string> polkit_agent_argv(const std::string& program, pid_t pid, int notify_fd) {
  return {program,     "--process", std::to_string(pid), "--notify-fd", std::to_string(notify_fd),
          "--fallback"};
}

void PolkitAgent::start() {
  if (pid_ > 0 || geteuid() == 0 || isatty(STDIN_FILENO) != 1) return;
  GCharPtr program(g_find_program_in_path("pkttyagent"));
  if (!program) return;
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) < 0) return;
  const pid_t parent = getpid();
  // Made before fork(): the child may only make async-signal-safe calls (GDBus has a thread).
  std::vector<std::string> strings = polkit_agent_argv(program.get(), parent, fds[1]);
  std::vector<char*> argv;
  argv.reserve(strings.size() + 1);
  for (std::string& s : strings) argv.push_back(s.data());
  argv.push_back(nullptr);
  const pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return;
  }
  if (pid == 0) {
    close(fds[0]);
    fcntl(fds[1], F_SETFD, 0);  // the notify fd stays open across exec
    // Gone with us, even if we are killed.
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) _exit(0);
    // The prompt goes to the terminal even when our stdout is a pipe (or the pager).
    if (isatty(STDOUT_FILENO) != 1) {
      const int tty = open("/dev/tty", O_WRONLY | O_NOCTTY | O_CLOEXEC);
      if (tty >= 0) dup2(tty, STDOUT_FILENO);
    }
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(fds[1]);
  pid_ = pid;
  // Until it closes the notify fd (registered) or exits (it could not register).
  pollfd wait{fds[0], POLLIN, 0};
  while (poll(&wait, 1, -1) < 0 && errno == EINTR) {
  }
  close(fds[0]);
}

PolkitAgent::~PolkitAgent() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  while (waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
  }
}

}  // namespace metrics::cli
