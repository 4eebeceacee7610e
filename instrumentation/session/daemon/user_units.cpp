// SPDX-License-Identifier: GPL-2.0-or-later
#include "user_units.hpp"

#include "bus_call.hpp"
#include "bus_names.hpp"
#include "journal.hpp"
#include "session_catalog.hpp"

namespace metrics::instrumentation::session {

namespace {

constexpr BusTarget kManager{bus_names::kSystemd, bus_names::kSystemdPath,
                             bus_names::kSystemdManager};
constexpr const char* kUnitInterface = "org.freedesktop.systemd1.Unit";
constexpr const char* kProperties = "org.freedesktop.DBus.Properties";

journal::Fields about_ides() {
  return {session_entry(SessionCollector::IdeUsage).config_key, {}};
}

}  // namespace

UserUnits::UserUnits(GDBusConnection* session_bus, Filter filter, Handlers handlers)
    : bus_(session_bus), filter_(std::move(filter)), handlers_(std::move(handlers)) {}

UserUnits::~UserUnits() {
  g_cancellable_cancel(cancellable_.get());
  manager_.reset();
  unit_new_.reset();
  unit_removed_.reset();
  watched_.clear();
  if (subscribed_) {
    // Fire and forget: the manager keeps its other subscribers' signals going.
    g_dbus_connection_call(bus_, bus_names::kSystemd, bus_names::kSystemdPath,
                           bus_names::kSystemdManager, "Unsubscribe", nullptr, nullptr,
                           G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, nullptr, nullptr, nullptr);
  }
}

void UserUnits::start() {
  unit_new_ = std::make_unique<SignalSubscription>(
      bus_, bus_names::kSystemd, bus_names::kSystemdPath, bus_names::kSystemdManager, "UnitNew",
      [this](GVariant* parameters) {
        if (!g_variant_is_of_type(parameters, G_VARIANT_TYPE("(so)"))) return;
        const gchar* name = nullptr;
        const gchar* path = nullptr;
        g_variant_get(parameters, "(&s&o)", &name, &path);
        if (auto application = filter_(name)) watch(path, *application);
      });
  unit_removed_ = std::make_unique<SignalSubscription>(
      bus_, bus_names::kSystemd, bus_names::kSystemdPath, bus_names::kSystemdManager, "UnitRemoved",
      [this](GVariant* parameters) {
        if (!g_variant_is_of_type(parameters, G_VARIANT_TYPE("(so)"))) return;
        const gchar* path = nullptr;
        g_variant_get(parameters, "(&s&o)", nullptr, &path);
        unwatch(path);
      });
  manager_ = std::make_unique<NameWatch>(
      bus_, bus_names::kSystemd, [this] { manager_appeared(); }, [this] { manager_vanished(); });
}

void UserUnits::manager_appeared() {
  call_method(bus_, kManager, "Subscribe", nullptr, nullptr, cancellable_.get(),
              [this](Result<GVariantPtr> reply) {
                if (reply) {
                  subscribed_ = true;
                  return;
                }
                // Already subscribed (a second Subscribe) is no problem; anything else means
                // no UnitNew, so only the units listed now are seen.
                if (reply.error().message.find("AlreadySubscribed") == std::string::npos)
                  journal::warning(
                      reply.error().message + "; applications started later may not be seen",
                      about_ides());
              });
  list_units();
}

void UserUnits::manager_vanished() {
  if (watched_.empty() && !subscribed_) return;
  subscribed_ = false;
  watched_.clear();
  journal::info("the systemd user manager left the bus; its applications are counted as stopped",
                about_ides());
  if (handlers_.manager_gone) handlers_.manager_gone();
}

void UserUnits::list_units() {
  call_method(
      bus_, kManager, "ListUnits", nullptr, "(a(ssssssouso))", cancellable_.get(),
      [this](Result<GVariantPtr> reply) {
        if (!reply) {
          journal::warning(reply.error().message + "; applications already running are not seen",
                           about_ides());
          return;
        }
        GVariantPtr units(g_variant_get_child_value(reply->get(), 0));
        GVariantIter iter;
        g_variant_iter_init(&iter, units.get());
        const gchar* name = nullptr;
        const gchar* path = nullptr;
        while (g_variant_iter_next(&iter, "(&s&s&s&s&s&s&ou&s&o)", &name, nullptr, nullptr, nullptr,
                                   nullptr, nullptr, &path, nullptr, nullptr, nullptr))
          if (auto application = filter_(name)) watch(path, *application);
      });
}

void UserUnits::watch(const std::string& path, const std::string& application) {
  if (watched_.count(path)) {
    read_state(path);
    return;
  }
  Watched& watched = watched_[path];
  watched.application = application;
  watched.properties = std::make_unique<SignalSubscription>(
      bus_, bus_names::kSystemd, path.c_str(), kProperties, "PropertiesChanged",
      [this, path](GVariant* parameters) {
        if (!g_variant_is_of_type(parameters, G_VARIANT_TYPE("(sa{sv}as)"))) return;
        const gchar* interface = nullptr;
        GVariant* raw = nullptr;
        g_variant_get(parameters, "(&s@a{sv}@as)", &interface, &raw, nullptr);
        const GVariantPtr changed(raw);
        if (std::string(interface) != kUnitInterface) return;
        const gchar* state = nullptr;
        auto it = watched_.find(path);
        if (it == watched_.end() || !g_variant_lookup(changed.get(), "ActiveState", "&s", &state))
          return;
        handlers_.state(path, it->second.application, state);
      });
  // After the subscription: whatever changes from here on is signalled.
  read_state(path);
}

void UserUnits::read_state(const std::string& path) {
  const BusTarget properties{bus_names::kSystemd, path.c_str(), kProperties};
  call_method(bus_, properties, "Get", g_variant_new("(ss)", kUnitInterface, "ActiveState"), "(v)",
              cancellable_.get(), [this, path](Result<GVariantPtr> reply) {
                auto it = watched_.find(path);
                if (it == watched_.end()) return;  // removed meanwhile
                if (!reply) {
                  // Gone between UnitNew and the call, most likely; UnitRemoved follows.
                  journal::info(reply.error().message, about_ides());
                  return;
                }
                GVariantPtr boxed(g_variant_get_child_value(reply->get(), 0));
                GVariantPtr value(g_variant_get_variant(boxed.get()));
                if (!g_variant_is_of_type(value.get(), G_VARIANT_TYPE_STRING)) return;
                handlers_.state(path, it->second.application,
                                g_variant_get_string(value.get(), nullptr));
              });
}

void UserUnits::unwatch(const std::string& path) {
  if (watched_.erase(path) == 0) return;
  if (handlers_.removed) handlers_.removed(path);
}

}  // namespace metrics::instrumentation::session
