// SPDX-License-Identifier: GPL-2.0-or-later
#include "upload_log_codec.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace metrics {
namespace {

LedgerEntry sample(int64_t id) {
  LedgerEntry e;
  e.id = id;
  e.time_ns = 1'764'000'000'123'456'789;  // sub-second part: not carried
  e.url = "https://metrics.example.org/";
  e.sha512 = std::string(128, 'a');
  e.compressed_size = 1234;
  e.uncompressed_size = 56789;
  e.singular_events = 12;
  e.aggregate_events = 3;
  e.outcome = "Retry";
  e.http_status = 503;
  e.message = "the server is busy";
  e.body_kept = true;
  return e;
}

TEST(UploadLogCodec, WhatTheRecorderWritesMetricsctlReadsBackInWholeSeconds) {
  const std::vector<LedgerEntry> sent{sample(7), sample(6)};
  GVariantPtr wire = encode_upload_log(sent);
  ASSERT_STREQ(g_variant_get_type_string(wire.get()), kUploadLogType);
  auto got = decode_upload_log(wire.get());
  ASSERT_TRUE(got) << got.error().message;
  ASSERT_EQ(got->size(), 2u);
  for (size_t i = 0; i < sent.size(); ++i) {
    const LedgerEntry& a = sent[i];
    const LedgerEntry& b = (*got)[i];
    EXPECT_EQ(b.id, a.id);
    EXPECT_EQ(b.time_ns, 1'764'000'000'000'000'000);
    EXPECT_EQ(b.url, a.url);
    EXPECT_EQ(b.sha512, a.sha512);
    EXPECT_EQ(b.compressed_size, a.compressed_size);
    EXPECT_EQ(b.uncompressed_size, a.uncompressed_size);
    EXPECT_EQ(b.singular_events, a.singular_events);
    EXPECT_EQ(b.aggregate_events, a.aggregate_events);
    EXPECT_EQ(b.outcome, a.outcome);
    EXPECT_EQ(b.http_status, a.http_status);
    EXPECT_EQ(b.message, a.message);
    EXPECT_EQ(b.body_kept, a.body_kept);
  }
}

TEST(UploadLogCodec, TheFieldsKeepTheOrderOfTheInterface) {
  LedgerEntry e = sample(1);
  e.body_kept = false;
  GVariantPtr wire = encode_upload_log({e});
  GCharPtr text(g_variant_print(wire.get(), FALSE));
  EXPECT_STREQ(text.get(),
               ("[(1, 1764000000, 'https://metrics.example.org/', '" + std::string(128, 'a') +
                "', 1234, 56789, 12, 3, 'Retry', 503, 'the server is busy', false)]")
                   .c_str());
}

TEST(UploadLogCodec, AnotherTypeIsRefusedWithBothTypesNamed) {
  GVariantPtr wrong = adopt_variant(g_variant_new_string("not a log"));
  auto got = decode_upload_log(wrong.get());
  ASSERT_FALSE(got);
  EXPECT_NE(got.error().message.find("a(xxssttttsisb)"), std::string::npos);
  EXPECT_NE(got.error().message.find("not s"), std::string::npos);
}

TEST(UploadLogCodec, ATimeBeyondNanosecondsIsClampedNotWrapped) {
  GVariantBuilder builder;
  g_variant_builder_init(&builder, G_VARIANT_TYPE(kUploadLogType));
  g_variant_builder_add(&builder, "(xxssttttsisb)", gint64{1}, G_MAXINT64, "", "", guint64{0},
                        guint64{0}, guint64{0}, guint64{0}, "", 0, "", FALSE);
  GVariantPtr wire = adopt_variant(g_variant_builder_end(&builder));
  auto got = decode_upload_log(wire.get());
  ASSERT_TRUE(got);
  EXPECT_EQ(got->at(0).time_ns, INT64_MAX);
}

}  // namespace
}  // namespace metrics
