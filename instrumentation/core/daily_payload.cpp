// SPDX-License-Identifier: GPL-2.0-or-later
#include "daily_payload.hpp"

#include "collectors/hardware_info.hpp"
#include "collectors/primary_storage.hpp"
#include "collectors/system_locale.hpp"

namespace metrics::instrumentation {

namespace {

template <typename T, typename ToVariant>
Reading<GVariantPtr> as_payload(Reading<T> reading, ToVariant to_payload) {
  return {to_payload(reading.value), std::move(reading.warnings)};
}

}  // namespace

Reading<GVariantPtr> daily_payload(CollectorId id, const DailySources& s) {
  switch (id) {
    case CollectorId::HardwareInfo:
      return as_payload(collect_hardware_info(s.tree, s.root_fs, s.lscpu_output),
                        [](const HardwareInfo& v) { return to_variant(v); });
    case CollectorId::PrimaryStorage:
      return as_payload(collect_primary_storage(s.tree),
                        [](const PrimaryStorage& v) { return to_variant(v); });
    case CollectorId::HardwareModel:
      return as_payload(collect_hardware_model(s.tree, s.hostname1),
                        [](const HardwareModel& v) { return to_variant(v); });
    case CollectorId::SystemLocale:
      return as_payload(collect_system_locale(s.tree, s.locale1),
                        [](const std::string& v) { return to_variant_locale(v); });
    case CollectorId::StartupFinished:
    case CollectorId::SessionTime:
      break;
  }
  return {GVariantPtr(), {}};
}

}  // namespace metrics::instrumentation
