// SPDX-License-Identifier: GPL-2.0-or-later
// What `metricsctl upload` prints: progress while it runs, then a summary (text or JSON).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>

#include "metrics_client.hpp"

namespace metrics::cli {

// "Uploading: 120 of 500 events (24%), 3 requests"
std::string describe_progress(const UploadProgress& progress);

// "Uploaded 5 events in 2 requests." or "Nothing to upload."
std::string describe_summary(const UploadSummary& summary);

// {"events": N, "requests": M}
nlohmann::ordered_json summary_to_json(const UploadSummary& summary);

// Progress lines on a stream: on a terminal one line rewritten in place; otherwise (a log, a
// pipe) whole lines, at most one a second so a fast upload does not flood it.
class ProgressPrinter {
 public:
  ProgressPrinter(std::ostream& out, bool terminal) : out_(out), terminal_(terminal) {}
  ~ProgressPrinter() { finish(); }
  ProgressPrinter(const ProgressPrinter&) = delete;
  ProgressPrinter& operator=(const ProgressPrinter&) = delete;

  // `now_us`: a monotonic clock in microseconds (g_get_monotonic_time()).
  void update(const UploadProgress& progress, std::int64_t now_us);
  // On a terminal, clears the progress line so the summary starts on a clean one.
  void finish();

 private:
  static constexpr std::int64_t kLineIntervalUs = 1000000;

  std::ostream& out_;
  bool terminal_;
  bool line_shown_ = false;  // terminal: a progress line is on screen
  bool printed_any_ = false;
  std::int64_t last_print_us_ = 0;
};

}  // namespace metrics::cli
