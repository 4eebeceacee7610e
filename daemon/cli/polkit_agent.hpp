// SPDX-License-Identifier: GPL-2.0-or-later
// A polkit text agent for the duration of a call that may need authorisation, as
// systemctl starts one: an administrator logged in over SSH (no graphical agent) is asked
// for a password on the terminal instead of being refused.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace metrics::cli {

// pkttyagent's command line: registered for process `pid`; it closes `notify_fd` once it is
// registered; --fallback leaves an agent that is already registered (a desktop's) alone.
std::vector<std::string> polkit_agent_argv(const std::string& program, pid_t pid, int notify_fd);

class PolkitAgent {
 public:
  PolkitAgent() = default;
  ~PolkitAgent();
  PolkitAgent(const PolkitAgent&) = delete;
  PolkitAgent& operator=(const PolkitAgent&) = delete;

  // Starts pkttyagent (found in $PATH) and waits until it has registered, unless one runs
  // already, we are root (polkit does not ask root) or stdin is not a terminal (nobody
  // could type a password).
  void start();

 private:
  pid_t pid_ = -1;
};

}  // namespace metrics::cli
