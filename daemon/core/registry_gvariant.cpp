// SPDX-License-Identifier: GPL-2.0-or-later
#include "registry_gvariant.hpp"

#include <charconv>
#include <string_view>
#include <system_error>

namespace metrics::registry {

namespace {

std::string type_text(const GVariantType* type) {
  return {g_variant_type_peek_string(type), g_variant_type_get_string_length(type)};
}

// A checked type string is its own GVariantType: no allocation, nothing to free.
const GVariantType* as_type(const std::string& type) {
  return G_VARIANT_TYPE(type.c_str());
}

std::string readable(const GVariantType* type) {
  if (g_variant_type_is_tuple(type)) {
    std::string out = "(";
    for (const GVariantType* item = g_variant_type_first(type); item;
         item = g_variant_type_next(item)) {
      if (out.size() > 1) out += ", ";
      out += readable(item);
    }
    return out + ")";
  }
  if (g_variant_type_is_array(type)) {
    const GVariantType* element = g_variant_type_element(type);
    if (g_variant_type_is_dict_entry(element))
      return "dictionary of " + readable(g_variant_type_key(element)) + " to " +
             readable(g_variant_type_value(element));
    return "array of " + readable(element);
  }
  if (g_variant_type_is_dict_entry(type))
    return "entry " + readable(g_variant_type_key(type)) + " to " +
           readable(g_variant_type_value(type));
  switch (g_variant_type_peek_string(type)[0]) {
    case 'b':
      return "boolean";
    case 'y':
      return "byte";
    case 'n':
      return "int16";
    case 'q':
      return "uint16";
    case 'i':
      return "int32";
    case 'u':
      return "uint32";
    case 'x':
      return "int64";
    case 't':
      return "uint64";
    case 'd':
      return "double";
    case 's':
      return "string";
    case 'o':
      return "object path";
    case 'g':
      return "type signature";
    case 'v':
      return "variant (any type)";
    default:
      return type_text(type);
  }
}

// GLib starts a parse error with the offending range of the text as byte offsets
// ("1-2:can not parse ..."); quoting that part of the text is easier to act on.
std::string readable_parse_error(const std::string& message, const std::string& text) {
  std::string_view rest = message;
  auto take_number = [&rest]() -> std::optional<size_t> {
    size_t value = 0;
    auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), value);
    if (ec != std::errc() || end == rest.data()) return std::nullopt;
    rest.remove_prefix(static_cast<size_t>(end - rest.data()));
    return value;
  };
  auto start = take_number();
  if (!start) return message;
  size_t end = *start + 1;
  if (rest.starts_with('-')) {
    rest.remove_prefix(1);
    auto last = take_number();
    if (!last) return message;
    end = *last;
  }
  if (!rest.starts_with(':') || *start >= end || *start > text.size()) return message;
  rest.remove_prefix(1);
  if (*start == text.size()) return std::string(rest) + " (at the end)";
  // GLib's byte range may cut a character in two: widen it to whole characters, or the
  // message is not UTF-8 (and a JSON or journal writer refuses it).
  size_t from = *start;
  size_t to = std::min(end, text.size());
  auto continuation = [&text](size_t i) {
    return (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80;
  };
  while (from > 0 && continuation(from)) --from;
  while (to < text.size() && continuation(to)) ++to;
  return std::string(rest) + " (at '" + text.substr(from, to - from) + "')";
}

}  // namespace

std::string payload_type_problem(const std::string& type) {
  const std::string quoted = "'" + type + "'";
  if (type.empty()) return "'' is not a GVariant type (use null for a metric without payload)";
  if (!g_variant_type_string_is_valid(type.c_str())) return quoted + " is not a GVariant type";
  // In a valid type string 'm' and 'h' only ever stand for a maybe type and a handle.
  if (type.find('m') != std::string::npos)
    return quoted + " contains a maybe type ('m'), which D-Bus cannot carry";
  if (type.find('h') != std::string::npos)
    return quoted + " contains a file descriptor ('h'), which the recorder refuses";
  if (!g_variant_type_is_definite(as_type(type)))
    return quoted + " is not a definite type (it contains '*', '?' or 'r'); a payload has one " +
           "exact type";
  return "";
}

std::optional<std::vector<std::string>> described_members(const std::string& type) {
  const GVariantType* t = as_type(type);
  while (g_variant_type_is_array(t)) t = g_variant_type_element(t);
  if (!g_variant_type_is_tuple(t)) return std::nullopt;
  std::vector<std::string> members;
  for (const GVariantType* item = g_variant_type_first(t); item; item = g_variant_type_next(item))
    members.push_back(type_text(item));
  return members;
}

std::string readable_type(const std::string& type) {
  return readable(as_type(type));
}

Result<GVariantPtr> parse_value(const std::string& type, const std::string& text) {
  GErrorOut err;
  // g_variant_parse returns a full (not floating) reference.
  GVariantPtr value(g_variant_parse(as_type(type), text.c_str(), nullptr, nullptr, err.out()));
  if (!value)
    return Error{ErrorCode::kInvalidExample, "'" + text + "' does not parse as '" + type +
                                                 "': " + readable_parse_error(err.message(), text)};
  return value;
}

std::string print_value(GVariant* value) {
  GCharPtr text(g_variant_print(value, FALSE));
  return text.get();
}

}  // namespace metrics::registry
