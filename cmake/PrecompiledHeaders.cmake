# SPDX-License-Identifier: GPL-2.0-or-later
# Precompiled headers for the C++ libraries and the gtest programs: the standard, GLib/GIO
# (and gtest) headers that nearly every file includes are parsed once per build instead
# of once per file. scripts/test.sh turns this on for the ASan+UBSan build; it is off by
# default, so a plain build (and the RPM build) still checks that every file includes
# what it uses.
#
# Not for optimised builds with GCC 12: through a precompiled header, libstdc++ loses its
# system-header status for the -O2 flow warnings, and GCC 12's known false positive
# -Warray-bounds in std::string's memcpy (instrumentation/core/collectors/hardware_model.cpp,
# tests/instrumentation/test_daemon_options.cpp) then fails the build under -Werror.
#
# Two headers, each compiled once by a target of its own that has none of the targets'
# definitions (GCC refuses a header compiled with a macro that the file using it lacks) and
# reused by every target below (REUSE_FROM): all of them share the project-wide flags.
# CMake adds -Winvalid-pch, so a header GCC would silently ignore (a flag that differs)
# is an error under METRICS_WERROR.
option(METRICS_PCH "Precompile the common headers (faster full builds; CI uses it)" OFF)

set(METRICS_PCH_HEADERS
  <algorithm> <array> <cstdint> <cstring> <filesystem> <functional> <map> <memory>
  <optional> <span> <string> <string_view> <utility> <vector>
  <glib.h> <gio/gio.h>)

# The target that compiles a header: an object library of one empty file, with only the
# usage requirements (include directories, -pthread, definitions) of LIBRARIES.
function(metrics_pch_owner owner headers libraries)
  set(source ${CMAKE_BINARY_DIR}/${owner}.cpp)
  file(CONFIGURE OUTPUT ${source} CONTENT "// Compiles the precompiled header of ${owner}.\n")
  add_library(${owner} OBJECT ${source})
  target_link_libraries(${owner} PRIVATE ${libraries})
  target_precompile_headers(${owner} PRIVATE ${headers})
endfunction()

# metrics_pch_library(TARGET): the library header for a C++-only target.
function(metrics_pch_library target)
  if(NOT METRICS_PCH)
    return()
  endif()
  if(NOT TARGET metrics_pch_library)
    metrics_pch_owner(metrics_pch_library "${METRICS_PCH_HEADERS}" PkgConfig::GLIB)
  endif()
  target_precompile_headers(${target} REUSE_FROM metrics_pch_library)
endfunction()

# metrics_pch_test(TARGET): the gtest header for a gtest program.
function(metrics_pch_test target)
  if(NOT METRICS_PCH)
    return()
  endif()
  if(NOT TARGET metrics_pch_test)
    metrics_pch_owner(metrics_pch_test "${METRICS_PCH_HEADERS};<gtest/gtest.h>;<sstream>;<fstream>"
                      "PkgConfig::GLIB;GTest::gtest")
  endif()
  target_precompile_headers(${target} REUSE_FROM metrics_pch_test)
endfunction()
