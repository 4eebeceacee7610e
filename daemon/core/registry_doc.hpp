// SPDX-License-Identifier: GPL-2.0-or-later
// The user page "What is collected" (docs/what-is-collected.md), generated from the
// registry so that the page cannot list anything other than what the recorder enforces.
// tools/registry-doc writes it; a unit test fails when the committed page is stale.
#pragma once

#include <string>

#include "registry.hpp"

namespace metrics::registry {

// Markdown, grouped by registry file in the registry's order. Only file names (not
// directories) appear, so the page is the same wherever the registry was read from.
std::string render_user_page(const Registry& registry);

}  // namespace metrics::registry
