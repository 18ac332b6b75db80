#include "render.h"

#include "render_libvirt.h"
#include "render_pve.h"

namespace vfiogen {

std::optional<Target> parse_target(const std::string& name) {
    if (name == "pve") return Target::Pve;
    if (name == "pve-snippet") return Target::PveSnippet;
    if (name == "libvirt") return Target::Libvirt;
    return std::nullopt;
}

Rendered render(const Vm& vm, Target target, const TemplateSet& templates, PveVersion pve_version) {
    switch (target) {
        case Target::Pve: return render_pve(vm, templates, false, pve_version);
        case Target::PveSnippet: return render_pve(vm, templates, true, pve_version);
        case Target::Libvirt: return render_libvirt(vm, templates);
    }
    return {};
}

}  // namespace vfiogen
