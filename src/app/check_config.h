// `.vfiogen.yaml`, the configuration of `vfiogen check` kept beside the configs it checks, as
// `.yamllint` or `.hadolint.yaml` are:
//
//   rules:                     # per rule id: off, or the severity to report it with
//     pve-unknown-key: off
//     romfile-rombar-off: error
//   ignore:                    # files not checked: globs relative to this file's folder
//     - legacy/*.conf
//   profiles:                  # hardware profile folders, relative to this file's folder
//     - hw/profiles
//
// Found upward from each checked file's folder (the nearest wins; the search stops at a folder
// holding .git), or given for every file with `check --config FILE`.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "app/check.h"

namespace vfiogen {

struct CheckConfig {
    std::string file;                               // as found or given
    std::string dir;                                // its folder, "" for the current one
    std::map<std::string, std::optional<Severity>> rules;  // rule id -> severity; nullopt = off
    std::vector<std::string> ignore;                // globs, relative to dir
    std::vector<std::string> profile_dirs;          // dir + each `profiles` entry
};

// Reads and checks `path`. Throws InputError (Unreadable: exit 2) at the offending key or value
// for unknown keys (with did-you-mean), unknown rule ids, severities other than
// off/error/warning/note, and profile folders that are absolute or climb out with "..".
CheckConfig load_check_config(const std::string& path);

// The nearest `.vfiogen.yaml` in `dir` or above it, up to a folder with `.git`, or nothing.
std::optional<std::string> find_check_config(const std::string& dir);

// Whether `path` (as given to check) matches one of the config's ignore globs, taken relative to
// the config's folder (fnmatch, '*' also crossing '/').
bool config_ignores(const CheckConfig& config, const std::string& path);

// Drops the findings of rules the config turns off and gives the others its severities.
void apply_rule_config(const CheckConfig& config, FileResult& result);

}  // namespace vfiogen
