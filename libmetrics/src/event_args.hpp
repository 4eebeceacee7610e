// SPDX-License-Identifier: LGPL-2.1-or-later
// The arguments of RecordSingularEvent / RecordAggregateEvent, kept compact until the
// call is sent: building the GVariant tuple costs more than everything else a record
// call does, so the delivery thread builds it, not the caller.
#pragma once

#include <glib.h>

#include "event_id.hpp"
#include "glib_handles.hpp"

namespace emtr {

struct EventArgs {
  bool aggregate = false;
  guint32 uid = 0;
  EventId id{};
  gint64 count = 0;  // aggregate only
  gint64 relative_time = 0;
  metrics::GVariantPtr payload;  // normal form; null: no payload

  // "(uayxbv)" or "(uayxxbv)", floating.
  GVariant* to_parameters() const;
};

}  // namespace emtr
