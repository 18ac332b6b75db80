#include "pve/qm_command.h"

namespace vfiogen {

std::string shell_quote(std::string_view word) {
    std::string out = "'";
    for (char c : word) {
        if (c == '\'')
            out += "'\\''";
        else
            out += c;
    }
    return out + "'";
}

std::string qm_command(std::string_view verb, long long vmid, const std::vector<QmOption>& options,
                       bool one_per_line) {
    std::string out = "qm " + std::string(verb) + " " + std::to_string(vmid);
    for (const auto& [key, value] : options)
        out += (one_per_line ? " \\\n  --" : " --") + key + " " + shell_quote(value);
    return out;
}

}  // namespace vfiogen
