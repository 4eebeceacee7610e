// SPDX-License-Identifier: GPL-2.0-or-later
// Protocol-3 body encoding/decoding against the golden vectors captured from the
// reference client, plus refusal of hostile bodies.
#include "wire.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

namespace metrics::wire {
namespace {

std::vector<uint8_t> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << "cannot open " << path;
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in) << "cannot open " << path;
  std::string s{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

std::string vector_path(const std::string& file) {
  return std::string(METRICS_VECTORS_DIR) + "/" + file;
}

GVariantPtr parse_text(const std::string& text) {
  GErrorOut err;
  // g_variant_parse returns a non-floating reference: own it without sinking.
  GVariantPtr v(
      g_variant_parse(G_VARIANT_TYPE(kRequestType), text.c_str(), nullptr, nullptr, err.out()));
  EXPECT_FALSE(err) << err.message();
  return v;
}

std::vector<uint8_t> to_vector(GBytes* bytes) {
  gsize size = 0;
  const auto* data = static_cast<const uint8_t*>(g_bytes_get_data(bytes, &size));
  return {data, data + size};
}

std::vector<uint8_t> serialize(GVariant* v) {
  GBytesPtr bytes(g_variant_get_data_as_bytes(v));
  return to_vector(bytes.get());
}

std::string print(GVariant* v) {
  GCharPtr text(g_variant_print(v, TRUE));
  return text.get();
}

GVariantPtr child(GVariant* v, size_t i) {
  return GVariantPtr(g_variant_get_child_value(v, i));
}

std::string child_string(GVariant* v, size_t i) {
  return g_variant_get_string(child(v, i).get(), nullptr);
}

Uuid child_uuid(GVariant* event) {
  GVariantPtr ay = child(event, 0);
  gsize n = 0;
  const auto* data = static_cast<const uint8_t*>(g_variant_get_fixed_array(ay.get(), &n, 1));
  auto id = Uuid::from_bytes(std::span<const uint8_t>(data, n));
  EXPECT_TRUE(id.has_value()) << "vector has a " << n << "-byte event id";
  return id.value_or(Uuid{});
}

// Compares a `mv` from the parsed text with a decoded payload.
void expect_same_payload(GVariant* maybe, const GVariantPtr& decoded, const std::string& where) {
  GVariantPtr boxed(g_variant_get_maybe(maybe));
  if (!boxed) {
    EXPECT_EQ(decoded, nullptr) << where << ": expected no payload";
    return;
  }
  ASSERT_NE(decoded, nullptr) << where << ": payload missing";
  GVariantPtr inner(g_variant_get_variant(boxed.get()));
  EXPECT_TRUE(g_variant_equal(inner.get(), decoded.get())) << where;
  EXPECT_EQ(print(inner.get()), print(decoded.get())) << where;
}

// Field-by-field comparison with the parsed .txt, read straight through the GVariant API so
// it does not depend on from_variant().
void expect_matches_text(const Request& r, GVariant* expected) {
  EXPECT_EQ(r.relative_ns, g_variant_get_int64(child(expected, 0).get()));
  EXPECT_EQ(r.absolute_ns, g_variant_get_int64(child(expected, 1).get()));
  EXPECT_EQ(r.image_id, child_string(expected, 2));

  GVariantPtr labels = child(expected, 3);
  ASSERT_EQ(r.site_labels.size(), g_variant_n_children(labels.get()));
  for (size_t i = 0; i < r.site_labels.size(); ++i) {
    GVariantPtr entry = child(labels.get(), i);
    EXPECT_EQ(r.site_labels[i].first, child_string(entry.get(), 0));
    EXPECT_EQ(r.site_labels[i].second, child_string(entry.get(), 1));
  }

  EXPECT_EQ(r.boot_flags, g_variant_get_byte(child(expected, 4).get()));

  GVariantPtr singulars = child(expected, 5);
  ASSERT_EQ(r.singulars.size(), g_variant_n_children(singulars.get()));
  for (size_t i = 0; i < r.singulars.size(); ++i) {
    const std::string where = "singular " + std::to_string(i);
    GVariantPtr e = child(singulars.get(), i);
    const SingularEvent& got = r.singulars[i];
    EXPECT_EQ(got.event_id, child_uuid(e.get())) << where;
    EXPECT_EQ(got.os_version, child_string(e.get(), 1)) << where;
    EXPECT_EQ(got.relative_ns, g_variant_get_int64(child(e.get(), 2).get())) << where;
    expect_same_payload(child(e.get(), 3).get(), got.payload, where);
  }

  GVariantPtr aggregates = child(expected, 6);
  ASSERT_EQ(r.aggregates.size(), g_variant_n_children(aggregates.get()));
  for (size_t i = 0; i < r.aggregates.size(); ++i) {
    const std::string where = "aggregate " + std::to_string(i);
    GVariantPtr e = child(aggregates.get(), i);
    const AggregateEvent& got = r.aggregates[i];
    EXPECT_EQ(got.event_id, child_uuid(e.get())) << where;
    EXPECT_EQ(got.os_version, child_string(e.get(), 1)) << where;
    EXPECT_EQ(got.period, child_string(e.get(), 2)) << where;
    EXPECT_EQ(got.count, g_variant_get_uint32(child(e.get(), 3).get())) << where;
    expect_same_payload(child(e.get(), 4).get(), got.payload, where);
  }
}

Result<Request> decode_bytes(const std::vector<uint8_t>& body) {
  return decode(std::span<const uint8_t>(body.data(), body.size()));
}

void expect_invalid(const Result<Request>& r, const std::string& what) {
  ASSERT_FALSE(r.ok()) << what << " was accepted";
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidRequest) << what;
  EXPECT_FALSE(r.error().message.empty()) << what;
}

struct VectorCase {
  const char* name;
  const char* sha512;  // from tests/fixtures/vectors/README.md
};

void PrintTo(const VectorCase& c, std::ostream* os) {
  *os << c.name;
}

class WireVector : public ::testing::TestWithParam<VectorCase> {
 protected:
  std::vector<uint8_t> body() const {
    return read_bytes(vector_path(std::string(GetParam().name) + ".body"));
  }
  std::string text() const { return read_text(vector_path(std::string(GetParam().name) + ".txt")); }
};

TEST_P(WireVector, EncodeFromTextMatchesBody) {
  GVariantPtr parsed = parse_text(text());
  ASSERT_NE(parsed, nullptr);
  auto request = from_variant(parsed.get());
  ASSERT_TRUE(request.ok()) << request.error().message;
  GBytesPtr encoded = encode(*request);
  ASSERT_NE(encoded, nullptr);
  const std::vector<uint8_t> expected = body();
  ASSERT_FALSE(expected.empty());
  EXPECT_EQ(to_vector(encoded.get()), expected);
}

TEST_P(WireVector, DecodeMatchesText) {
  GVariantPtr parsed = parse_text(text());
  ASSERT_NE(parsed, nullptr);
  auto decoded = decode_bytes(body());
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  expect_matches_text(*decoded, parsed.get());
}

TEST_P(WireVector, DecodedPrintsAsText) {
  auto decoded = decode_bytes(body());
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  GVariantPtr v = to_variant(*decoded);
  EXPECT_EQ(print(v.get()), text());
}

TEST_P(WireVector, Sha512MatchesReadme) {
  const std::vector<uint8_t> b = body();
  ASSERT_FALSE(b.empty());
  EXPECT_EQ(sha512_hex(std::span<const uint8_t>(b.data(), b.size())), GetParam().sha512);
}

TEST_P(WireVector, EveryTruncationIsRefused) {
  const std::vector<uint8_t> b = body();
  for (size_t len = 0; len < b.size(); ++len) {
    expect_invalid(decode(std::span<const uint8_t>(b.data(), len)),
                   "prefix of " + std::to_string(len) + " bytes");
  }
}

TEST_P(WireVector, SerializedSizeIsElementSize) {
  const std::vector<uint8_t> b = body();
  auto decoded = decode_bytes(b);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  GVariantPtr v = to_variant(*decoded);
  GVariantPtr singulars = child(v.get(), 5);
  ASSERT_EQ(decoded->singulars.size(), g_variant_n_children(singulars.get()));
  for (size_t i = 0; i < decoded->singulars.size(); ++i) {
    EXPECT_EQ(serialized_size(decoded->singulars[i]),
              g_variant_get_size(child(singulars.get(), i).get()))
        << "singular " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Vectors, WireVector,
    ::testing::Values(
        VectorCase{"v3-singulars",
                   "dbc77e2399fc2046c96a9dc1ace52ebc1590ba8f03a8e2f633b56807a3f38ed5612f59298919f2"
                   "45c8f1208f460c3caa76a2552f7799cd3bd9ee58e0f3f44552"},
        VectorCase{"v3-empty",
                   "3c947140f6a865f7bb51b9d41c135d89b8ef5836cf7b46f661c537c3d5996c2ecf6f2b9ca50e78"
                   "aa6040a55e1b1a3323d72301d2a535d7aed342c790de89a088"},
        VectorCase{"v3-aggregates",
                   "194783633e66fd45a27a81adb4de11e2edea9bf017ec808772c67a7640c04d092df2d2a695e2bf"
                   "bffc6ff0ea9517d1c2f039fb324a27504476f1bc1f9b45695b"}),
    [](const ::testing::TestParamInfo<VectorCase>& param_info) {
      std::string n = param_info.param.name;
      for (char& c : n)
        if (c == '-') c = '_';
      return n;
    });

// Spot checks with values written out here, so a bug shared by decode() and the
// text comparison above still shows up.
TEST(WireDecode, SingularsKnownValues) {
  auto r = decode_bytes(read_bytes(vector_path("v3-singulars.body")));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->relative_ns, 24846923984687);
  EXPECT_EQ(r->absolute_ns, 1795922294103468195);
  EXPECT_EQ(r->image_id, "unknown");
  EXPECT_TRUE(r->site_labels.empty());
  EXPECT_EQ(r->boot_flags, 0);
  EXPECT_TRUE(r->aggregates.empty());
  ASSERT_EQ(r->singulars.size(), 5u);
  const char* ids[] = {
      "bf7e8aed-2932-455c-a28e-d407cfd5aaba", "81f303aa-448d-443d-97f9-8d8a9169321c",
      "5071dd96-bdad-4ee5-9c26-3dfef34a9963", "61d6b53a-559d-4ed3-8241-0a337d14bce0",
      "af253a97-88ce-4daa-84c6-1157dcf802c5"};
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(r->singulars[i].event_id.to_string(), ids[i]);
    EXPECT_EQ(r->singulars[i].os_version, "12 (bookworm)");
    EXPECT_EQ(r->singulars[i].relative_ns, static_cast<int64_t>(5 + i) * 1000000000);
  }
  ASSERT_NE(r->singulars[0].payload, nullptr);
  EXPECT_STREQ(g_variant_get_type_string(r->singulars[0].payload.get()), "(tttttt)");
  ASSERT_NE(r->singulars[1].payload, nullptr);
  EXPECT_STREQ(g_variant_get_type_string(r->singulars[1].payload.get()), "(uuuua(sqds))");
  EXPECT_EQ(r->singulars[2].payload, nullptr);
  ASSERT_NE(r->singulars[3].payload, nullptr);
  EXPECT_STREQ(g_variant_get_string(r->singulars[3].payload.get(), nullptr), "de_DE");
  ASSERT_NE(r->singulars[4].payload, nullptr);
  EXPECT_STREQ(g_variant_get_type_string(r->singulars[4].payload.get()), "a{sv}");
  // (16-byte ay, "12 (bookworm)\0", pad to 8, x, empty mv, two 1-byte offsets.
  EXPECT_EQ(serialized_size(r->singulars[2]), 42u);
}

