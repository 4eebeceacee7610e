// SPDX-License-Identifier: GPL-2.0-or-later
#include "startup_watch.hpp"

#include "bus_call.hpp"
#include "bus_names.hpp"
#include "journal.hpp"
#include "property_values.hpp"

namespace metrics::instrumentation {

namespace {

constexpr BusTarget kManager{bus_names::kSystemd, bus_names::kSystemdPath,
                             bus_names::kSystemdManager};
constexpr std::string_view kKey = catalog_entry(CollectorId::StartupFinished).config_key;

journal::Fields about_startup(std::string_view message_id = {}) {
  return {kKey, message_id};
}

}  // namespace

StartupWatch::StartupWatch(GDBusConnection* bus, ScheduleStore& schedule, MetricsSink& sink,
                           std::string boot_id)
    : bus_(bus), schedule_(schedule), sink_(sink), boot_id_(std::move(boot_id)) {}

StartupWatch::~StartupWatch() {
  g_cancellable_cancel(cancellable_.get());
}

void StartupWatch::start() {
  if (startup_already_recorded(schedule_.state().startup_boot_id, boot_id_)) {
    journal::info("already recorded for this boot (" + boot_id_ + ")", about_startup());
    return;
  }
  if (boot_id_.empty())
    journal::warning("the boot id is unreadable; startup timing is recorded at every daemon start",
                     about_startup());
  // Subscribe to the signal before reading the properties: if boot finishes after they
  // were read, only the signal tells.
  startup_finished_ = std::make_unique<SignalSubscription>(
      bus_, bus_names::kSystemd, bus_names::kSystemdPath, bus_names::kSystemdManager,
      "StartupFinished", [this](GVariant* parameters) {
        auto times = startup_times_from_signal(parameters);
        if (!times) {
          journal::warning("ignoring a StartupFinished signal that is not (tttttt)",
                           about_startup());
          return;
        }
        record(*times, "the StartupFinished signal");
      });
  // systemd emits its signals only to clients that asked for them.
  call_method(bus_, kManager, "Subscribe", nullptr, nullptr, cancellable_.get(),
              [](Result<GVariantPtr> reply) {
                if (!reply)
                  journal::warning(
                      reply.error().message + "; the StartupFinished signal may not arrive",
                      about_startup());
              });
  get_all_properties(bus_, kManager, cancellable_.get(), [this](Result<PropertyMap> properties) {
    on_manager_properties(std::move(properties));
  });
}

void StartupWatch::on_manager_properties(Result<PropertyMap> properties) {
  if (recorded_) return;
  if (!properties) {
    journal::warning(properties.error().message + "; waiting for the StartupFinished signal",
                     about_startup());
    return;
  }
  const auto& p = properties.value();
  const auto finish = uint64_property(p, "FinishTimestampMonotonic");
  const auto userspace = uint64_property(p, "UserspaceTimestampMonotonic");
  if (!finish || !userspace) {
    journal::warning(
        "systemd's Manager has no FinishTimestampMonotonic/UserspaceTimestampMonotonic; "
        "waiting for the StartupFinished signal",
        about_startup());
    return;
  }
  ManagerTimestamps stamps;
  stamps.firmware = uint64_property(p, "FirmwareTimestampMonotonic").value_or(0);
  stamps.loader = uint64_property(p, "LoaderTimestampMonotonic").value_or(0);
  stamps.initrd = uint64_property(p, "InitRDTimestampMonotonic").value_or(0);
  stamps.userspace = *userspace;
  stamps.finish = *finish;
  stamps.in_container =
      is_container_virtualization(string_property(p, "Virtualization").value_or(""));
  auto times = startup_times_from_manager(stamps);
  if (!times) {
    journal::warning(times.error().message, about_startup(journal::kFallbackUsed));
    return;
  }
  if (!times.value()) {
    journal::info("boot has not finished yet; waiting for the StartupFinished signal",
                  about_startup());
    return;
  }
  record(**times, "systemd's boot timestamps (the daemon started after boot finished)");
}

void StartupWatch::record(const StartupTimes& times, const char* source) {
  if (recorded_) return;
  recorded_ = true;
  auto& state = schedule_.state();
  const auto previous = state.startup_boot_id;
  state.startup_boot_id = boot_id_;
  if (auto saved = schedule_.save(); !saved) {
    state.startup_boot_id = previous;
    journal::error(saved.error().message +
                       "; startup timing is not recorded, so that a restart cannot record it twice",
                   about_startup(journal::kScheduleProblem));
    return;
  }
  const GVariantPtr payload = to_variant(times);
  sink_.record(CollectorId::StartupFinished, payload.get());
  const GCharPtr text(g_variant_print(payload.get(), FALSE));
  journal::info(std::string("recorded ") + text.get() + " from " + source,
                about_startup(journal::kEventRecorded));
}

}  // namespace metrics::instrumentation
