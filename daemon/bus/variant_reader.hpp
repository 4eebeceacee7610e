// SPDX-License-Identifier: GPL-2.0-or-later
// Reads one complete D-Bus value from an sd-bus message into a GVariant, the form
// the core stores and uploads. Refuses file descriptors; D-Bus has no maybe types.
#pragma once

#include "glib_handles.hpp"
#include "result.hpp"
#include "sdbus_handles.hpp"

namespace metrics::bus {

// Reads a `v` at the read position and returns its content (unboxed).
Result<GVariantPtr> read_boxed_variant(sd_bus_message* m);

}  // namespace metrics::bus