TEST(WireDecode, AggregatesKnownValues) {
  auto r = decode_bytes(read_bytes(vector_path("v3-aggregates.body")));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->relative_ns, 24891614517428);
  EXPECT_EQ(r->absolute_ns, 1795922338794000827);
  EXPECT_TRUE(r->singulars.empty());
  ASSERT_EQ(r->aggregates.size(), 4u);
  struct Want {
    const char* id;
    const char* period;
    uint32_t count;
    const char* app;  // null: no payload
  };
  const Want want[] = {
      {"49d0451a-f706-4f50-81d2-70cc0ec923a4", "2026-11-28", 3725, "org.gnome.Builder.desktop"},
      {"5dc0b53c-93f9-4df0-ad6f-bd25e9fe638f", "2026-11-28", 14400, nullptr},
      {"22cdaa7c-e125-5f65-a535-c8345e5434f2", "2026-10", 86400, "org.gnome.Builder.desktop"},
      {"2ee16e97-2993-5dcc-b9d2-841152520ad6", "2026-10", 3, nullptr},
  };
  for (size_t i = 0; i < 4; ++i) {
    const AggregateEvent& e = r->aggregates[i];
    EXPECT_EQ(e.event_id.to_string(), want[i].id) << i;
    EXPECT_EQ(e.os_version, "12 (bookworm)") << i;
    EXPECT_EQ(e.period, want[i].period) << i;
    EXPECT_EQ(e.count, want[i].count) << i;
    if (want[i].app) {
      ASSERT_NE(e.payload, nullptr) << i;
      EXPECT_STREQ(g_variant_get_string(e.payload.get(), nullptr), want[i].app) << i;
    } else {
      EXPECT_EQ(e.payload, nullptr) << i;
    }
  }
}

