// SPDX-License-Identifier: LGPL-2.1-or-later
// Auxiliary payloads: what may be sent, and how "no payload" travels (D-Bus has no maybe
// type, so a flag says whether the variant slot means anything).
#pragma once

#include <glib.h>

#include "glib_handles.hpp"

namespace emtr {

struct Payload {
  bool refused = false;        // contains a maybe type: must not be sent
  metrics::GVariantPtr value;  // normal form; null when there is no payload

  bool present() const { return value != nullptr; }
  // What goes into the "v" slot of a call: the payload, or the <false> placeholder.
  GVariant* slot() const;
};

// Checks and normalises a caller's payload (already owned by the caller of this
// function). Logs exactly one critical when it is refused.
Payload prepare_payload(GVariant* payload);

// The placeholder sent in the variant slot when there is no payload.
GVariant* no_payload_placeholder();

}  // namespace emtr
