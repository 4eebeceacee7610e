// SPDX-License-Identifier: GPL-2.0-or-later
// What a failed request's GError means for the upload rules (upload_attempt.hpp).
#pragma once

#include <glib.h>

#include "upload_attempt.hpp"

namespace metrics::net {

// Timeout, refused, reset/closed early, DNS, TLS, an answer that is not HTTP
// (MalformedResponse), a configuration that cannot work
// (unsupported proxy scheme, unreadable trust file), or Other.
upload::NetworkError network_error_of(const GError* error);

}  // namespace metrics::net
