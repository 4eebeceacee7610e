// SPDX-License-Identifier: GPL-2.0-or-later
#include "journal.hpp"

#include <sys/stat.h>
#include <sys/uio.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace metrics::instrumentation::journal {

namespace {

// The program's name in every entry; the session collector sets its own.
std::string& identifier() {
  static std::string name = "eos-metrics-instrumentation";
  return name;
}

// systemd sets JOURNAL_STREAM to the device and inode of the stream it connected; only
// when stderr is still that stream does a structured entry reach the same place.
bool stderr_is_journal() {
  static const bool connected = [] {
    const char* stream = std::getenv("JOURNAL_STREAM");
    if (!stream) return false;
    unsigned long long device = 0;
    unsigned long long inode = 0;
    if (std::sscanf(stream, "%llu:%llu", &device, &inode) != 2) return false;
    struct stat st {};
    if (fstat(STDERR_FILENO, &st) != 0) return false;
    return static_cast<unsigned long long>(st.st_dev) == device &&
           static_cast<unsigned long long>(st.st_ino) == inode;
  }();
  return connected;
}

std::string_view level_word(int priority) {
  switch (priority) {
    case LOG_EMERG:
    case LOG_ALERT:
    case LOG_CRIT:
    case LOG_ERR:
      return "error";
    case LOG_WARNING:
      return "warning";
    case LOG_NOTICE:
    case LOG_INFO:
      return "info";
    default:
      return "debug";
  }
}

void send_to_journal(int priority, std::string_view message, Fields fields) {
  std::array<std::string, 5> entries;
  size_t n = 0;
  entries[n++] = "MESSAGE=" + std::string(message);
  entries[n++] = "PRIORITY=" + std::to_string(priority);
  entries[n++] = "SYSLOG_IDENTIFIER=" + identifier();
  if (!fields.collector.empty())
    entries[n++] = "METRICS_COLLECTOR=" + std::string(fields.collector);
  if (!fields.message_id.empty()) entries[n++] = "MESSAGE_ID=" + std::string(fields.message_id);
  std::array<iovec, 5> vectors{};
  for (size_t i = 0; i < n; ++i) vectors[i] = {entries[i].data(), entries[i].size()};
  sd_journal_sendv(vectors.data(), static_cast<int>(n));
}

}  // namespace

void set_identifier(std::string_view name) {
  identifier() = std::string(name);
}

void write(int priority, std::string_view message, Fields fields) {
  if (stderr_is_journal()) {
    send_to_journal(priority, message, fields);
    return;
  }
  std::string line(identifier());
  line += '[';
  line += level_word(priority);
  line += "] ";
  if (!fields.collector.empty()) {
    line += fields.collector;
    line += ": ";
  }
  line += message;
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace metrics::instrumentation::journal
