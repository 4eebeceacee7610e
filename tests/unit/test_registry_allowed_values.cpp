// SPDX-License-Identifier: GPL-2.0-or-later
// Allowed values: a field that lists them refuses every other value (WrongPayloadValue),
// wherever the field is in the payload, and the refusal says where without repeating the
// value. Fixture: tests/fixtures/registry/allowed.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "registry.hpp"
#include "registry_allowed_values.hpp"
#include "registry_doc.hpp"

namespace fs = std::filesystem;

namespace metrics::registry {
namespace {

const fs::path kAllowed = fs::path(METRICS_TEST_FIXTURES_DIR) / "registry" / "allowed";
const Uuid kEditor = Uuid::parse("c3a4f3d2-7a51-4d0c-9b1e-5f0e2d9a6b10").value();
const Uuid kImages = Uuid::parse("8d1f6e2a-3b4c-4e5f-a6b7-c8d9e0f1a2b3").value();
const Uuid kPair = Uuid::parse("1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b").value();

GVariantPtr value(const char* type, const char* text) {
  GVariantPtr v(g_variant_parse(G_VARIANT_TYPE(type), text, nullptr, nullptr, nullptr));
  EXPECT_TRUE(v) << text;
  return v;
}

class AllowedValues : public testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(registry_.problems().empty()); }
  Registry registry_ = Registry::load(kAllowed);
};

TEST_F(AllowedValues, TheFixtureListsAreRead) {
  ASSERT_EQ(registry_.entries().size(), 3u);
  const Entry& editor = *registry_.find(kEditor)->entry;
  EXPECT_EQ(editor.fields.at(0).allowed_values,
            (std::vector<std::string>{"org.gnome.Builder", "code", "org.gnu.emacs"}));
  const Entry& images = *registry_.find(kImages)->entry;
  EXPECT_EQ(images.fields.at(0).allowed_values,
            (std::vector<std::string>{"fedora", "ubuntu", "other"}));
  EXPECT_TRUE(images.fields.at(1).allowed_values.empty());
  EXPECT_TRUE(restricts_values(images.fields));
}

TEST_F(AllowedValues, ListedValuesPass) {
  EXPECT_TRUE(registry_.check(kEditor, value("s", "'org.gnu.emacs'").get()));
  // The monthly twin is checked against the same list.
  EXPECT_TRUE(registry_.check(kEditor.monthly(), value("s", "'code'").get()));
  EXPECT_TRUE(registry_.check(kImages, value("a(ssu)", "@a(ssu) []").get()));
  EXPECT_TRUE(registry_.check(
      kImages, value("a(ssu)", "[('ubuntu', 'free text', 1), ('other', '', 3)]").get()));
  EXPECT_TRUE(registry_.check(kPair, value("(ss)", "('hdd', 'anything at all')").get()));
}

TEST_F(AllowedValues, AnyOtherValueIsRefusedWithWhereButNotWhat) {
  struct Case {
    Uuid id;
    GVariantPtr payload;
    std::string message;
  };
  const Case cases[] = {
      {kEditor, value("s", "'org.example.Secret'"),
       "event c3a4f3d2-7a51-4d0c-9b1e-5f0e2d9a6b10 (editor running): field 'application' holds "
       "a value that is not one of its 3 allowed values (metricsctl registry show "
       "c3a4f3d2-7a51-4d0c-9b1e-5f0e2d9a6b10 lists them)"},
      // Compared exactly: case and surrounding space count.
      {kEditor, value("s", "'Code'"), ""},
      {kEditor, value("s", "' code'"), ""},
      {kEditor, value("s", "''"), ""},
      {kEditor.monthly(), value("s", "'org.example.Secret'"),
       "event " + kEditor.monthly().to_string() +
           " (editor running (monthly)): field 'application' holds a value that is not one of "
           "its 3 allowed values (metricsctl registry show c3a4f3d2-7a51-4d0c-9b1e-5f0e2d9a6b10 "
           "lists them)"},
      {kImages, value("a(ssu)", "[('fedora', '41', 2), ('org.example.Secret', '1', 1)]"),
       "event 8d1f6e2a-3b4c-4e5f-a6b7-c8d9e0f1a2b3 (container images): field "
       "'[2].distribution' holds a value that is not one of its 3 allowed values (metricsctl "
       "registry show 8d1f6e2a-3b4c-4e5f-a6b7-c8d9e0f1a2b3 lists them)"},
      {kPair, value("(ss)", "('nvme', 'ssd')"),
       "event 1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b (disk pair): field 'media' holds a value "
       "that is not one of its 2 allowed values (metricsctl registry show "
       "1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b lists them)"},
  };
  for (const Case& c : cases) {
    const GCharPtr shown(g_variant_print(c.payload.get(), FALSE));
    SCOPED_TRACE(shown.get());
    auto r = registry_.check(c.id, c.payload.get());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kWrongPayloadValue);
    if (!c.message.empty()) {
      EXPECT_EQ(r.error().message, c.message);
    }
    EXPECT_EQ(r.error().message.find("Secret"), std::string::npos);
    // The same for every way of recording it (a monthly twin is never recorded).
    if (registry_.find(c.id)->monthly) continue;
    const Kind kind = registry_.find(c.id)->entry->kind;
    auto recorded = registry_.check_recording(c.id, kind, c.payload.get());
    ASSERT_FALSE(recorded);
    EXPECT_EQ(recorded.error().code, ErrorCode::kWrongPayloadValue);
  }
}

TEST_F(AllowedValues, TheTypeIsCheckedFirst) {
  auto r = registry_.check(kEditor, value("u", "3").get());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kWrongPayloadType);
}

TEST_F(AllowedValues, FindDisallowedValueNamesNestedFields) {
  const Entry& images = *registry_.find(kImages)->entry;
  auto found = find_disallowed_value(
      images, value("a(ssu)", "[('fedora', '1', 1), ('ubuntu', '2', 1), ('arch', '3', 1)]").get());
  ASSERT_TRUE(found);
  EXPECT_EQ(found->field, "[3].distribution");
  EXPECT_EQ(found->allowed_count, 3u);
  EXPECT_FALSE(find_disallowed_value(images, nullptr));
}

TEST_F(AllowedValues, TheUserPageListsThem) {
  const std::string page = render_user_page(registry_);
  EXPECT_NE(page.find("\n`application` may only be one of these 3 values (the recorder refuses "
                      "any other): `org.gnome.Builder`, `code`, `org.gnu.emacs`.\n"),
            page.npos)
      << page;
  EXPECT_NE(page.find("\n`distribution` may only be one of these 3 values (the recorder refuses "
                      "any other): `fedora`, `ubuntu`, `other`.\n"),
            page.npos)
      << page;
  EXPECT_EQ(page.find("`release` may only"), page.npos);
}

}  // namespace
}  // namespace metrics::registry
