# SPDX-License-Identifier: GPL-2.0-or-later
# Warnings are errors for our own code; third-party headers come in as system includes.
# Packagers building with a newer compiler than ours can turn the errors off
# (-DMETRICS_WERROR=OFF): new warnings there must not break a distribution build.
option(METRICS_WERROR "Treat compiler warnings as errors" ON)
add_compile_options(-Wall -Wextra -Wshadow -Wnon-virtual-dtor -Wformat=2
                    -Wno-missing-field-initializers)
if(METRICS_WERROR)
  add_compile_options(-Werror)
endif()
