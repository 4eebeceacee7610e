// SPDX-License-Identifier: GPL-2.0-or-later
// Named D-Bus errors for every failure; never GLib's unmapped names.
#pragma once

#include <string>

#include "result.hpp"
#include "sdbus_handles.hpp"

namespace metrics::bus {

// The D-Bus error name for a core error code (error_code.hpp's table): standard names where
// the spec asks for them (AccessDenied, AuthFailed, UnknownMethod),
// com.endlessm.Metrics.Error.<code> otherwise.
std::string error_name(ErrorCode code);

// Replies to `call` with the error; returns what sd-bus returned.
int reply_error(sd_bus_message* call, const Error& error);
MessagePtr new_error_reply(sd_bus_message* call, const Error& error);

}  // namespace metrics::bus
