// SPDX-License-Identifier: LGPL-2.1-or-later
#include "event_args.hpp"

#include "payload.hpp"

namespace emtr {

GVariant* EventArgs::to_parameters() const {
  const bool has_payload = payload != nullptr;
  GVariant* slot = has_payload ? payload.get() : no_payload_placeholder();
  if (aggregate) {
    return g_variant_new("(u@ayxxbv)", uid, event_id_variant(id), count, relative_time, has_payload,
                         slot);
  }
  return g_variant_new("(u@ayxbv)", uid, event_id_variant(id), relative_time, has_payload, slot);
}

}  // namespace emtr
