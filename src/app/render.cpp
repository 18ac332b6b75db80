#include "app/render.h"

#include "libvirt/render_libvirt.h"
#include "pve/render_pve.h"

namespace vfiogen {

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
