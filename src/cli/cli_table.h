// The command table behind dispatch, --help, the man page and the shell completions (cli.cpp
// defines it; cli_docs.cpp turns it into vfiogen(1) and the bash and zsh completion scripts).
#pragma once

#include <boost/program_options.hpp>
#include <string>
#include <vector>

namespace vfiogen {

struct Command {
    const char* name;  // "render", or "host scan" for a subcommand of a group
    const char* summary;
    const char* usage;        // after "vfiogen NAME"
    const char* description;  // shown by --help and in the man page
    boost::program_options::options_description (*options)();
    int (*run)(const boost::program_options::variables_map& vm);
    const char* positional;  // name of the positional option, or nullptr
    int max_positional = 1;  // how many positional arguments it takes (-1: any number)
};

// Every command, in the order --help lists them.
const std::vector<Command>& commands();

// The fixed words an option value takes, by the value name its options carry ("TARGET",
// "REPORT", ...): run_cli refuses any other word for every command at once (with did-you-mean),
// and the completions offer `words`. `also` are accepted but not offered (old spellings).
struct ValueChoices {
    const char* value_name;
    std::vector<std::string> words;
    std::vector<std::string> also = {};
};
const std::vector<ValueChoices>& value_choices();

// The process exit codes and their meaning, as main() returns them (diagnostic.h), in order.
struct ExitCodeDoc {
    int code;
    const char* meaning;
};
const std::vector<ExitCodeDoc>& exit_codes();

// The environment variables vfiogen reads and what for.
struct EnvironmentVariable {
    const char* name;
    const char* meaning;
};
const std::vector<EnvironmentVariable>& environment_variables();

// vfiogen(1) in man(7) roff, generated from the tables above, the check rule table and the install
// layout (datadir: <prefix>/share/vfiogen as configured).
std::string man_page();
// A bash completion script (complete -F _vfiogen vfiogen) for commands, host subcommands, each
// command's options, --target values and file or directory arguments. Needs no bash-completion.
std::string bash_completion();
// A zsh completion script (#compdef vfiogen) for the same.
std::string zsh_completion();

}  // namespace vfiogen