TEST(WireRoundTrip, LabelsFlagsAndPayloads) {
  Request req;
  req.relative_ns = 123;
  req.absolute_ns = -456;
  req.image_id = "eos-eos6.0-amd64.251105";
  req.site_labels = {{"id", "42"}, {"city", "Lagos"}, {"country", "NG"}};
  req.boot_flags = 0x3;
  SingularEvent s;
  s.event_id = *Uuid::parse("bf7e8aed-2932-455c-a28e-d407cfd5aaba");
  s.os_version = "6.0";
  s.relative_ns = 999;
  s.payload = adopt_variant(g_variant_new_parsed("{'a': <1>, 'b': <'x'>}"));
  req.singulars.push_back(std::move(s));
  AggregateEvent a;
  a.event_id = *Uuid::parse("5dc0b53c-93f9-4df0-ad6f-bd25e9fe638f");
  a.os_version = "6.0";
  a.period = "2026-11";
  a.count = 4000000000u;
  req.aggregates.push_back(std::move(a));

  GBytesPtr encoded = encode(req);
  const std::vector<uint8_t> body = to_vector(encoded.get());
  auto back = decode_bytes(body);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->relative_ns, 123);
  EXPECT_EQ(back->absolute_ns, -456);
  EXPECT_EQ(back->image_id, req.image_id);
  EXPECT_EQ(back->site_labels, req.site_labels);  // order preserved
  EXPECT_EQ(back->boot_flags, 0x3);
  ASSERT_EQ(back->singulars.size(), 1u);
  EXPECT_EQ(back->singulars[0].event_id, req.singulars[0].event_id);
  EXPECT_EQ(back->singulars[0].relative_ns, 999);
  ASSERT_NE(back->singulars[0].payload, nullptr);
  EXPECT_TRUE(g_variant_equal(back->singulars[0].payload.get(), req.singulars[0].payload.get()));
  ASSERT_EQ(back->aggregates.size(), 1u);
  EXPECT_EQ(back->aggregates[0].count, 4000000000u);
  EXPECT_EQ(back->aggregates[0].period, "2026-11");
  EXPECT_EQ(back->aggregates[0].payload, nullptr);
  // Re-encoding the decoded request is byte-identical.
  GBytesPtr again = encode(*back);
  EXPECT_EQ(to_vector(again.get()), body);
}

