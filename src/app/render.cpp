#include "app/render.h"

#include <algorithm>
#include <filesystem>

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

void refuse_foreign_vmid_conf(const Vm& vm, const std::string& output) {
    std::string base = std::filesystem::path(output).filename().string();
    if (base.size() <= 5 || base.compare(base.size() - 5, 5, ".conf") != 0) return;
    std::string stem = base.substr(0, base.size() - 5);
    if (stem.empty() || stem.size() > 12 ||
        !std::all_of(stem.begin(), stem.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return;
    long long n = std::stoll(stem);
    if (vm.vmid && *vm.vmid == n) return;
    if (!vm.vmid)
        throw InputError(vm.vmid_mark, "the output " + output + " is the conf of VM " + stem +
                                           ", but this VM file has no vmid: set 'vmid: " + stem +
                                           "' if it describes that VM, or write to another file");
    throw InputError(vm.vmid_mark, "vmid " + std::to_string(*vm.vmid) + " does not match the output " +
                                       output + ": PVE reads " + base + " as VM " + stem +
                                       ", which would then use VM " + std::to_string(*vm.vmid) +
                                       "'s disks; write to " + std::to_string(*vm.vmid) +
                                       ".conf or change vmid");
}

}  // namespace vfiogen
