// SPDX-License-Identifier: GPL-2.0-or-later
#include "log.hpp"

#include <systemd/sd-journal.h>

#include <cstdio>
#include <cstdlib>

namespace metrics::bus {

namespace {
bool to_journal() {
  static const bool journal = std::getenv("JOURNAL_STREAM") != nullptr;
  return journal;
}
const char* level_name(int priority) {
  switch (priority) {
    case LOG_ERR:
      return "error";
    case LOG_WARNING:
      return "warning";
    case LOG_NOTICE:
      return "notice";
    case LOG_INFO:
      return "info";
    default:
      return "debug";
  }
}
}  // namespace

void log(int priority, const std::string& message, const char* message_id) {
  if (to_journal()) {
    if (message_id)
      sd_journal_send("MESSAGE=%s", message.c_str(), "PRIORITY=%i", priority, "MESSAGE_ID=%s",
                      message_id, "SYSLOG_IDENTIFIER=eos-metrics-event-recorder", nullptr);
    else
      sd_journal_send("MESSAGE=%s", message.c_str(), "PRIORITY=%i", priority,
                      "SYSLOG_IDENTIFIER=eos-metrics-event-recorder", nullptr);
    return;
  }
  std::fprintf(stderr, "eos-metrics-event-recorder[%s]: %s\n", level_name(priority),
               message.c_str());
}

}  // namespace metrics::bus
