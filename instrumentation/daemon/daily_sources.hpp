// SPDX-License-Identifier: GPL-2.0-or-later
// Gathers what the due daily collectors need beyond files: hostname1 and locale1
// (asynchronous D-Bus calls), lscpu (a subprocess) and statvfs of the root. Only the
// sources of due collectors are asked; a source that fails is left as "not known" and
// the collector falls back (hostname1 → DMI, locale1 → /etc/locale.conf, lscpu → the
// empty CPU). One gathering at a time.
#pragma once

#include <gio/gio.h>

#include <functional>
#include <optional>
#include <vector>

#include "catalog.hpp"
#include "daily_payload.hpp"
#include "glib_handles.hpp"
#include "instrumentation_paths.hpp"
#include "source_tree.hpp"

namespace metrics::instrumentation {

class DailySourceGatherer {
 public:
  using Done = std::function<void(const DailySources& sources)>;

  DailySourceGatherer(GDBusConnection* bus, const SourceTree& tree, InstrumentationPaths paths);
  ~DailySourceGatherer();
  DailySourceGatherer(const DailySourceGatherer&) = delete;
  DailySourceGatherer& operator=(const DailySourceGatherer&) = delete;

  // Calls `done` once every source of `due` answered or failed (possibly before
  // returning, when none is asynchronous). Never called after this is destroyed.
  void gather(const std::vector<CollectorId>& due, Done done);

 private:
  void ask_hostname1();
  void ask_locale1();
  void run_lscpu();
  void one_answered();

  GDBusConnection* bus_;
  const SourceTree& tree_;
  InstrumentationPaths paths_;
  GObjectPtr<GCancellable> cancellable_{g_cancellable_new()};
  std::optional<DailySources> sources_;
  Done done_;
  int outstanding_ = 0;
};

}  // namespace metrics::instrumentation
