// SPDX-License-Identifier: GPL-2.0-or-later
// A decoded protocol-3 request as metricsctl shows it (log show, set-aside show).
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>

#include "registry.hpp"
#include "wire.hpp"

namespace metrics::cli {

// Each event with its UUID ("event_id") and the registry's name for it ("name", null when
// the registry does not know it).
nlohmann::ordered_json request_json(const wire::Request& request, const registry::Registry& names);
// "Request: ..." then one line per label and event; an event is shown by the registry's
// name for it (as `queue` shows it), or by its UUID when the registry does not know it.
void render_request_text(std::ostream& out, const wire::Request& request,
                         const registry::Registry& names);

}  // namespace metrics::cli
