// SPDX-License-Identifier: GPL-2.0-or-later
// RAII owners for the libsoup and GIO objects the upload helper uses.
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

#include "glib_handles.hpp"

namespace metrics::net {

using SoupSessionPtr = GObjectPtr<SoupSession>;
using SoupMessagePtr = GObjectPtr<SoupMessage>;
using GCancellablePtr = GObjectPtr<GCancellable>;
using GInputStreamPtr = GObjectPtr<GInputStream>;
using GTlsDatabasePtr = GObjectPtr<GTlsDatabase>;
using GProxyResolverPtr = GObjectPtr<GProxyResolver>;

}  // namespace metrics::net
