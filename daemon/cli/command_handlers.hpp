// SPDX-License-Identifier: GPL-2.0-or-later
// One handler per command; each lives in its own cmd_<name>.cpp.
#pragma once

#include "commands.hpp"

namespace metrics::cli {

ExitCode run_status(const Arguments& arguments, Context& context);
ExitCode run_upload(const Arguments& arguments, Context& context);
ExitCode run_consent(const Arguments& arguments, Context& context);
ExitCode run_queue(const Arguments& arguments, Context& context);
ExitCode run_log(const Arguments& arguments, Context& context);
ExitCode run_set_aside(const Arguments& arguments, Context& context);
ExitCode run_set_server_url(const Arguments& arguments, Context& context);
ExitCode run_set_environment(const Arguments& arguments, Context& context);
ExitCode run_registry(const Arguments& arguments, Context& context);

}  // namespace metrics::cli
