#include "model/target.h"

namespace vfiogen {

namespace {
constexpr Target kTargets[] = {Target::Pve, Target::PveSnippet, Target::Qm, Target::Libvirt};  // as target_names()
}

std::optional<Target> parse_target(const std::string& name) {
    const auto& names = target_names();
    for (size_t i = 0; i < names.size(); ++i)
        if (names[i] == name) return kTargets[i];
    return std::nullopt;
}

const std::vector<std::string>& target_names() {
    static const std::vector<std::string> names = {"pve", "pve-snippet", "qm", "libvirt"};
    return names;
}

}  // namespace vfiogen
