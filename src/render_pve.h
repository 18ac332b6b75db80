// Proxmox VE qemu-server .conf output.
//
// Rules enforced here (beyond those in vm.cpp), from qemu-server's PCI.pm and QemuServer.pm:
// at most 16 hostpciN; a VMID; `name` a DNS name; per-bus disk limits (ide 4, sata 6,
// scsi 31, virtio 16); and in a whole-device `hostpciN: dddd:bb:dd` entry PVE applies rombar,
// romfile and x-vga to function .0 only, so other functions cannot carry their own.
#pragma once

#include "render.h"

namespace vfiogen {

// Renders the whole conf (`snippet` false) or only the passthrough keys (`snippet` true) for PVE
// release line `version`. Every line is read back with qemu-server's parser (pve_conf.h) and its
// keys and sub-keys are looked up in the schema (pve_schema.h): a line PVE would not read as meant,
// or that needs a newer PVE than `version`, throws InputError at the VM-file or profile key.
Rendered render_pve(const Vm& vm, const TemplateSet& templates, bool snippet, PveVersion version);

}  // namespace vfiogen
