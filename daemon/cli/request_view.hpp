// SPDX-License-Identifier: GPL-2.0-or-later
// A decoded protocol-3 request as metricsctl shows it (log show, set-aside show).
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>

#include "wire.hpp"

namespace metrics::cli {

nlohmann::ordered_json request_json(const wire::Request& request);
// "Request: ..." then one line per label and event.
void render_request_text(std::ostream& out, const wire::Request& request);

}  // namespace metrics::cli
