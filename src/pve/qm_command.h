// `qm` command lines (Proxmox VE's CLI for qemu-server, `man qm`): shell quoting and the option
// list of `qm create` / `qm set`, for `render --target qm` and `attach --print-qm`.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vfiogen {

// `word` as one POSIX shell word: in single quotes, each ' written as '\'' (so sh, bash and
// dash read back exactly `word`, whatever bytes it holds).
std::string shell_quote(std::string_view word);

// One `--key value` option; keys are qemu-server conf keys (`hostpci0`, `efidisk0`, `delete`).
using QmOption = std::pair<std::string, std::string>;

// "qm VERB VMID --key 'value' ...": with `one_per_line`, each option on its own line after
// " \\\n  " (a shell line continuation), else separated by single spaces.
std::string qm_command(std::string_view verb, long long vmid, const std::vector<QmOption>& options,
                       bool one_per_line);

}  // namespace vfiogen
