// Rendering a VM into one of the output formats.
#pragma once

#include "base/diagnostic.h"
#include "base/templates.h"
#include "model/releases.h"
#include "model/target.h"
#include "model/vm.h"

namespace vfiogen {

// Renders `vm` for `target` through `templates`. Throws InputError with the VM file's marks
// for what the target cannot hold (see render_pve.h and render_libvirt.h for the rules).
// `pve_version`: the PVE release line the pve targets are for (pve_schema.h); a line that needs a
// newer one is refused at the VM-file key it comes from.
Rendered render(const Vm& vm, Target target, const TemplateSet& templates, PveVersion pve_version = newest_pve_version());

// PVE reads /etc/pve/qemu-server/<N>.conf as VM N: a conf for another VMID written there would
// hand this VM's disks (named vm-<vmid>-disk-K) to VM N, and `qm destroy <vmid>` would delete
// them under it. Throws InputError at `vmid` when `output`'s file name is <N>.conf with N != vmid
// (or the VM file has no vmid); any other name passes.
void refuse_foreign_vmid_conf(const Vm& vm, const std::string& output);

}  // namespace vfiogen
