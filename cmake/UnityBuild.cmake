# SPDX-License-Identifier: GPL-2.0-or-later
# Unity builds for the C++ libraries in the sanitizer CI build: CMake compiles each
# library's sources in batches of 8 per translation unit, so the headers and the
# template code they share (std::string, GLib wrappers, nlohmann/json) are parsed,
# instrumented and optimised once per batch instead of once per file. scripts/test.sh
# turns it on for the ASan+UBSan build only; the optimised build, the RPM build and a
# plain build compile file by file, so they still catch a file that does not include
# what it uses.
#
# A unity batch is one translation unit: two files of a library that define the same
# name in an anonymous namespace (or as static) cannot share one. instrumentation_daemon
# has such names (kKey, ...) and is left out; a library that gets one later fails here
# with "redefinition of ..." and either renames it or leaves this list.
option(METRICS_UNITY_BUILD "Compile the C++ libraries as unity builds (CI's ASan build uses it)" OFF)

# metrics_unity_build(TARGET...)
function(metrics_unity_build)
  if(METRICS_UNITY_BUILD)
    set_target_properties(${ARGN} PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE 8)
  endif()
endfunction()
