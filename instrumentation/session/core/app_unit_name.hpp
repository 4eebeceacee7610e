// SPDX-License-Identifier: GPL-2.0-or-later
// Which application a unit of the systemd user manager runs, from the unit's name alone.
//
// Desktops and Flatpak start every application in a transient unit named by the XDG
// convention (systemd.io/DESKTOP_ENVIRONMENTS): app[-<launcher>]-<ID>-<RANDOM>.scope or
// app[-<launcher>]-<ID>[@<RANDOM>].service, the ID (the desktop file ID without
// ".desktop") escaped as systemd escapes unit names ("-" is "\x2d"). GNOME Shell names
// its units app-gnome-…, Flatpak app-flatpak-…, KDE app-…@<RANDOM>.service. Applications
// that are D-Bus activated (DBusActivatable=true, such as GNOME Builder and GNOME Text
// Editor) are started by dbus-broker, Fedora's bus, in dbus-:<BUS ID>-<ID>@<N>.service,
// their D-Bus name being their application ID.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace metrics::instrumentation::session {

// The application ID, or nullopt for a unit that follows neither convention (system
// services of the session, slices, sockets, a malformed escape).
std::optional<std::string> application_id_of_unit(std::string_view unit_name);

// systemd's unit-name unescaping: "\xNN" is the byte NN. nullopt for a broken escape,
// an empty result, or a result that is not UTF-8 or holds a control character or "/".
std::optional<std::string> unescape_unit_name_part(std::string_view escaped);

}  // namespace metrics::instrumentation::session
