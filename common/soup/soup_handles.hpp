// SPDX-License-Identifier: GPL-2.0-or-later
// RAII owners for libsoup objects: the upload helper's client side and the test
// collector's server side. The GIO objects around them are in glib_handles.hpp.
#pragma once

#include <libsoup/soup.h>

#include "glib_handles.hpp"

namespace metrics {

using SoupSessionPtr = GObjectPtr<SoupSession>;
using SoupMessagePtr = GObjectPtr<SoupMessage>;
using SoupServerPtr = GObjectPtr<SoupServer>;
using SoupServerMessagePtr = GObjectPtr<SoupServerMessage>;

}  // namespace metrics
