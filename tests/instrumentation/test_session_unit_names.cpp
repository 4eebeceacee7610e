// SPDX-License-Identifier: GPL-2.0-or-later
// Application IDs from the names of the units desktops, Flatpak and dbus-broker start
// applications in, with systemd's escaping; everything else is no application.
#include <gtest/gtest.h>

#include "app_unit_name.hpp"

namespace metrics::instrumentation::session {
namespace {

TEST(SessionUnitNames, ScopesOfDesktopsAndFlatpak) {
  // GNOME Shell, Flatpak, and a launcher-less scope.
  EXPECT_EQ(application_id_of_unit("app-gnome-org.gnome.Builder-4711.scope"), "org.gnome.Builder");
  EXPECT_EQ(application_id_of_unit("app-flatpak-com.visualstudio.code-81234.scope"),
            "com.visualstudio.code");
  EXPECT_EQ(application_id_of_unit("app-org.gnome.TextEditor-12.scope"), "org.gnome.TextEditor");
  EXPECT_EQ(application_id_of_unit("app-gnome-code-4711.scope"), "code");
  EXPECT_EQ(application_id_of_unit("app-code-4711.scope"), "code");
}

TEST(SessionUnitNames, EscapedIdsDecode) {
  EXPECT_EQ(application_id_of_unit("app-gnome-jetbrains\\x2didea\\x2dce-3210.scope"),
            "jetbrains-idea-ce");
  EXPECT_EQ(
      application_id_of_unit("app-flatpak-com.jetbrains.IntelliJ\\x2dIDEA\\x2dCommunity-999.scope"),
      "com.jetbrains.IntelliJ-IDEA-Community");
  EXPECT_EQ(application_id_of_unit("app-gnome-sublime_text-1.scope"), "sublime_text");
  EXPECT_EQ(application_id_of_unit("app-gnome-dev.zed.Zed\\x2dPreview-1.scope"),
            "dev.zed.Zed-Preview");
  // A launcher that forgot to escape: the parts are joined back.
  EXPECT_EQ(application_id_of_unit("app-flatpak-com.jetbrains.PyCharm-Community-77.scope"),
            "com.jetbrains.PyCharm-Community");
}

TEST(SessionUnitNames, ServicesWithAndWithoutRandomPart) {
  // KDE Plasma: no launcher, a random instance.
  EXPECT_EQ(application_id_of_unit("app-org.kde.kate@a1b2c3d4e5f6.service"), "org.kde.kate");
  EXPECT_EQ(application_id_of_unit("app-gnome-org.gnome.Builder@1.service"), "org.gnome.Builder");
  EXPECT_EQ(application_id_of_unit("app-org.kde.kdevelop.service"), "org.kde.kdevelop");
  EXPECT_EQ(application_id_of_unit("app-kde-jetbrains\\x2dclion@f00.service"), "jetbrains-clion");
}

TEST(SessionUnitNames, DbusBrokerActivatedApplications) {
  EXPECT_EQ(application_id_of_unit("dbus-:1.2-org.gnome.Builder@0.service"), "org.gnome.Builder");
  EXPECT_EQ(application_id_of_unit("dbus-:1.14-org.gnome.TextEditor@3.service"),
            "org.gnome.TextEditor");
  EXPECT_EQ(application_id_of_unit("dbus-:1.2-com.jetbrains.IntelliJ-IDEA-Community@0.service"),
            "com.jetbrains.IntelliJ-IDEA-Community");
  // Not an application: a name without dots, a missing instance.
  EXPECT_EQ(application_id_of_unit("dbus-:1.2-nodots@0.service"), std::nullopt);
  EXPECT_EQ(application_id_of_unit("dbus-:1.2-org.gnome.Builder.service"), std::nullopt);
  EXPECT_EQ(application_id_of_unit("dbus-broker.service"), std::nullopt);
}

TEST(SessionUnitNames, OtherUnitsAreNoApplication) {
  for (const char* name :
       {"gnome-shell-wayland.service", "pipewire.service", "app.slice", "app-gnome.slice",
        "app-org.gnome.Terminal.slice", "dbus.socket", "app-gnome-org.gnome.Builder-1.socket",
        "app-.scope", "app--1.scope", "app-gnome--1.scope", "app-org.gnome.Builder.scope",
        "session-2.scope", "app-gnome-bad\\x2-1.scope", "app-gnome-bad\\q2d-1.scope",
        "app-gnome-bad\\x-1.scope", "app-gnome-\\x00-1.scope", "app-gnome-a\\x2fb-1.scope",
        "app-gnome-\\xff\\xfe-1.scope", ""})
    EXPECT_EQ(application_id_of_unit(name), std::nullopt) << name;
}

TEST(SessionUnitNames, Unescaping) {
  EXPECT_EQ(unescape_unit_name_part("a\\x2db"), "a-b");
  EXPECT_EQ(unescape_unit_name_part("\\x41\\x62"), "Ab");
  EXPECT_EQ(unescape_unit_name_part("caf\\xc3\\xa9"), "caf\xc3\xa9");
  EXPECT_EQ(unescape_unit_name_part(""), std::nullopt);
  EXPECT_EQ(unescape_unit_name_part("a\\x2"), std::nullopt);
  EXPECT_EQ(unescape_unit_name_part("a\\"), std::nullopt);
  EXPECT_EQ(unescape_unit_name_part("a\\x0a"), std::nullopt);
}

}  // namespace
}  // namespace metrics::instrumentation::session
