// SPDX-License-Identifier: LGPL-2.1-or-later
#include "payload.hpp"

#include <cstring>

namespace emtr {

GVariant* no_payload_placeholder() {
  // Built once and never freed: every call without a payload shares it.
  static GVariant* const placeholder = g_variant_ref_sink(g_variant_new_boolean(FALSE));
  return placeholder;
}

GVariant* Payload::slot() const {
  return value ? value.get() : no_payload_placeholder();
}

Payload prepare_payload(GVariant* payload) {
  Payload result;
  if (payload == nullptr) return result;
  if (std::strchr(g_variant_get_type_string(payload), 'm') != nullptr) {
    // The original's words: callers' tests expect them (g_test_expect_message).
    g_critical("Maybe type found in auxiliary payload. These are not compatible with DBus!");
    result.refused = true;
    return result;
  }
  // The normal form makes payloads compare and hash by value (sequence keys) and is
  // what the recorder would store anyway.
  result.value.reset(g_variant_get_normal_form(payload));
  return result;
}

}  // namespace emtr
