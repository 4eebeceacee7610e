// SPDX-License-Identifier: GPL-2.0-or-later
// A GVariant written into an sd-bus message: replies whose layout the core defines as a
// GVariant (the upload log) go out without a second, hand-written encoding.
#pragma once

#include <glib.h>
#include <systemd/sd-bus.h>

#include "result.hpp"

namespace metrics::bus {

// Appends `value` at the message's current position, as its own type. Fails on what D-Bus
// cannot carry (maybe types, file descriptors) and when sd-bus refuses a value.
Result<void> append_variant_value(sd_bus_message* m, GVariant* value);

}  // namespace metrics::bus
