// SPDX-License-Identifier: GPL-2.0-or-later
#include "consent_watch.hpp"

#include "bus_call.hpp"
#include "bus_names.hpp"
#include "consent_transition.hpp"
#include "journal.hpp"

namespace metrics::instrumentation::session {

namespace {

constexpr const char* kRecorderPath = "/com/endlessm/Metrics";
constexpr const char* kControl = "com.endlessm.Metrics.Control1";
constexpr BusTarget kControlTarget{bus_names::kRecorder, kRecorderPath, kControl};

}  // namespace

bool consent_allows_collecting(const std::string& consent_state) {
  const auto state = consent_state_from_name(consent_state);
  return state != ConsentState::Declined && state != ConsentState::Invalid;
}

ConsentWatch::ConsentWatch(GDBusConnection* system_bus, Changed changed)
    : bus_(system_bus), changed_(std::move(changed)) {}

ConsentWatch::~ConsentWatch() {
  g_cancellable_cancel(cancellable_.get());
}

void ConsentWatch::start() {
  properties_ = std::make_unique<SignalSubscription>(
      bus_, bus_names::kRecorder, kRecorderPath, "org.freedesktop.DBus.Properties",
      "PropertiesChanged", [this](GVariant* parameters) {
        if (!parameters || !g_variant_is_of_type(parameters, G_VARIANT_TYPE("(sa{sv}as)"))) return;
        const gchar* interface = nullptr;
        GVariantPtr changed;
        {
          GVariant* raw = nullptr;
          g_variant_get(parameters, "(&s@a{sv}@as)", &interface, &raw, nullptr);
          changed.reset(raw);
        }
        if (std::string(interface) != kControl) return;
        const gchar* state = nullptr;
        if (g_variant_lookup(changed.get(), "ConsentState", "&s", &state)) apply(state);
      });
  // A recorder that restarts may come back with another consent (the file was edited).
  recorder_ = std::make_unique<NameWatch>(
      bus_, bus_names::kRecorder, [this] { read(); }, [] {});
  read();
}

void ConsentWatch::read() {
  get_all_properties(bus_, kControlTarget, cancellable_.get(), [this](Result<PropertyMap> reply) {
    std::string problem;
    if (!reply) {
      problem = reply.error().message;
    } else if (auto it = reply->find("ConsentState");
               it != reply->end() && it->second &&
               g_variant_is_of_type(it->second.get(), G_VARIANT_TYPE_STRING)) {
      apply(g_variant_get_string(it->second.get(), nullptr));
      return;
    } else {
      problem = "the recorder has no ConsentState";
    }
    if (known_) return;
    // Collect until the recorder says otherwise: it decides what is kept.
    journal::info("consent not known yet (" + problem +
                  "); collecting until the recorder says otherwise");
    known_ = true;
    changed_(allowed_);
  });
}

void ConsentWatch::apply(const std::string& consent_state) {
  const bool allowed = consent_allows_collecting(consent_state);
  const bool first = !known_;
  known_ = true;
  if (!first && allowed == allowed_) return;
  allowed_ = allowed;
  journal::info("consent is " + consent_state +
                (allowed ? ": collecting" : ": collectors stopped"));
  changed_(allowed_);
}

}  // namespace metrics::instrumentation::session
