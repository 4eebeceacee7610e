// SPDX-License-Identifier: GPL-2.0-or-later
#include "daily_payload.hpp"

#include <gtest/gtest.h>

#include "fixture_paths.hpp"

using namespace metrics::instrumentation;
using metrics::instrumentation::testing::fixture;
using metrics::instrumentation::testing::read_fixture;

TEST(DailyPayload, EveryDailyCollectorSendsExactlyTheCatalogType) {
  SourceTree tree(fixture("storage/nvme-btrfs-luks"));
  DailySources sources{tree};
  sources.root_fs = FilesystemBytes{100, 50, 40};
  sources.lscpu_output = read_fixture("lscpu/good-arm-board.json");
  int daily = 0;
  for (const auto& entry : kCatalog) {
    auto payload = daily_payload(entry.id, sources);
    if (!entry.daily) {
      EXPECT_EQ(payload.value, nullptr) << entry.config_key;
      continue;
    }
    ++daily;
    ASSERT_NE(payload.value, nullptr) << entry.config_key;
    EXPECT_EQ(g_variant_get_type_string(payload.value.get()), entry.payload_type)
        << entry.config_key;
    EXPECT_FALSE(g_variant_is_floating(payload.value.get()));
  }
  EXPECT_EQ(daily, 4);
}

TEST(DailyPayload, DBusValuesAreUsedWhenGiven) {
  SourceTree tree(fixture("dmi/lenovo-laptop"));
  DailySources sources{tree};
  sources.hostname1 = Hostname1Values{"Lenovo", "X1", "convertible"};
  sources.locale1 = std::vector<std::string>{"LANG=sr_RS.UTF-8@latin"};
  auto model = daily_payload(CollectorId::HardwareModel, sources);
  metrics::GCharPtr text(g_variant_print(model.value.get(), FALSE));
  EXPECT_STREQ(text.get(), "('Lenovo', 'X1', 'convertible')");
  auto locale = daily_payload(CollectorId::SystemLocale, sources);
  EXPECT_STREQ(g_variant_get_string(locale.value.get(), nullptr), "sr_RS");
}

TEST(DailyPayload, UngatheredSourcesBecomeFallbacksWithWarnings) {
  SourceTree tree(fixture("dmi/missing"));
  DailySources sources{tree};
  auto info = daily_payload(CollectorId::HardwareInfo, sources);
  metrics::GCharPtr text(g_variant_print(info.value.get(), FALSE));
  EXPECT_STREQ(text.get(), "(0, 0, 0, 0, [('', 0, 0.0, '')])");
  EXPECT_EQ(info.warnings.size(), 3u);
}
