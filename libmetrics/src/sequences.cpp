// SPDX-License-Identifier: LGPL-2.1-or-later
#include "sequences.hpp"

#include <cstring>
#include <string_view>

#include "clock.hpp"

namespace emtr {

std::size_t SequenceTable::KeyHash::operator()(const Key& k) const {
  std::size_t h = std::hash<std::string_view>()(
      std::string_view(reinterpret_cast<const char*>(k.id.data()), k.id.size()));
  if (k.key) {
    // g_variant_hash only handles basic types; keys in normal form hash by type and bytes.
    const auto* data = static_cast<const char*>(g_variant_get_data(k.key.get()));
    const std::string_view bytes(data != nullptr ? data : "", g_variant_get_size(k.key.get()));
    h = h * 31 + std::hash<std::string_view>()(g_variant_get_type_string(k.key.get()));
    h = h * 31 + std::hash<std::string_view>()(bytes);
  }
  return h;
}

bool SequenceTable::KeyEqual::operator()(const Key& a, const Key& b) const {
  if (a.id != b.id) return false;
  if (!a.key || !b.key) return !a.key && !b.key;
  return g_variant_equal(a.key.get(), b.key.get());
}

SequenceTable::Outcome SequenceTable::start(const EventId& id, GVariant* key, Payload payload) {
  std::lock_guard lock(mutex_);
  const auto now = boottime_ns();
  if (!now) return Outcome::kNoClock;
  Key k{id, metrics::share_variant(key)};
  if (open_.contains(k)) return Outcome::kAlreadyOpen;
  std::vector<SequenceStep> steps;
  steps.push_back(SequenceStep{*now, std::move(payload)});
  open_.emplace(std::move(k), std::move(steps));
  return Outcome::kOk;
}

SequenceTable::Outcome SequenceTable::progress(const EventId& id, GVariant* key, Payload payload) {
  std::lock_guard lock(mutex_);
  const auto now = boottime_ns();
  if (!now) return Outcome::kNoClock;
  auto it = open_.find(Key{id, metrics::share_variant(key)});
  if (it == open_.end()) return Outcome::kNotOpen;
  it->second.push_back(SequenceStep{*now, std::move(payload)});
  return Outcome::kOk;
}

SequenceTable::Outcome SequenceTable::stop(const EventId& id, GVariant* key, Payload payload,
                                           std::vector<SequenceStep>& steps) {
  std::lock_guard lock(mutex_);
  const auto now = boottime_ns();
  if (!now) return Outcome::kNoClock;
  auto it = open_.find(Key{id, metrics::share_variant(key)});
  if (it == open_.end()) return Outcome::kNotOpen;
  steps = std::move(it->second);
  open_.erase(it);
  steps.push_back(SequenceStep{*now, std::move(payload)});
  return Outcome::kOk;
}

std::size_t SequenceTable::open_count() {
  std::lock_guard lock(mutex_);
  return open_.size();
}

GVariant* sequence_variant(const std::vector<SequenceStep>& steps) {
  GVariantBuilder builder;
  g_variant_builder_init(&builder, G_VARIANT_TYPE("a(xbv)"));
  for (const auto& step : steps) {
    g_variant_builder_add(&builder, "(xbv)", step.relative_time, step.payload.present(),
                          step.payload.slot());
  }
  return g_variant_builder_end(&builder);
}

}  // namespace emtr
