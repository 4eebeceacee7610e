// SPDX-License-Identifier: LGPL-2.1-or-later
// Open event sequences (record_start/progress/stop), held in the client until the stop
// and then sent as one RecordEventSequence. Thread-safe.
#pragma once

#include <glib.h>

#include <cstddef>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

#include "event_id.hpp"
#include "glib_handles.hpp"
#include "payload.hpp"

namespace emtr {

struct SequenceStep {
  gint64 relative_time = 0;
  Payload payload;
};

class SequenceTable {
 public:
  // Steps are timestamped inside the table's lock, so every sequence is in time order
  // even when threads race on it. nullopt from a step: the clock could not be read.
  enum class Outcome { kOk, kAlreadyOpen, kNotOpen, kNoClock };

  // `key` is in normal form (or null).
  Outcome start(const EventId& id, GVariant* key, Payload payload);
  Outcome progress(const EventId& id, GVariant* key, Payload payload);
  // On success, the closed sequence's steps (the stop included) in `steps`.
  Outcome stop(const EventId& id, GVariant* key, Payload payload, std::vector<SequenceStep>& steps);

  std::size_t open_count();

 private:
  struct Key {
    EventId id;
    metrics::GVariantPtr key;  // null: no key
  };
  struct KeyHash {
    std::size_t operator()(const Key& k) const;
  };
  struct KeyEqual {
    bool operator()(const Key& a, const Key& b) const;
  };

  std::mutex mutex_;
  std::unordered_map<Key, std::vector<SequenceStep>, KeyHash, KeyEqual> open_;
};

// The "a(xbv)" argument of RecordEventSequence (floating).
GVariant* sequence_variant(const std::vector<SequenceStep>& steps);

}  // namespace emtr
