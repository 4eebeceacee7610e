// SPDX-License-Identifier: GPL-2.0-or-later
// The transport settings under daemon/net's name (the struct is core's: the upload
// session fills it in).
#pragma once

#include "upload_transport_settings.hpp"

namespace metrics::net {

using TransportSettings = upload::TransportSettings;

}  // namespace metrics::net
