// SPDX-License-Identifier: GPL-2.0-or-later
// RAII owners for the libsoup/GIO objects the test collector uses (no manual unref paths).
#pragma once

#include <gio/gio.h>
#include <glib-object.h>
#include <libsoup/soup.h>

#include <memory>

#include "glib_handles.hpp"

namespace collector {

struct GSListFree {
  void operator()(GSList* l) const { g_slist_free(l); }
};
// A list whose elements are borrowed (transfer container).
using GSListPtr = std::unique_ptr<GSList, GSListFree>;

using SoupServerPtr = metrics::GObjectPtr<SoupServer>;
using SoupServerMessagePtr = metrics::GObjectPtr<SoupServerMessage>;
using GIOStreamPtr = metrics::GObjectPtr<GIOStream>;
using GTlsCertificatePtr = metrics::GObjectPtr<GTlsCertificate>;
using GSocketAddressPtr = metrics::GObjectPtr<GSocketAddress>;
using GInetAddressPtr = metrics::GObjectPtr<GInetAddress>;
using GConverterPtr = metrics::GObjectPtr<GConverter>;

using metrics::share_object;

}  // namespace collector
