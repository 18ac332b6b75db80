#include "render.h"

#include "render_libvirt.h"
#include "render_pve.h"

namespace vfiogen {

std::optional<Target> parse_target(const std::string& name) {
    if (name == "pve") return Target::Pve;
    if (name == "pve-snippet") return Target::PveSnippet;
    if (name == "qm") return Target::Qm;
    if (name == "libvirt") return Target::Libvirt;
    return std::nullopt;
}

const std::vector<std::string>& target_names() {
    static const std::vector<std::string> names = {"pve", "pve-snippet", "qm", "libvirt"};
    return names;
}

Rendered render(const Vm& vm, Target target, const TemplateSet& templates, PveVersion pve_version) {
    switch (target) {
        case Target::Pve:
        case Target::PveSnippet:
        case Target::Qm: return render_pve(vm, templates, target, pve_version);
        case Target::Libvirt: return render_libvirt(vm, templates);
    }
    return {};
}

}  // namespace vfiogen
