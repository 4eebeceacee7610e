// RAII owners for the libsoup and GIO objects the uploader uses.
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
using GNetworkMonitorPtr = GObjectPtr<GNetworkMonitor>;

}  // namespace metrics::net
