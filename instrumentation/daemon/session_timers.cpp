// SPDX-License-Identifier: GPL-2.0-or-later
#include "session_timers.hpp"

#include <string>

#include "bus_call.hpp"
#include "bus_names.hpp"
#include "journal.hpp"

namespace metrics::instrumentation {

namespace {

constexpr BusTarget kLoginManager{bus_names::kLogin, bus_names::kLoginPath,
                                  bus_names::kLoginManager};
constexpr std::string_view kKey = catalog_entry(CollectorId::SessionTime).config_key;

journal::Fields about_sessions() {
  return {kKey, {}};
}

// The uid of a UserNew/UserRemoved signal ("(uo)"); nullopt for anything else.
std::optional<uint32_t> uid_of_user_signal(GVariant* parameters) {
  if (!parameters || !g_variant_is_of_type(parameters, G_VARIANT_TYPE("(uo)"))) return std::nullopt;
  guint32 uid = 0;
  g_variant_get(parameters, "(u&o)", &uid, nullptr);
  return uid;
}

}  // namespace

SessionTimers::SessionTimers(GDBusConnection* bus, MetricsSink& sink) : bus_(bus), sink_(sink) {}

SessionTimers::~SessionTimers() {
  g_cancellable_cancel(cancellable_.get());
  // Signals and watches end before the timers do, so nothing restarts one.
  recorder_.reset();
  login1_.reset();
  user_new_.reset();
  user_removed_.reset();
  stop_all();
}

void SessionTimers::start() {
  // Signals first: logind sends its reply and its signals in order, so whatever the
  // ListUsers reply misses arrives after it as a signal.
  user_new_ = std::make_unique<SignalSubscription>(bus_, bus_names::kLogin, bus_names::kLoginPath,
                                                   bus_names::kLoginManager, "UserNew",
                                                   [this](GVariant* parameters) {
                                                     if (auto uid = uid_of_user_signal(parameters))
                                                       apply(tracker_.user_new(*uid));
                                                   });
  user_removed_ = std::make_unique<SignalSubscription>(
      bus_, bus_names::kLogin, bus_names::kLoginPath, bus_names::kLoginManager, "UserRemoved",
      [this](GVariant* parameters) {
        if (auto uid = uid_of_user_signal(parameters)) apply(tracker_.user_removed(*uid));
      });
  // logind may start after us or restart; its list is read each time it appears. While
  // it is away the timers keep running: its users did not log out.
  login1_ = std::make_unique<NameWatch>(
      bus_, bus_names::kLogin,
      [this] {
        list_retry_.reset();
        list_attempts_ = 0;
        list_users();
      },
      [this] {
        list_retry_.reset();
        journal::info("logind left the bus; timers keep running until it is back",
                      about_sessions());
      });
  recorder_ = std::make_unique<NameWatch>(
      bus_, bus_names::kRecorder, [this] { recorder_appeared(); }, [this] { recorder_vanished(); });
}

void SessionTimers::list_users() {
  call_method(bus_, kLoginManager, "ListUsers", nullptr, "(a(uso))", cancellable_.get(),
              [this](Result<GVariantPtr> reply) {
                if (!reply) {
                  retry_list_users();
                  journal::warning(reply.error().message +
                                       (list_retry_ ? "; trying again"
                                                    : "; session timers follow only UserNew and "
                                                      "UserRemoved"),
                                   about_sessions());
                  return;
                }
                std::vector<uint32_t> uids;
                GVariantPtr users(g_variant_get_child_value(reply->get(), 0));
                GVariantIter iter;
                g_variant_iter_init(&iter, users.get());
                guint32 uid = 0;
                while (g_variant_iter_next(&iter, "(u&s&o)", &uid, nullptr, nullptr))
                  uids.push_back(uid);
                apply(tracker_.reconcile(uids));
              });
}

void SessionTimers::retry_list_users() {
  list_retry_.reset();
  if (++list_attempts_ >= kListUsersAttempts) return;
  list_retry_.reset(g_timeout_source_new(1000u << (list_attempts_ - 1)));
  g_source_set_callback(
      list_retry_.get(),
      [](gpointer self) {
        static_cast<SessionTimers*>(self)->list_users();
        return G_SOURCE_REMOVE;
      },
      this, nullptr);
  g_source_attach(list_retry_.get(), nullptr);
}

void SessionTimers::apply(const std::vector<SessionAction>& actions) {
  for (const auto& action : actions) {
    const std::string uid = std::to_string(action.uid);
    if (action.kind == SessionAction::Kind::Start) {
      timers_[action.uid] = Running{sink_.start_session_timer(action.uid), recorder_instance_};
      journal::info("timer started for uid " + uid, about_sessions());
    } else {
      timers_.erase(action.uid);  // stops it
      journal::info("timer stopped for uid " + uid, about_sessions());
    }
  }
}

void SessionTimers::recorder_vanished() {
  // The first answer of the watch may be "not there yet" (activated on first use):
  // only an instance that was seen can have forgotten our timers.
  if (!recorder_seen_ || recorder_gone_) return;
  recorder_gone_ = true;
  ++recorder_instance_;
}

void SessionTimers::recorder_appeared() {
  recorder_seen_ = true;
  if (!recorder_gone_) return;
  recorder_gone_ = false;
  for (auto& [uid, running] : timers_) {
    if (running.recorder_instance == recorder_instance_) continue;
    running = Running{sink_.start_session_timer(uid), recorder_instance_};
    journal::info("timer started again for uid " + std::to_string(uid) +
                      " (the recorder restarted and saved the time so far)",
                  about_sessions());
  }
}

void SessionTimers::stop_all() {
  const auto stops = tracker_.stop_all();
  apply(stops);
}

}  // namespace metrics::instrumentation
