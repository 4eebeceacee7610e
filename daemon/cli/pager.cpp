// SPDX-License-Identifier: GPL-2.0-or-later
#include "pager.hpp"

#include <fcntl.h>
#include <glib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <utility>

#include "glib_handles.hpp"

extern char** environ;

namespace metrics::cli {

namespace {

bool is_true(const char* value) {
  return value && (std::strcmp(value, "1") == 0 || g_ascii_strcasecmp(value, "yes") == 0 ||
                   g_ascii_strcasecmp(value, "true") == 0 || g_ascii_strcasecmp(value, "on") == 0);
}

// As systemd decides without a session to ask: running with another user's rights.
bool secure_mode() {
  if (const char* forced = std::getenv("SYSTEMD_PAGERSECURE")) return is_true(forced);
  return std::getenv("SUDO_UID") || std::getenv("PKEXEC_UID") || geteuid() != getuid();
}

// The locale the environment names (setlocale() is never called: output stays in "C").
bool utf8_locale() {
  for (const char* name : {"LC_ALL", "LC_CTYPE", "LANG"}) {
    const char* value = std::getenv(name);
    if (!value || !*value) continue;
    GCharPtr lower(g_ascii_strdown(value, -1));
    return std::strstr(lower.get(), "utf-8") || std::strstr(lower.get(), "utf8");
  }
  return false;
}

std::string find_in_path(const std::string& name) {
  GCharPtr path(g_find_program_in_path(name.c_str()));
  return path ? std::string(path.get()) : std::string();
}

std::vector<std::string> child_environment(const PagerCommand& command) {
  std::vector<std::string> out;
  for (char** e = environ; e && *e; ++e) {
    const std::string_view entry(*e);
    bool replaced = false;
    for (const auto& [key, value] : command.environment)
      replaced = replaced ||
                 (entry.starts_with(key) && entry.size() > key.size() && entry[key.size()] == '=');
    if (!replaced) out.emplace_back(entry);
  }
  for (const auto& [key, value] : command.environment) {
    std::string assignment = key + "=";
    assignment += value;
    out.push_back(std::move(assignment));
  }
  return out;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (std::string& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

}  // namespace

PagerCommand choose_pager(const std::function<const char*(const char*)>& get_env,
                          const std::function<std::string(const std::string&)>& find_program,
                          bool utf8_locale, bool secure) {
  PagerCommand out;
  const char* chosen = get_env("SYSTEMD_PAGER");
  if (!chosen) chosen = get_env("PAGER");
  if (chosen) {
    std::string value(chosen);
    value.erase(0, value.find_first_not_of(" \t\n"));
    value.erase(value.find_last_not_of(" \t\n") + 1);
    if (value.empty() || value == "cat") return out;
    // In secure mode only less: another program may run a shell with our rights.
    if (!secure || value == "less") out.argv = {"/bin/sh", "-c", value};
  }
  const std::string less = find_program("less");
  if (out.argv.empty()) {
    if (!less.empty())
      out.argv = {less};
    else if (!secure)
      if (std::string more = find_program("more"); !more.empty()) out.argv = {more};
  }
  if (out.argv.empty()) return out;
  const char* less_options = get_env("SYSTEMD_LESS");
  out.environment.emplace_back("LESS", less_options ? less_options : "FRSXMK");
  if (const char* charset = get_env("SYSTEMD_LESSCHARSET"))
    out.environment.emplace_back("LESSCHARSET", charset);
  else if (utf8_locale)
    out.environment.emplace_back("LESSCHARSET", "utf-8");
  if (secure) out.environment.emplace_back("LESSSECURE", "1");
  return out;
}

void Pager::start(std::ostream& out) {
  if (pid_ > 0) return;
  PagerCommand command = choose_pager([](const char* name) { return std::getenv(name); },
                                      find_in_path, utf8_locale(), secure_mode());
  if (command.argv.empty()) return;
  // Everything the child needs is made before fork(): GDBus runs a thread of its own, so
  // the child may only make async-signal-safe calls.
  std::vector<std::string> argv_strings = command.argv;
  std::vector<std::string> env_strings = child_environment(command);
  std::vector<char*> argv = pointers(argv_strings);
  std::vector<char*> envp = pointers(env_strings);
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) < 0) return;
  out.flush();
  std::fflush(stdout);
  const int saved = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
  const pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    if (saved >= 0) close(saved);
    return;
  }
  if (pid == 0) {
    dup2(fds[0], STDIN_FILENO);
    close(fds[0]);
    close(fds[1]);
    execve(argv[0], argv.data(), envp.data());
    // No pager after all: the text still reaches the terminal.
    char buffer[4096];
    for (;;) {
      const ssize_t n = read(STDIN_FILENO, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      for (ssize_t done = 0; done < n;) {
        const ssize_t w = write(STDOUT_FILENO, buffer + done, static_cast<size_t>(n - done));
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) _exit(1);
        done += w;
      }
    }
    _exit(0);
  }
  close(fds[0]);
  dup2(fds[1], STDOUT_FILENO);
  close(fds[1]);
  // A person who quits the pager early ends the output, not metricsctl with SIGPIPE.
  signal(SIGPIPE, SIG_IGN);
  out_ = &out;
  pid_ = pid;
  saved_stdout_ = saved;
}

Pager::~Pager() {
  if (pid_ <= 0) return;
  out_->flush();
  std::fflush(stdout);
  // Puts the terminal back on stdout, which closes the pipe: the pager sees the end.
  if (saved_stdout_ >= 0) {
    dup2(saved_stdout_, STDOUT_FILENO);
    close(saved_stdout_);
  } else {
    close(STDOUT_FILENO);
  }
  while (waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
  }
}

}  // namespace metrics::cli
