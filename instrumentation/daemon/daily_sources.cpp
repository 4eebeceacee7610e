// SPDX-License-Identifier: GPL-2.0-or-later
#include "daily_sources.hpp"

#include <algorithm>

#include "bus_call.hpp"
#include "bus_names.hpp"
#include "journal.hpp"
#include "lscpu_runner.hpp"
#include "property_values.hpp"

namespace metrics::instrumentation {

namespace {

constexpr BusTarget kHostname{bus_names::kHostname, bus_names::kHostnamePath, bus_names::kHostname};
constexpr BusTarget kLocale{bus_names::kLocale, bus_names::kLocalePath, bus_names::kLocale};

bool contains(const std::vector<CollectorId>& ids, CollectorId id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

journal::Fields about(CollectorId id) {
  return {catalog_entry(id).config_key, journal::kFallbackUsed};
}

}  // namespace

DailySourceGatherer::DailySourceGatherer(GDBusConnection* bus, const SourceTree& tree,
                                         InstrumentationPaths paths)
    : bus_(bus), tree_(tree), paths_(std::move(paths)) {}

DailySourceGatherer::~DailySourceGatherer() {
  g_cancellable_cancel(cancellable_.get());
}

void DailySourceGatherer::gather(const std::vector<CollectorId>& due, Done done) {
  sources_.emplace(DailySources{tree_});
  done_ = std::move(done);
  // Held until every request below is made, so a synchronous answer cannot finish early.
  outstanding_ = 1;
  if (contains(due, CollectorId::HardwareModel)) ask_hostname1();
  if (contains(due, CollectorId::SystemLocale)) ask_locale1();
  if (contains(due, CollectorId::HardwareInfo)) {
    // statvfs of a local filesystem answers at once; only lscpu is worth waiting for.
    sources_->root_fs = filesystem_usage(paths_.source_root);
    run_lscpu();
  }
  one_answered();
}

void DailySourceGatherer::ask_hostname1() {
  ++outstanding_;
  get_all_properties(bus_, kHostname, cancellable_.get(), [this](Result<PropertyMap> properties) {
    if (properties) {
      const auto& p = properties.value();
      sources_->hostname1 = Hostname1Values{string_property(p, "HardwareVendor").value_or(""),
                                            string_property(p, "HardwareModel").value_or(""),
                                            string_property(p, "Chassis").value_or("")};
    } else {
      journal::info(properties.error().message + "; using DMI and the device tree",
                    about(CollectorId::HardwareModel));
    }
    one_answered();
  });
}

void DailySourceGatherer::ask_locale1() {
  ++outstanding_;
  get_all_properties(bus_, kLocale, cancellable_.get(), [this](Result<PropertyMap> properties) {
    if (properties) {
      sources_->locale1 = strv_property(properties.value(), "Locale");
      if (!sources_->locale1)
        journal::info("locale1 has no Locale string array; using /etc/locale.conf",
                      about(CollectorId::SystemLocale));
    } else {
      journal::info(properties.error().message + "; using /etc/locale.conf",
                    about(CollectorId::SystemLocale));
    }
    one_answered();
  });
}

void DailySourceGatherer::run_lscpu() {
  ++outstanding_;
  run_lscpu_async(paths_.lscpu.string(), cancellable_.get(), [this](Result<std::string> output) {
    sources_->lscpu_output = std::move(output);
    one_answered();
  });
}

void DailySourceGatherer::one_answered() {
  if (--outstanding_ > 0) return;
  // `done` may start the next gathering; hand it what it needs and clear first.
  Done done = std::move(done_);
  done_ = nullptr;
  std::optional<DailySources> sources = std::move(sources_);
  sources_.reset();
  done(*sources);
}

}  // namespace metrics::instrumentation
