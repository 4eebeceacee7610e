// SPDX-License-Identifier: GPL-2.0-or-later
#include "upload_view.hpp"

#include <algorithm>

#include "format.hpp"

namespace metrics::cli {

namespace {

// Erase the current terminal line: carriage return, then clear to its end.
constexpr const char* kClearLine = "\r\033[K";

}  // namespace

std::string describe_progress(const UploadProgress& p) {
  std::string text = "Uploading: " + std::to_string(p.sent_events) + " of " +
                     format_count(p.total_events, "event", "events");
  if (p.total_events > 0) {
    // Events recorded during the upload can make "sent" exceed the total it started with.
    const auto percent = std::min<std::uint64_t>(
        100, static_cast<std::uint64_t>(100.0L * static_cast<long double>(p.sent_events) /
                                        static_cast<long double>(p.total_events)));
    text += " (" + std::to_string(percent) + "%)";
  }
  return text + ", " + format_count(p.requests, "request", "requests");
}

std::string describe_summary(const UploadSummary& s) {
  if (s.events == 0 && s.requests == 0) return "Nothing to upload.";
  return "Uploaded " + format_count(s.events, "event", "events") + " in " +
         format_count(s.requests, "request", "requests") + ".";
}

nlohmann::ordered_json summary_to_json(const UploadSummary& s) {
  nlohmann::ordered_json j;
  j["events"] = s.events;
  j["requests"] = s.requests;
  return j;
}

void ProgressPrinter::update(const UploadProgress& progress, std::int64_t now_us) {
  if (terminal_) {
    out_ << kClearLine << describe_progress(progress) << std::flush;
    line_shown_ = true;
    return;
  }
  if (printed_any_ && now_us - last_print_us_ < kLineIntervalUs) return;
  out_ << describe_progress(progress) << '\n' << std::flush;
  printed_any_ = true;
  last_print_us_ = now_us;
}

void ProgressPrinter::finish() {
  if (!line_shown_) return;
  out_ << kClearLine << std::flush;
  line_shown_ = false;
}

}  // namespace metrics::cli
