// One handler per command; each lives in its own cmd_<name>.cpp.
#pragma once

#include "commands.hpp"

namespace metrics::cli {

ExitCode run_status(const Arguments& arguments, Context& context);
ExitCode run_upload(const Arguments& arguments, Context& context);

}  // namespace metrics::cli
