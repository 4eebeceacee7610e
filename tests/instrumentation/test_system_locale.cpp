// SPDX-License-Identifier: GPL-2.0-or-later
#include "collectors/system_locale.hpp"

#include <gtest/gtest.h>

#include "fixture_paths.hpp"

using namespace metrics::instrumentation;
using metrics::instrumentation::testing::fixture;

namespace {

std::string from_tree(const std::string& name,
                      const std::optional<std::vector<std::string>>& locale1 = std::nullopt) {
  return collect_system_locale(SourceTree(fixture("locale/" + name)), locale1).value;
}

}  // namespace

TEST(SystemLocale, NormalizesAsTheCatalogSays) {
  EXPECT_EQ(normalize_locale("de_DE.UTF-8"), "de_DE");
  EXPECT_EQ(normalize_locale("sr_RS.UTF-8@latin"), "sr_RS");
  EXPECT_EQ(normalize_locale("sr_RS@latin"), "sr_RS");
  EXPECT_EQ(normalize_locale("C.UTF-8"), "C");
  EXPECT_EQ(normalize_locale("C"), "C");
  EXPECT_EQ(normalize_locale("POSIX"), "POSIX");
  EXPECT_EQ(normalize_locale("pt_BR.utf8"), "pt_BR");
  EXPECT_EQ(normalize_locale("es_419.UTF-8"), "es_419");
  EXPECT_EQ(normalize_locale("ast_ES.UTF-8"), "ast_ES");
  EXPECT_EQ(normalize_locale("eo.UTF-8"), "eo");
}

TEST(SystemLocale, RefusesAnythingThatIsNotALocaleName) {
  for (const char* bad : {"", "d_DE", "de_de", "DE_DE", "de_DEU", "$(cat /etc/shadow)", "../../etc",
                          "de_DE x", "C.UTF-8 ; rm", "de_DE.UTF-8@", "de_DE.@x", "english"})
    EXPECT_EQ(normalize_locale(bad), std::nullopt) << bad;
  EXPECT_EQ(normalize_locale("de"), "de") << "a language without territory is kept as set";
}

TEST(SystemLocale, FromLocaleConfFixtures) {
  EXPECT_EQ(from_tree("de"), "de_DE");
  EXPECT_EQ(from_tree("sr-latin"), "sr_RS");
  EXPECT_EQ(from_tree("c-utf8"), "C");
  EXPECT_EQ(from_tree("commented"), "pt_BR") << "comments and LC_* are not LANG";
}

TEST(SystemLocale, MissingOrGarbageGivesTheFallback) {
  auto missing = collect_system_locale(SourceTree(fixture("locale/missing")), std::nullopt);
  EXPECT_EQ(missing.value, "unknown");
  EXPECT_FALSE(missing.warnings.empty());
  EXPECT_EQ(from_tree("garbage"), "unknown");
}

TEST(SystemLocale, Locale1ComesFirst) {
  EXPECT_EQ(from_tree("de", std::vector<std::string>{"LC_TIME=en_GB.UTF-8", "LANG=fr_FR.UTF-8"}),
            "fr_FR");
  EXPECT_EQ(from_tree("missing", std::vector<std::string>{"LANG=sr_RS.UTF-8@latin"}), "sr_RS");
}

TEST(SystemLocale, LocaleConfIsSecondWhenLocale1HasNoUsableLang) {
  EXPECT_EQ(from_tree("de", std::vector<std::string>{"LC_TIME=en_GB.UTF-8"}), "de_DE");
  EXPECT_EQ(from_tree("de", std::vector<std::string>{"LANG=not a locale"}), "de_DE");
  EXPECT_EQ(from_tree("missing", std::vector<std::string>{}), "unknown");
}

TEST(SystemLocale, LocaleConfSyntax) {
  EXPECT_EQ(lang_from_locale_conf("LANG=a\nLANG=\"b\"\n"), "b") << "last assignment wins";
  EXPECT_EQ(lang_from_locale_conf("  # LANG=x\n"), std::nullopt);
  EXPECT_EQ(lang_from_locale_conf("LANGUAGE=de:en\n"), std::nullopt);
  EXPECT_EQ(lang_from_locale_conf("export LANG='de_AT.UTF-8'"), "de_AT.UTF-8");
}

TEST(SystemLocale, PayloadIsAString) {
  auto variant = to_variant_locale("de_DE");
  EXPECT_STREQ(g_variant_get_type_string(variant.get()), "s");
  EXPECT_STREQ(g_variant_get_string(variant.get(), nullptr), "de_DE");
}
