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

Rendered render(const Vm& vm, Target target, const TemplateSet& templates) {
    switch (target) {
        case Target::Pve: return render_pve(vm, templates, false);
        case Target::PveSnippet: return render_pve(vm, templates, true);
        case Target::Libvirt: return render_libvirt(vm, templates);
    }
    return {};
}

}  // namespace vfiogen
