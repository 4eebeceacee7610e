// SPDX-License-Identifier: LGPL-2.1-or-later
// RAII for GMainContext, which common/base/glib_handles.hpp does not cover.
#pragma once

#include <glib.h>

#include <memory>

namespace emtr {

struct GMainContextUnref {
  void operator()(GMainContext* c) const { g_main_context_unref(c); }
};
using GMainContextPtr = std::unique_ptr<GMainContext, GMainContextUnref>;

}  // namespace emtr
