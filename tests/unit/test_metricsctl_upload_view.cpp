// SPDX-License-Identifier: GPL-2.0-or-later
#include "upload_view.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <string>

namespace metrics::cli {
namespace {

TEST(MetricsctlUploadView, ProgressText) {
  EXPECT_EQ(describe_progress({2, 5, 1}), "Uploading: 2 of 5 events (40%), 1 request");
  EXPECT_EQ(describe_progress({1, 3, 1}), "Uploading: 1 of 3 events (33%), 1 request");
  EXPECT_EQ(describe_progress({0, 1, 0}), "Uploading: 0 of 1 event (0%), 0 requests");
  EXPECT_EQ(describe_progress({0, 0, 0}), "Uploading: 0 of 0 events, 0 requests");
  // Events recorded meanwhile can be sent too: never more than 100%.
  EXPECT_EQ(describe_progress({12, 10, 3}), "Uploading: 12 of 10 events (100%), 3 requests");
  EXPECT_EQ(describe_progress({UINT64_MAX, UINT64_MAX, 7}).find("(100%)") != std::string::npos,
            true);
}

TEST(MetricsctlUploadView, Summary) {
  EXPECT_EQ(describe_summary({5, 2}), "Uploaded 5 events in 2 requests.");
  EXPECT_EQ(describe_summary({1, 1}), "Uploaded 1 event in 1 request.");
  EXPECT_EQ(describe_summary({0, 0}), "Nothing to upload.");
  EXPECT_EQ(summary_to_json({5, 2}).dump(), R"({"events":5,"requests":2})");
}

TEST(MetricsctlUploadView, LinesAtMostOncePerSecond) {
  std::ostringstream out;
  {
    ProgressPrinter printer(out, false);
    printer.update({1, 10, 1}, 0);
    printer.update({2, 10, 2}, 500'000);    // too soon: dropped
    printer.update({3, 10, 3}, 999'999);    // still too soon
    printer.update({4, 10, 4}, 1'000'000);  // a second after the last line
    printer.update({5, 10, 5}, 1'200'000);
    printer.update({6, 10, 6}, 2'100'000);
  }
  EXPECT_EQ(out.str(),
            "Uploading: 1 of 10 events (10%), 1 request\n"
            "Uploading: 4 of 10 events (40%), 4 requests\n"
            "Uploading: 6 of 10 events (60%), 6 requests\n");
}

TEST(MetricsctlUploadView, TerminalRewritesOneLineAndClearsIt) {
  std::ostringstream out;
  {
    ProgressPrinter printer(out, true);
    printer.update({1, 2, 1}, 0);
    printer.update({2, 2, 2}, 1);
    printer.finish();
    printer.finish();  // idempotent; the destructor adds nothing either
  }
  EXPECT_EQ(out.str(),
            "\r\033[KUploading: 1 of 2 events (50%), 1 request"
            "\r\033[KUploading: 2 of 2 events (100%), 2 requests"
            "\r\033[K");
}

TEST(MetricsctlUploadView, TerminalWithoutProgressPrintsNothing) {
  std::ostringstream out;
  { ProgressPrinter printer(out, true); }
  EXPECT_EQ(out.str(), "");
}

}  // namespace
}  // namespace metrics::cli
