// SPDX-License-Identifier: GPL-2.0-or-later
#include "catalog.hpp"

#include <glib.h>
#include <gtest/gtest.h>

#include <set>
#include <string>

using namespace metrics::instrumentation;

TEST(Catalog, EveryCollectorHasOneEntryWithAValidUuidAndType) {
  std::set<std::string_view> keys;
  for (const auto& entry : kCatalog) {
    EXPECT_EQ(&catalog_entry(entry.id), &entry);
    EXPECT_TRUE(g_uuid_string_is_valid(std::string(entry.event_id).c_str())) << entry.event_id;
    if (!entry.payload_type.empty()) {
      EXPECT_TRUE(g_variant_type_string_is_valid(std::string(entry.payload_type).c_str()));
    }
    EXPECT_TRUE(keys.insert(entry.config_key).second) << "duplicate key " << entry.config_key;
    EXPECT_EQ(collector_by_key(entry.config_key), entry.id);
  }
  EXPECT_EQ(collector_by_key("no-such-collector"), std::nullopt);
}

TEST(Catalog, UuidsAndTypesAreTheApprovedOnes) {
  // Copied from the registry (registry/*.json): a typo here would put events in the
  // wrong server table.
  EXPECT_EQ(catalog_entry(CollectorId::StartupFinished).event_id,
            "bf7e8aed-2932-455c-a28e-d407cfd5aaba");
  EXPECT_EQ(catalog_entry(CollectorId::StartupFinished).payload_type, "(tttttt)");
  EXPECT_EQ(catalog_entry(CollectorId::SessionTime).event_id,
            "5dc0b53c-93f9-4df0-ad6f-bd25e9fe638f");
  EXPECT_EQ(catalog_entry(CollectorId::SessionTime).payload_type, "");
  EXPECT_EQ(catalog_entry(CollectorId::HardwareInfo).event_id,
            "81f303aa-448d-443d-97f9-8d8a9169321c");
  EXPECT_EQ(catalog_entry(CollectorId::HardwareInfo).payload_type, "(uuuua(sqds))");
  EXPECT_EQ(catalog_entry(CollectorId::PrimaryStorage).event_id,
            "af253a97-88ce-4daa-84c6-1157dcf802c5");
  EXPECT_EQ(catalog_entry(CollectorId::PrimaryStorage).payload_type, "(ss)");
  EXPECT_EQ(catalog_entry(CollectorId::HardwareModel).event_id,
            "459fd042-e1c8-4523-9d3e-cab8095a1ca2");
  EXPECT_EQ(catalog_entry(CollectorId::HardwareModel).payload_type, "(sss)");
  EXPECT_EQ(catalog_entry(CollectorId::SystemLocale).event_id,
            "61d6b53a-559d-4ed3-8241-0a337d14bce0");
  EXPECT_EQ(catalog_entry(CollectorId::SystemLocale).payload_type, "s");
  EXPECT_FALSE(catalog_entry(CollectorId::StartupFinished).daily);
  EXPECT_FALSE(catalog_entry(CollectorId::SessionTime).daily);
  EXPECT_TRUE(catalog_entry(CollectorId::HardwareInfo).daily);
  EXPECT_TRUE(catalog_entry(CollectorId::PrimaryStorage).daily);
  EXPECT_TRUE(catalog_entry(CollectorId::HardwareModel).daily);
  EXPECT_TRUE(catalog_entry(CollectorId::SystemLocale).daily);
}
