// SPDX-License-Identifier: GPL-2.0-or-later
#include "variant_reader.hpp"

#include <string>

namespace metrics::bus {

namespace {

constexpr int kMaxDepth = 64;

Error bad(const std::string& what) {
  return {ErrorCode::kInvalidPayload, "malformed payload: " + what};
}

// A stack GVariantBuilder cleared on every exit path.
class Builder {
 public:
  explicit Builder(const GVariantType* type) { g_variant_builder_init(&b_, type); }
  ~Builder() {
    if (!ended_) g_variant_builder_clear(&b_);
  }
  Builder(const Builder&) = delete;
  Builder& operator=(const Builder&) = delete;
  // Non-floating values are referenced by the builder; ours is dropped by the caller.
  void add(const GVariantPtr& v) { g_variant_builder_add_value(&b_, v.get()); }
  GVariantPtr end() {
    ended_ = true;
    return adopt_variant(g_variant_builder_end(&b_));
  }

 private:
  GVariantBuilder b_;
  bool ended_ = false;
};

Result<GVariantPtr> read_value(sd_bus_message* m, int depth);

Result<GVariantPtr> read_basic(sd_bus_message* m, char type) {
  union {
    uint8_t y;
    int b;
    int16_t n;
    uint16_t q;
    int32_t i;
    uint32_t u;
    int64_t x;
    uint64_t t;
    double d;
    const char* s;
  } v{};
  if (sd_bus_message_read_basic(m, type, &v) <= 0) {
    // sd-bus checks strings itself, before we see them, and its UTF-8 check also refuses
    // the Unicode noncharacters that D-Bus and GLib allow: say so, or a client sending
    // one cannot tell what is wrong.
    if (type == 's')
      return bad(
          "a string is not valid UTF-8, or holds a Unicode noncharacter (U+FDD0..U+FDEF, "
          "U+FFFE, U+FFFF and the last two of every plane), which sd-bus refuses");
    return bad("cannot read basic value");
  }
  switch (type) {
    case 'y':
      return adopt_variant(g_variant_new_byte(v.y));
    case 'b':
      return adopt_variant(g_variant_new_boolean(v.b != 0));
    case 'n':
      return adopt_variant(g_variant_new_int16(v.n));
    case 'q':
      return adopt_variant(g_variant_new_uint16(v.q));
    case 'i':
      return adopt_variant(g_variant_new_int32(v.i));
    case 'u':
      return adopt_variant(g_variant_new_uint32(v.u));
    case 'x':
      return adopt_variant(g_variant_new_int64(v.x));
    case 't':
      return adopt_variant(g_variant_new_uint64(v.t));
    case 'd':
      return adopt_variant(g_variant_new_double(v.d));
    case 's':
      if (!g_utf8_validate(v.s, -1, nullptr)) return bad("string is not valid UTF-8");
      return adopt_variant(g_variant_new_string(v.s));
    case 'o':
      return adopt_variant(g_variant_new_object_path(v.s));
    case 'g':
      return adopt_variant(g_variant_new_signature(v.s));
    default:
      return bad(std::string("unsupported type '") + type + "'");
  }
}

Result<GVariantPtr> read_container(sd_bus_message* m, char type, const char* contents, int depth) {
  if (sd_bus_message_enter_container(m, type, contents) <= 0) return bad("cannot enter container");
  GVariantPtr result;
  if (type == 'v') {
    auto inner = read_value(m, depth + 1);
    if (!inner) return inner.error();
    result = adopt_variant(g_variant_new_variant(inner->get()));
  } else {
    std::string signature;
    if (type == 'a')
      signature = std::string("a") + contents;
    else if (type == 'r')
      signature = std::string("(") + contents + ")";
    else
      signature = std::string("{") + contents + "}";
    if (!g_variant_type_string_is_valid(signature.c_str())) return bad("invalid signature");
    Builder builder(G_VARIANT_TYPE(signature.c_str()));
    for (;;) {
      const int r = sd_bus_message_at_end(m, false);
      if (r < 0) return bad("truncated container");
      if (r > 0) break;
      auto element = read_value(m, depth + 1);
      if (!element) return element.error();
      builder.add(element.value());
    }
    result = builder.end();
  }
  if (sd_bus_message_exit_container(m) <= 0) return bad("cannot leave container");
  return result;
}

Result<GVariantPtr> read_value(sd_bus_message* m, int depth) {
  if (depth > kMaxDepth) return bad("nested too deeply");
  char type = 0;
  const char* contents = nullptr;
  const int peeked = sd_bus_message_peek_type(m, &type, &contents);
  // sd-bus refuses some values it can marshal (a variant holding a type of 255 characters,
  // found by fuzzing): a refusal, not a crash, with the reason it gives.
  if (peeked < 0) return bad(std::string("sd-bus cannot read a value: ") + g_strerror(-peeked));
  if (peeked == 0) return bad("missing value");
  if (type == 'h')
    return Error{ErrorCode::kInvalidPayload, "file descriptors cannot be metrics payloads"};
  if (type == 'a' && contents && std::string_view(contents) == "y") {
    // Byte arrays are common (UUIDs); read them in one go.
    const void* data = nullptr;
    size_t size = 0;
    if (sd_bus_message_read_array(m, 'y', &data, &size) < 0) return bad("cannot read byte array");
    return adopt_variant(g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, size ? data : "", size, 1));
  }
  if (type == 'a' || type == 'r' || type == 'e' || type == 'v')
    return read_container(m, type, contents, depth);
  return read_basic(m, type);
}

}  // namespace

Result<GVariantPtr> read_boxed_variant(sd_bus_message* m) {
  auto boxed = read_value(m, 0);
  if (!boxed) return boxed.error();
  if (!g_variant_is_of_type(boxed->get(), G_VARIANT_TYPE_VARIANT)) return bad("expected a variant");
  return GVariantPtr(g_variant_get_variant(boxed->get()));  // transfer full, not floating
}

}  // namespace metrics::bus
