// SPDX-License-Identifier: GPL-2.0-or-later
#include "lscpu_json.hpp"

#include <gtest/gtest.h>

#include "collectors/hardware_info.hpp"
#include "fixture_paths.hpp"

using namespace metrics::instrumentation;
using metrics::instrumentation::testing::read_fixture;

namespace {

// The a(sqds) part of the payload, printed by GLib, for comparison with the catalog.
std::string cpus_text(const std::vector<CpuGroup>& cpus) {
  HardwareInfo info;
  info.cpus = cpus;
  auto variant = to_variant(info);
  metrics::GVariantPtr array(g_variant_get_child_value(variant.get(), 4));
  metrics::GCharPtr text(g_variant_print(array.get(), FALSE));
  return text.get();
}

std::string parse_fixture(const std::string& name) {
  return cpus_text(parse_lscpu_json(read_fixture("lscpu/" + name)).value);
}

constexpr const char* kFallback = "[('', 0, 0.0, '')]";

}  // namespace

TEST(LscpuJson, X86Laptop) {
  auto cpus = parse_lscpu_json(read_fixture("lscpu/good-x86-laptop.json"));
  ASSERT_EQ(cpus.value.size(), 1u);
  EXPECT_EQ(cpus.value[0].model, "11th Gen Intel(R) Core(TM) i7-1165G7 @ 2.80GHz");
  EXPECT_EQ(cpus.value[0].count, 8);
  EXPECT_DOUBLE_EQ(cpus.value[0].max_mhz, 4700.0);
  EXPECT_EQ(cpus.value[0].flags.rfind("fpu vme de pse", 0), 0u);
  EXPECT_NE(cpus.value[0].flags.find("avx512f"), std::string::npos);
  EXPECT_TRUE(cpus.warnings.empty());
}

TEST(LscpuJson, HierarchicShapeGivesTheSameAsFlat) {
  EXPECT_EQ(parse_fixture("good-x86-laptop-hierarchic.json"),
            parse_fixture("good-x86-laptop.json"));
  EXPECT_TRUE(
      parse_lscpu_json(read_fixture("lscpu/good-x86-laptop-hierarchic.json")).warnings.empty())
      << "section headers with null data are not damage";
}

TEST(LscpuJson, ArmBoard) {
  EXPECT_EQ(parse_fixture("good-arm-board.json"),
            "[('Cortex-A72', 4, 1800.0, 'fp asimd evtstrm crc32 cpuid')]");
}

TEST(LscpuJson, ArmBigLittleGivesOneElementPerCoreType) {
  EXPECT_EQ(parse_fixture("good-arm-biglittle.json"),
            "[('Cortex-A53', 4, 1416.0, 'fp asimd evtstrm aes pmull sha1 sha2 crc32 cpuid'), "
            "('Cortex-A72', 2, 1800.0, 'fp asimd evtstrm aes pmull sha1 sha2 crc32 cpuid')]");
}

TEST(LscpuJson, VmWithoutMaxMhzUsesCurrentMhz) {
  EXPECT_EQ(parse_fixture("good-vm-no-max-mhz.json"),
            "[('AMD EPYC 7B13', 2, 2449.998, 'fpu vme de pse tsc msr pae mce cx8 apic sep "
            "hypervisor')]");
}

// Each malformed shape gives the catalog's fallback, or per-field fallbacks where some
// fields are still usable.
struct MalformedCase {
  const char* file;
  const char* expected;
};

class LscpuMalformed : public ::testing::TestWithParam<MalformedCase> {};

TEST_P(LscpuMalformed, GivesTheCatalogFallbacks) {
  const auto& c = GetParam();
  auto reading = parse_lscpu_json(read_fixture(std::string("lscpu/") + c.file));
  EXPECT_EQ(cpus_text(reading.value), c.expected);
  EXPECT_FALSE(reading.warnings.empty()) << "a fallback is always explained";
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, LscpuMalformed,
    ::testing::Values(MalformedCase{"bad-truncated.json", kFallback},
                      MalformedCase{"bad-empty-output.json", kFallback},
                      MalformedCase{"bad-not-json.json", kFallback},
                      MalformedCase{"bad-invalid-utf8.json", kFallback},
                      MalformedCase{"bad-top-level-array.json", kFallback},
                      MalformedCase{"bad-empty-object.json", kFallback},
                      MalformedCase{"bad-lscpu-not-array.json", kFallback},
                      MalformedCase{"bad-array-of-scalars.json", kFallback},
                      MalformedCase{"bad-empty-entries.json", kFallback},
                      MalformedCase{"bad-no-field.json", kFallback},
                      MalformedCase{"bad-no-data.json", kFallback},
                      MalformedCase{"bad-field-not-string.json", kFallback},
                      MalformedCase{"bad-data-not-string.json", kFallback},
                      MalformedCase{"bad-missing-fields.json", kFallback},
                      MalformedCase{"bad-wrong-data-types.json", "[('hello', 0, 0.0, '')]"},
                      MalformedCase{"bad-locale-decimal-comma.json",
                                    "[('Cortex-A72', 4, 0.0, '')]"},
                      MalformedCase{"bad-number-ranges.json", "[('Cortex-A72', 0, 0.0, '')]"},
                      MalformedCase{"bad-negative-count.json", "[('Cortex-A72', 0, 1500.5, '')]"}),
    [](const ::testing::TestParamInfo<MalformedCase>& param_info) {
      std::string name = param_info.param.file;
      name = name.substr(0, name.find('.'));
      for (auto& c : name)
        if (c == '-') c = '_';
      return name;
    });

TEST(LscpuJson, FieldsBeforeTheModelNameBelongToIt) {
  // Older lscpu (the reference's XPS 13 output) prints topology before "Model name:".
  auto cpus = parse_lscpu_json(R"({"lscpu": [
      {"field": "CPU(s):", "data": "4"},
      {"field": "CPU max MHz:", "data": "3000.0000"},
      {"field": "Model name:", "data": "Intel(R) Core(TM) i7-5500U CPU @ 2.40GHz"},
      {"field": "CPU MHz:", "data": "1448.337"},
      {"field": "Flags:", "data": "fpu vme"}]})");
  EXPECT_EQ(cpus_text(cpus.value),
            "[('Intel(R) Core(TM) i7-5500U CPU @ 2.40GHz', 4, 3000.0, 'fpu vme')]");
}

TEST(LscpuJson, ControlCharactersNeverReachThePayload) {
  auto cpus =
      parse_lscpu_json(R"({"lscpu": [{"field": "Model name:", "data": "Fancy\u0000CPU\nX"}]})");
  ASSERT_EQ(cpus.value.size(), 1u);
  EXPECT_EQ(cpus.value[0].model, "Fancy CPU X");
}