TEST(WireFromVariant, RefusesOtherTypeAndNull) {
  GVariantPtr other = adopt_variant(g_variant_new_parsed("(int64 1, int64 2, 'x')"));
  expect_invalid(from_variant(other.get()), "(xxs) value");
  expect_invalid(from_variant(nullptr), "null value");
}

TEST(WireHostile, EmptyBody) {
  expect_invalid(decode(std::span<const uint8_t>()), "empty body");
}

TEST(WireHostile, RandomBytes) {
  std::mt19937 rng(20261128);  // fixed seed: deterministic
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<size_t> length(1, 700);
  for (int trial = 0; trial < 500; ++trial) {
    std::vector<uint8_t> junk(length(rng));
    for (uint8_t& b : junk) b = static_cast<uint8_t>(byte(rng));
    expect_invalid(decode_bytes(junk),
                   "random body #" + std::to_string(trial) + " of " + std::to_string(junk.size()));
  }
}

TEST(WireHostile, BodyOfAnotherType) {
  const char* others[] = {
      "(int64 1, int64 2, 'unknown')",
      // Protocol-2-like: no site labels/flags, aggregates in the singular shape.
      "(int64 1, int64 2, 'unknown', [([byte 0xbf, 0x7e, 0x8a, 0xed, 0x29, 0x32, 0x45, 0x5c, 0xa2, "
      "0x8e, 0xd4, 0x07, 0xcf, 0xd5, 0xaa, 0xba], '12', int64 5, @mv nothing)])",
      // Right shape up to the aggregates, which have the singular element type.
      "(int64 1, int64 2, 'unknown', @a{ss} {}, byte 0, @a(aysxmv) [], [([byte 0xbf, 0x7e, 0x8a, "
      "0xed, 0x29, 0x32, 0x45, 0x5c, 0xa2, 0x8e, 0xd4, 0x07, 0xcf, 0xd5, 0xaa, 0xba], '12', "
      "int64 5, @mv <'x'>)])",
      "'just a string'",
  };
  for (const char* text : others) {
    GErrorOut err;
    GVariantPtr v(g_variant_parse(nullptr, text, nullptr, nullptr, err.out()));
    ASSERT_FALSE(err) << err.message();
    expect_invalid(decode_bytes(serialize(v.get())), text);
  }
}

