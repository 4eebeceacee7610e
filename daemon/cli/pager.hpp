// SPDX-License-Identifier: GPL-2.0-or-later
// The pager for long output on a terminal, chosen as systemd's tools choose it.
#pragma once

#include <sys/types.h>

#include <functional>
#include <ostream>
#include <string>
#include <vector>

namespace metrics::cli {

// What to run: argv[0] is a path; empty argv means "do not page".
struct PagerCommand {
  std::vector<std::string> argv;
  // Variables set (or replaced) in the pager's environment: LESS, LESSCHARSET, LESSSECURE.
  std::vector<std::pair<std::string, std::string>> environment;
};

// $SYSTEMD_PAGER, else $PAGER (run by /bin/sh -c), else less, else more (found in $PATH by
// `find_program`). A value of "" or "cat" turns paging off. less gets LESS=$SYSTEMD_LESS or
// "FRSXMK" (quit when the text fits on one screen, keep colours, chop long lines, no
// terminal init, long prompt, Ctrl-C quits) and LESSCHARSET=utf-8 in a UTF-8 locale. In
// secure mode (run through sudo or pkexec, or $SYSTEMD_PAGERSECURE=1) only less is run, with
// LESSSECURE=1, so that its shell escapes do not hand out a root shell.
PagerCommand choose_pager(const std::function<const char*(const char*)>& get_env,
                          const std::function<std::string(const std::string&)>& find_program,
                          bool utf8_locale, bool secure);

// Started once, by start(): stdout then goes through a pipe into the pager. The destructor
// flushes what is left, closes the pipe and waits for the pager (a person is reading).
class Pager {
 public:
  Pager() = default;
  ~Pager();
  Pager(const Pager&) = delete;
  Pager& operator=(const Pager&) = delete;

  void start(std::ostream& out);

 private:
  std::ostream* out_ = nullptr;
  pid_t pid_ = -1;
  int saved_stdout_ = -1;
};

}  // namespace metrics::cli
