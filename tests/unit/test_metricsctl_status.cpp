// SPDX-License-Identifier: GPL-2.0-or-later
#include <gtest/gtest.h>

#include <string>

#include "glib_handles.hpp"
#include "status.hpp"
#include "status_view.hpp"

namespace metrics::cli {
namespace {

constexpr std::int64_t kNow = 1'715'680'992;  // Tue 2024-05-14 10:03:12 UTC

GVariantPtr properties(std::int64_t last, std::int64_t next, const char* result = "success",
                       const char* message = "") {
  GVariantBuilder b;
  g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add(&b, "{sv}", "ConsentState", g_variant_new_string("granted"));
  g_variant_builder_add(&b, "{sv}", "ServerUrl",
                        g_variant_new_string("https://production.metrics.example.org/"));
  g_variant_builder_add(&b, "{sv}", "Environment", g_variant_new_string("production"));
  g_variant_builder_add(&b, "{sv}", "QueuedEvents", g_variant_new_uint64(1234));
  g_variant_builder_add(&b, "{sv}", "QueuedBytes", g_variant_new_uint64(1'234'567));
  g_variant_builder_add(&b, "{sv}", "UploadState", g_variant_new_string("idle"));
  g_variant_builder_add(&b, "{sv}", "LastUploadTime", g_variant_new_int64(last));
  g_variant_builder_add(&b, "{sv}", "LastUploadResult", g_variant_new_string(result));
  g_variant_builder_add(&b, "{sv}", "LastUploadMessage", g_variant_new_string(message));
  g_variant_builder_add(&b, "{sv}", "NextUploadTime", g_variant_new_int64(next));
  return adopt_variant(g_variant_builder_end(&b));
}

TEST(MetricsctlStatus, ReadsEveryProperty) {
  GVariantPtr v = properties(kNow - 60, kNow + 60);
  const Status s = status_from_properties(v.get());
  EXPECT_EQ(s.consent_state, "granted");
  EXPECT_EQ(s.server_url, "https://production.metrics.example.org/");
  EXPECT_EQ(s.environment, "production");
  EXPECT_EQ(s.queued_events, 1234u);
  EXPECT_EQ(s.queued_bytes, 1'234'567u);
  EXPECT_EQ(s.upload_state, "idle");
  EXPECT_EQ(s.last_upload_time, kNow - 60);
  EXPECT_EQ(s.last_upload_result, "success");
  EXPECT_EQ(s.last_upload_message, "");
  EXPECT_EQ(s.next_upload_time, kNow + 60);
}

TEST(MetricsctlStatus, MissingOrMistypedPropertiesAreEmpty) {
  GVariantBuilder b;
  g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add(&b, "{sv}", "ConsentState", g_variant_new_string("declined"));
  g_variant_builder_add(&b, "{sv}", "QueuedEvents", g_variant_new_uint32(5));  // not 't'
  GVariantPtr v = adopt_variant(g_variant_builder_end(&b));
  const Status s = status_from_properties(v.get());
  EXPECT_EQ(s.consent_state, "declined");
  EXPECT_FALSE(s.queued_events);
  EXPECT_FALSE(s.next_upload_time);

  GVariantPtr not_a_dict = adopt_variant(g_variant_new_string("x"));
  EXPECT_FALSE(status_from_properties(not_a_dict.get()).consent_state);
  EXPECT_FALSE(status_from_properties(nullptr).consent_state);
}

TEST(MetricsctlStatus, TextBlock) {
  GVariantPtr v = properties(kNow - std::int64_t{3} * 3600, kNow + std::int64_t{12} * 60);
  GTimeZonePtr utc(g_time_zone_new_utc());
  EXPECT_EQ(render_status_text(status_from_properties(v.get()), kNow, utc.get()),
            "     Consent: granted (recording and uploading)\n"
            "  Server URL: https://production.metrics.example.org/\n"
            " Environment: production\n"
            "       Queue: 1234 events (1.2 MB)\n"
            "Upload state: idle (waiting for the next slot)\n"
            " Last upload: Tue 2024-05-14 07:03:12 UTC (3 h ago)\n"
            " Last result: success\n"
            " Next upload: Tue 2024-05-14 10:15:12 UTC (in 12 min)\n");
}

TEST(MetricsctlStatus, TextNeverAndFailureMessage) {
  GVariantPtr v = properties(0, 0, "com.endlessm.Metrics.Error.UploadFailed",
                             "Server said 503.\nRetrying later.");
  GTimeZonePtr utc(g_time_zone_new_utc());
  const std::string text = render_status_text(status_from_properties(v.get()), kNow, utc.get());
  EXPECT_NE(text.find(" Last upload: never\n"), std::string::npos) << text;
  EXPECT_NE(text.find(" Last result: failed (com.endlessm.Metrics.Error.UploadFailed)\n"
                      "              Server said 503.\n"
                      "              Retrying later.\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find(" Next upload: none\n"), std::string::npos) << text;
}

TEST(MetricsctlStatus, TextForAnEmptyStatus) {
  GTimeZonePtr utc(g_time_zone_new_utc());
  const std::string text = render_status_text(Status{}, kNow, utc.get());
  EXPECT_NE(text.find("     Consent: unknown\n"), std::string::npos) << text;
  EXPECT_NE(text.find("       Queue: unknown\n"), std::string::npos) << text;
  EXPECT_NE(text.find(" Last result: unknown\n"), std::string::npos) << text;
}

TEST(MetricsctlStatus, ConsentAndUploadStatesInWords) {
  EXPECT_EQ(describe_consent("undecided"), "undecided (recording locally, never uploading)");
  EXPECT_EQ(describe_consent("granted"), "granted (recording and uploading)");
  EXPECT_EQ(describe_consent("declined"), "declined (recording nothing, nothing kept)");
  EXPECT_EQ(describe_consent("invalid"),
            "invalid (permissions file unusable: recording and uploading nothing)");
  EXPECT_EQ(describe_consent("something-new"), "something-new");
  for (const char* state :
       {"disabled", "offline", "metered", "idle", "uploading", "retrying", "paused"}) {
    const std::string text = describe_upload_state(state);
    EXPECT_EQ(text.rfind(std::string(state) + " (", 0), 0u) << text;
  }
  EXPECT_EQ(describe_upload_state("something-new"), "something-new");
}

TEST(MetricsctlStatus, JsonShape) {
  GVariantPtr v = properties(0, kNow + 60, "", "");
  const nlohmann::ordered_json j = status_to_json(status_from_properties(v.get()));
  EXPECT_EQ(j.dump(),
            R"({"consent_state":"granted","server_url":"https://production.metrics.example.org/",)"
            R"("environment":"production","queued_events":1234,"queued_bytes":1234567,)"
            R"("upload_state":"idle","last_upload_time":null,"last_upload_result":"",)"
            R"("last_upload_message":"","next_upload_time":1715681052,"store_state":null,)"
            R"("store_problem":null,"set_aside_events":null,"running_counts":null})");
}

TEST(MetricsctlStatus, StoreLineOnlyFromARecorderThatHasIt) {
  GVariantPtr v = properties(0, 0, "", "");
  GTimeZonePtr utc(g_time_zone_new_utc());
  Status s = status_from_properties(v.get());
  EXPECT_EQ(render_status_text(s, kNow, utc.get()).find("Store:"), std::string::npos);
  s.store_state = "unavailable";
  s.store_problem = "metrics.db is locked";
  EXPECT_NE(render_status_text(s, kNow, utc.get())
                .find("       Store: unavailable (events are refused until it opens: "
                      "metrics.db is locked)\n"),
            std::string::npos)
      << render_status_text(s, kNow, utc.get());
  s.store_state = "ok";
  s.store_problem = "";
  EXPECT_NE(render_status_text(s, kNow, utc.get()).find("       Store: ok\n"), std::string::npos);
  const nlohmann::ordered_json j = status_to_json(s);
  EXPECT_EQ(j["store_state"], "ok");
  EXPECT_EQ(j["store_problem"], "");
}

TEST(MetricsctlStatus, SetAsideEventsAreCountedApartFromTheQueue) {
  GVariantPtr base = properties(0, 0);
  GVariantDict dict;
  g_variant_dict_init(&dict, base.get());
  g_variant_dict_insert_value(&dict, "SetAsideEvents", g_variant_new_uint64(400));
  GVariantPtr v = adopt_variant(g_variant_dict_end(&dict));
  const Status s = status_from_properties(v.get());
  EXPECT_EQ(s.set_aside_events, 400u);
  GTimeZonePtr utc(g_time_zone_new_utc());
  const std::string text = render_status_text(s, kNow, utc.get());
  EXPECT_NE(text.find("400 events set aside, not uploaded (metricsctl set-aside list)"),
            std::string::npos)
      << text;
  EXPECT_EQ(status_to_json(s)["set_aside_events"], 400);
  // None set aside: the queue line says nothing of them.
  EXPECT_EQ(
      render_status_text(status_from_properties(base.get()), kNow, utc.get()).find("set aside"),
      std::string::npos);
}

TEST(MetricsctlStatus, QueueLineShowsEventsAndRunningCountsApart) {
  GVariantPtr base = properties(0, 0);
  GVariantDict dict;
  g_variant_dict_init(&dict, base.get());
  g_variant_dict_insert_value(&dict, "QueuedEvents", g_variant_new_uint64(0));
  g_variant_dict_insert_value(&dict, "QueuedBytes", g_variant_new_uint64(282));
  g_variant_dict_insert_value(&dict, "RunningCounts", g_variant_new_uint64(4));
  GVariantPtr v = adopt_variant(g_variant_dict_end(&dict));
  Status s = status_from_properties(v.get());
  EXPECT_EQ(s.running_counts, 4u);
  GTimeZonePtr utc(g_time_zone_new_utc());
  auto queue_line = [&] {
    const std::string text = render_status_text(s, kNow, utc.get());
    const size_t at = text.find("Queue: ");
    return text.substr(at, text.find('\n', at) - at);
  };
  EXPECT_EQ(queue_line(), "Queue: 0 events, 4 running counts (282 B)");
  s.queued_events = 1;
  s.running_counts = 1;
  EXPECT_EQ(queue_line(), "Queue: 1 event, 1 running count (282 B)");
  EXPECT_EQ(status_to_json(s)["running_counts"], 1);
  // A recorder without the property: the events alone, as before.
  s.running_counts.reset();
  EXPECT_EQ(queue_line(), "Queue: 1 event (282 B)");
}

TEST(MetricsctlStatus, JsonOfAnEmptyStatusHasEveryKeyAsNull) {
  const nlohmann::ordered_json j = status_to_json(Status{});
  EXPECT_EQ(j.size(), 14u);
  for (const auto& [key, value] : j.items()) EXPECT_TRUE(value.is_null()) << key;
}

}  // namespace
}  // namespace metrics::cli