TEST(WireHostile, NonNormalForm) {
  // The last bytes of a tuple are its framing offsets; the final one is where the
  // image id string ends. Moving it makes the body inconsistent.
  std::vector<uint8_t> b = read_bytes(vector_path("v3-singulars.body"));
  ASSERT_TRUE(decode_bytes(b).ok());
  std::vector<uint8_t> flipped = b;
  flipped.back() ^= 0x01;
  expect_invalid(decode_bytes(flipped), "singulars with its last offset byte flipped");
  flipped = b;
  flipped[flipped.size() - 3] ^= 0x40;
  expect_invalid(decode_bytes(flipped), "singulars with another offset byte flipped");

  // Non-zero padding is readable but not normal form: byte 26 of the empty vector is
  // alignment padding between the flags byte and the 8-aligned singular array.
  std::vector<uint8_t> e = read_bytes(vector_path("v3-empty.body"));
  ASSERT_TRUE(decode_bytes(e).ok());
  ASSERT_GT(e.size(), 26u);
  ASSERT_EQ(e[26], 0);
  e[26] = 0x01;
  expect_invalid(decode_bytes(e), "empty vector with non-zero padding");
}

std::string request_with_singular_id(const std::string& id_bytes) {
  return "(int64 1, int64 2, 'unknown', @a{ss} {}, byte 0, [(@ay [" + id_bytes +
         "], '12', int64 5, @mv nothing)], @a(ayssumv) [])";
}

std::string request_with_aggregate_id(const std::string& id_bytes) {
  return "(int64 1, int64 2, 'unknown', @a{ss} {}, byte 0, @a(aysxmv) [], [(@ay [" + id_bytes +
         "], '12', '2026-11', uint32 1, @mv nothing)])";
}

TEST(WireHostile, EventIdNotSixteenBytes) {
  const std::string b15 =
      "0x49, 0xd0, 0x45, 0x1a, 0xf7, 0x06, 0x4f, 0x50, 0x81, 0xd2, 0x70, 0xcc, 0x0e, 0xc9, 0x23";
  const std::string b16 = b15 + ", 0xa4";
  const std::string b17 = b16 + ", 0x00";
  for (const auto& make : {request_with_singular_id, request_with_aggregate_id}) {
    // 16 bytes is accepted, so the refusals below are about the length alone.
    GVariantPtr good = parse_text(make(b16));
    ASSERT_NE(good, nullptr);
    ASSERT_TRUE(decode_bytes(serialize(good.get())).ok());

    for (const std::string& bad : {b15, b17, std::string()}) {
      GVariantPtr v = parse_text(make(bad));
      ASSERT_NE(v, nullptr);
      auto r = decode_bytes(serialize(v.get()));
      expect_invalid(r, make(bad));
      if (!r.ok()) {
        EXPECT_NE(r.error().message.find("16-byte"), std::string::npos) << r.error().message;
      }
      // from_variant applies the same rule to an in-memory value.
      expect_invalid(from_variant(v.get()), "from_variant " + make(bad));
    }
  }
}

TEST(WireSha512, KnownDigests) {
  EXPECT_EQ(sha512_hex({}),
            "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff83"
            "18d2877eec2f63b931bd47417a81a538327af927da3e");
  const std::string abc = "abc";
  EXPECT_EQ(sha512_hex(
                std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(abc.data()), abc.size())),
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba"
            "3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
}

}  // namespace
}  // namespace metrics::wire

