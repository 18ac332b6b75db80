// Proxmox VE qemu-server output: the whole conf, the passthrough snippet and the `qm create` script.
//
// Rules enforced here (beyond those in vm.cpp), from qemu-server's PCI.pm and QemuServer.pm:
// at most 16 hostpciN; a VMID; `name` a DNS name; per-bus disk limits (ide 4, sata 6,
// scsi 31, virtio 16); and in a whole-device `hostpciN: dddd:bb:dd` entry PVE applies rombar,
// romfile and x-vga to function .0 only, so other functions cannot carry their own.
//
// Volumes: a conf can only name volumes that already exist; PVE allocates new ones only through
// its API (`qm create|set --scsi0 STORAGE:SIZE_GIB`, QemuServer/Drive.pm). So the `qm` target
// allocates every disk, efidisk0 and tpmstate0 included; the whole conf names the volumes PVE would give
// (vm-<vmid>-disk-<n>) and says in its header that they must exist; the snippet names none.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "base/templates.h"
#include "model/releases.h"
#include "model/target.h"
#include "model/vm.h"

namespace vfiogen {

// One hostpciN entry the VM file asks for.
struct PveHostpciEntry {
    std::string host;     // the PCI ID(s), qemu-server's default key ("0000:01:00"), or "mapping=ID"
    std::string options;  // the other sub-keys, sorted, each with a leading ',' ("" for none)
    std::vector<std::string> set_properties;  // vfio-pci properties set through `args`: "x-igd-gms=0x2"
    Mark mark;                                // where the VM file binds the device or function
    Mark origin;                              // the key a line qemu-server would misread comes from

    std::string value() const { return host + options; }
};

// Everything passthrough needs from a PVE VM, in qemu-server's terms (QemuServer.pm, PCI.pm,
// CPUConfig.pm), shared by the three renderings and by `attach`.
struct PvePassthrough {
    long long vmid = 0;
    std::vector<PveHostpciEntry> hostpci;  // in VM-file order; hostpci0.. when rendered on their own
    std::vector<std::string> extra_args;   // the VM file's qemu_args, after vfiogen's own
    std::string bios;                      // "ovmf" | "seabios"
    bool q35 = false;                      // machine type q35 (else i440fx, qemu-server's "pc")
    std::string machine_version;           // "" = the VM file names none
    std::string vga;                       // vga type: none | std | virtio | qxl
    std::vector<std::pair<std::string, std::string>> cpu_flags;  // ("hidden","1"), ("hv-vendor-id","X")
    std::string efidisk_create;   // `qm set|create --efidisk0` value allocating one ("" without OVMF)
    std::string tpmstate_create;  // `qm set|create --tpmstate0` value allocating one ("" without a TPM)
    Warnings warnings;            // never fatal
};

// Plans vm's passthrough for PVE. Throws InputError at the VM file's marks: no vmid, a name that
// is not a DNS name, more than 16 hostpci entries, per-function ROM settings on a whole device.
PvePassthrough plan_pve_passthrough(const Vm& vm);

// "pc" / "q35" or "pc-i440fx-X.Y" / "pc-q35-X.Y" (Machine.pm machine types).
std::string pve_machine_value(bool q35, const std::string& version);

// The `args` words vfiogen owns for hostpci entry `h` placed at index `index`:
// "-set device.hostpci<index>.<property>" per set property (QEMU's -set on the device id PVE gives it).
std::vector<std::string> pve_owned_args(const PveHostpciEntry& h, size_t index);

// Renders the whole conf (`Target::Pve`), the passthrough snippet (`Target::PveSnippet`) or the
// `qm create` shell script (`Target::Qm`) for PVE release line `version`. Every line is checked as
// qemu-server's parser reads it back (pve_conf.h) and against the schema (pve_schema.h): a line PVE
// would not read as meant, or that needs a newer PVE than `version`, throws InputError at the
// VM-file or profile key it comes from; the two conf renderings are also parsed back whole.
Rendered render_pve(const Vm& vm, const TemplateSet& templates, Target target, PveVersion version);

}  // namespace vfiogen
