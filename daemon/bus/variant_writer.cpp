// SPDX-License-Identifier: GPL-2.0-or-later
#include "variant_writer.hpp"

#include <cstring>
#include <string>

#include "glib_handles.hpp"

namespace metrics::bus {

namespace {

template <typename T>
bool append_basic(sd_bus_message* m, char type, T value) {
  return sd_bus_message_append_basic(m, type, &value) >= 0;
}

bool append(sd_bus_message* m, GVariant* value) {
  const char* type = g_variant_get_type_string(value);
  switch (type[0]) {
    case 'y':
      return append_basic<uint8_t>(m, 'y', g_variant_get_byte(value));
    case 'b':
      return append_basic<int>(m, 'b', g_variant_get_boolean(value) ? 1 : 0);
    case 'n':
      return append_basic<int16_t>(m, 'n', g_variant_get_int16(value));
    case 'q':
      return append_basic<uint16_t>(m, 'q', g_variant_get_uint16(value));
    case 'i':
      return append_basic<int32_t>(m, 'i', g_variant_get_int32(value));
    case 'u':
      return append_basic<uint32_t>(m, 'u', g_variant_get_uint32(value));
    case 'x':
      return append_basic<int64_t>(m, 'x', g_variant_get_int64(value));
    case 't':
      return append_basic<uint64_t>(m, 't', g_variant_get_uint64(value));
    case 'd':
      return append_basic<double>(m, 'd', g_variant_get_double(value));
    case 's':
    case 'o':
    case 'g':
      // Strings are passed as the pointer itself, not its address.
      return sd_bus_message_append_basic(m, type[0], g_variant_get_string(value, nullptr)) >= 0;
    case 'v': {
      GVariantPtr inner(g_variant_get_variant(value));
      if (sd_bus_message_open_container(m, 'v', g_variant_get_type_string(inner.get())) < 0)
        return false;
      return append(m, inner.get()) && sd_bus_message_close_container(m) >= 0;
    }
    case 'a':
    case '(':
    case '{': {
      std::string contents;
      char container = 'a';
      if (type[0] == 'a') {
        contents = type + 1;
      } else {
        container = type[0] == '(' ? 'r' : 'e';
        contents.assign(type + 1, std::strlen(type) - 2);
      }
      if (sd_bus_message_open_container(m, container, contents.c_str()) < 0) return false;
      const size_t n = g_variant_n_children(value);
      for (size_t i = 0; i < n; ++i) {
        GVariantPtr child(g_variant_get_child_value(value, i));
        if (!append(m, child.get())) return false;
      }
      return sd_bus_message_close_container(m) >= 0;
    }
    default:  // 'm' (maybe) and 'h' (file descriptors)
      return false;
  }
}

}  // namespace

Result<void> append_variant_value(sd_bus_message* m, GVariant* value) {
  if (!append(m, value))
    return Error{ErrorCode::kBusFailure, std::string("cannot write a value of type ") +
                                             g_variant_get_type_string(value) +
                                             " into a D-Bus message"};
  return Ok();
}

}  // namespace metrics::bus
