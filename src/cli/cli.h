// The command line: one table of subcommands drives dispatch, --help and suggestions.
#pragma once

#include <string>
#include <vector>

namespace vfiogen {

// Runs `vfiogen ARGS...` (args excludes the program name) and returns the exit code.
// Throws InputError, UsageError or OutputError for main() to report; see diagnostic.h.
int run_cli(const std::vector<std::string>& args);

}  // namespace vfiogen