namespace metrics::wire {
namespace {

// A random payload of many shapes (fixed- and variable-size, nested, containers).
GVariantPtr random_payload(std::mt19937& rng) {
  // Longer than a line: split here, outside the list, where two literals are not a missing comma.
  static const char* const kSixCounters =
      "(uint64 1200000, uint64 350000, uint64 1500000, uint64 2100000, uint64 9800000, uint64 "
      "14950000)";
  static const char* const kShapes[] = {
      "'de_DE'",
      "''",
      "uint32 7",
      kSixCounters,
      "(uint32 15872, uint32 475, uint32 120, uint32 331, [('Intel', uint16 8, 4600.0, 'fpu')])",
      "{'rotational': <false>, 'bus': <'nvme'>}",
      "('nvme', 'ssd')",
      "[byte 1, 2, 3]",
      "@as []",
      "<<int16 -3>>",
      "(true, byte 0x7f, int64 -1, 3.5)",
      "[(uint32 1, 'a'), (2, 'bb'), (3, '')]",
      "@m(ii) nothing",
      "just @(ii) (1, 2)",
  };
  std::uniform_int_distribution<size_t> pick(0, std::size(kShapes));
  const size_t i = pick(rng);
  if (i == std::size(kShapes)) return {};  // no payload
  return adopt_variant(g_variant_new_parsed(kShapes[i]));
}

std::string random_string(std::mt19937& rng, size_t max) {
  std::uniform_int_distribution<size_t> len(0, max);
  std::uniform_int_distribution<int> ch('a', 'z');
  std::string s(len(rng), 'x');
  for (char& c : s) c = static_cast<char>(ch(rng));
  return s;
}

Uuid random_uuid(std::mt19937& rng) {
  Uuid u;
  for (auto& b : u.bytes) b = static_cast<uint8_t>(rng());
  return u;
}

Request random_request(std::mt19937& rng, size_t max_events) {
  std::uniform_int_distribution<size_t> events(0, max_events);
  Request r;
  r.relative_ns = static_cast<int64_t>(rng()) << 20;
  r.absolute_ns = -static_cast<int64_t>(rng());
  r.image_id = random_string(rng, 40);
  const size_t labels = events(rng) % 4;
  for (size_t i = 0; i < labels; ++i)
    r.site_labels.emplace_back(random_string(rng, 10), random_string(rng, 30));
  r.boot_flags = static_cast<uint8_t>(rng() % 4);
  const size_t n_singular = events(rng);
  for (size_t i = 0; i < n_singular; ++i) {
    SingularEvent e;
    e.event_id = random_uuid(rng);
    e.os_version = random_string(rng, 30);
    e.relative_ns = static_cast<int64_t>(rng()) * 1000;
    e.payload = random_payload(rng);
    r.singulars.push_back(std::move(e));
  }
  const size_t n_aggregate = events(rng);
  for (size_t i = 0; i < n_aggregate; ++i) {
    AggregateEvent e;
    e.event_id = random_uuid(rng);
    e.os_version = random_string(rng, 30);
    e.period = (rng() % 2) ? "2026-11-28" : "2026-10";
    e.count = static_cast<uint32_t>(rng());
    e.payload = random_payload(rng);
    r.aggregates.push_back(std::move(e));
  }
  return r;
}

// The direct encoder against GLib's serialiser: small requests (1-byte framing offsets),
// medium (2-byte) and large (4-byte, over 64 KiB), empty arrays and strings included.
TEST(WireDirectEncoder, EqualsGLibSerialiser) {
  std::mt19937 rng(20261129);
  for (size_t max_events : {size_t{0}, size_t{2}, size_t{8}, size_t{60}, size_t{1500}}) {
    for (int trial = 0; trial < (max_events > 100 ? 6 : 150); ++trial) {
      Request r = random_request(rng, max_events);
      GBytesPtr direct = encode(r);
      GBytesPtr reference = encode_with_gvariant(r);
      ASSERT_TRUE(g_bytes_equal(direct.get(), reference.get()))
          << "max_events " << max_events << " trial " << trial << ": "
          << g_bytes_get_size(direct.get()) << " vs " << g_bytes_get_size(reference.get())
          << " bytes";
    }
  }
}

}  // namespace
}  // namespace metrics::wire
