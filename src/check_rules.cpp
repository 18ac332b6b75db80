#include "check_rules.h"

#include <stdexcept>

namespace vfiogen {
namespace {

constexpr Severity E = Severity::Error;
constexpr Severity W = Severity::Warning;
using S = RuleScope;

// clang-format off
const std::vector<CheckRule> kRules = {
    // ---- every input ----
    {"unreadable", E, S::Any,
     "The file could not be read or parsed at all: missing, a directory, empty, binary, YAML syntax or XML that is not well-formed.",
     "Fix the syntax at the position given; nothing else in the file was checked.",
     "vfiogen (yaml-cpp, pugixml)"},
    {"more-findings", Severity::Note, S::Any,
     "The file has more findings than vfiogen reports for one file (200); the note counts the rest, and the summary and exit code include them.",
     "Fix the findings shown and check again; a file with this many is usually not the kind its name says.",
     "vfiogen check.cpp"},
    {"vm-invalid", E, S::Vm,
     "A VM file breaks a vfiogen key or rule (unknown key, bad value, legacy IGD, pcie on i440fx, ...); the message is the one `vfiogen render` prints.",
     "See docs/KEYS.md for the key, or the rule named in the message.",
     "vfiogen keys.cpp, vm.cpp, render_pve.cpp, render_libvirt.cpp"},
    {"profile-invalid", E, S::Vm,
     "A hardware profile breaks a vfiogen key or rule (unknown key, bad ID, cyclic extends, ...).",
     "See docs/KEYS.md, hardware profile keys.",
     "vfiogen keys.cpp, profile.cpp"},

    // ---- Proxmox VE qemu-server confs ----
    {"pve-syntax", E, S::Pve,
     "A line that is not `key: value`, a `#` description line or a section header; qemu-server skips it with \"unable to parse config\".",
     "Write `key: value` with a lowercase key, or `[snapshot-name]`, `[PENDING]`, `[special:cloudinit]`.",
     "qemu-server QemuServer.pm parse_vm_config"},
    {"pve-unknown-key", W, S::Pve,
     "A key qemu-server has no schema for; it is dropped with a warning at start.",
     "Check the spelling against `man qm.conf`.",
     "qemu-server QemuServer.pm $confdesc"},
    {"pve-duplicate-key", W, S::Pve,
     "A key set twice in one section; qemu-server keeps the last value.",
     "Remove one of the lines.",
     "qemu-server QemuServer.pm parse_vm_config"},
    {"pve-pending-delete", E, S::Pve,
     "`delete:` outside the [PENDING] section.",
     "Move it under [PENDING] or remove it.",
     "qemu-server QemuServer.pm parse_vm_config"},
    {"pve-property", E, S::Pve,
     "A property string qemu-server cannot parse: unknown or repeated sub-key, a sub-key without value, a bad boolean; the key is dropped at start.",
     "Write comma-separated sub-key=value pairs from the key's format (the default key may come first without a name).",
     "pve-common JSONSchema.pm parse_property_string"},
    {"pve-value", E, S::Pve,
     "A value outside the key's format (bios, machine, vga, cpu, efidisk0, netN, disks, cores, memory, name, vendor-id, ...).",
     "Write the value in the format the message gives.",
     "qemu-server QemuServer.pm, PCI.pm formats; pve-common JSONSchema.pm"},
    {"pve-hostpci-index", E, S::Pve,
     "hostpciN with N above 15: qemu-server knows hostpci0 to hostpci15 only.",
     "Renumber the entries from hostpci0.",
     "qemu-server PCI.pm $MAX_HOSTPCI_DEVICES"},
    {"pve-hostpci-source", E, S::Pve,
     "A hostpciN entry needs exactly one of `host` (the default key) and `mapping`.",
     "Give the PCI ID (hostpci0: 0000:01:00) or mapping=<id>, not both.",
     "qemu-server PCI.pm parse_hostpci"},
    {"pve-hostpci-id", E, S::Pve,
     "A host PCI ID that does not match qemu-server's pattern [dddd:]bb:dd[.f]: lowercase hexadecimal only.",
     "Write the ID as `lspci -D` prints it, e.g. 0000:01:00.0.",
     "qemu-server PCI.pm $PCIRE"},
    {"pve-pcie-q35", E, S::Pve,
     "pcie=1 on a machine type other than q35; the VM fails to start (\"q35 machine model is not enabled\").",
     "Set `machine: q35` (or pc-q35-X.Y) or drop pcie=1.",
     "qemu-server PCI.pm print_hostpci_devices"},
    {"pve-legacy-igd", E, S::Pve,
     "legacy-igd=1 needs vga: none, an i440fx machine, the host device at 00:02.0, one such device, no x-vga, rombar=0, mdev or multifunction.",
     "Follow the requirement the message names; legacy IGD is placed at guest 00:02.0 by PVE.",
     "qemu-server PCI.pm parse_hostpci_devices"},
    {"pve-hostpci-driver", W, S::Pve,
     "`driver=` on a hostpciN entry exists only from qemu-server 9.0 (PVE 9); older versions refuse the whole entry.",
     "Drop driver= unless every node runs PVE 9 or later.",
     "qemu-server PCI.pm (9.0 changelog)"},
    {"pve-romfile-path", E, S::Pve,
     "A romfile with '/' or '..': qemu-server always reads /usr/share/kvm/<romfile>, so a path points somewhere unintended.",
     "Copy the ROM to /usr/share/kvm and give its bare file name.",
     "qemu-server PCI.pm romfile (pattern [^,;]+, joined to /usr/share/kvm)"},
    {"pve-xvga-ovmf", W, S::Pve,
     "x-vga=1 with bios: ovmf has no effect: qemu-server passes x-vga=on only with SeaBIOS.",
     "Drop x-vga=1 under OVMF (the GPU's GOP does the job), or use bios: seabios.",
     "qemu-server PCI.pm print_hostpci_devices"},

    // ---- libvirt domain XML ----
    {"lv-schema", E, S::Libvirt,
     "The domain XML is not valid against libvirt's RelaxNG schema; libvirt drops unknown elements silently unless defined with validation.",
     "Compare the element with libvirt's formatdomain documentation.",
     "libvirt /usr/share/libvirt/schemas/domain.rng"},
    {"lv-hostdev-driver", W, S::Libvirt,
     "A PCI hostdev without <driver name='vfio'/> (or with another driver).",
     "Add <driver name='vfio'/> to the hostdev.",
     "libvirt formatdomain.rst (hostdev driver); DOMAIN.md"},
    {"lv-commandline-set", E, S::Libvirt,
     "`-set device.<alias>.x-...` in <qemu:commandline>: current libvirt passes devices as JSON and QEMU answers \"there is no device defined\".",
     "Use <qemu:override><qemu:device alias='...'><qemu:frontend><qemu:property .../> (libvirt >= 8.2).",
     "libvirt docs/drvqemu.rst (qemu:override, libvirt 8.2); DOMAIN.md"},
    {"lv-igd-address", W, S::Libvirt,
     "The Intel IGD (host 0000:00:02.0) is not at guest 00:02.0 on an i440fx machine, so QEMU does not use legacy IGD mode.",
     "Put the IGD hostdev at <address type='pci' domain='0x0000' bus='0x00' slot='0x02' function='0x0'/> and use machine pc-i440fx.",
     "QEMU docs/igd-assign.txt"},
    {"lv-secboot-i440fx", E, S::Libvirt,
     "Secure-boot OVMF on an i440fx machine: Debian's secboot firmware needs q35 and SMM, and firmware autoselection fails.",
     "Use machine q35 with <smm state='on'/>, or a non-secboot OVMF.",
     "Debian ovmf /usr/share/qemu/firmware/*.json; libvirt formatdomain.rst (os firmware)"},
    {"lv-video-primary-gpu", W, S::Libvirt,
     "An emulated <video> model beside a passed-through primary GPU (x-vga or legacy IGD): the guest gets two VGA devices.",
     "Set <video><model type='none'/></video>.",
     "QEMU docs/igd-assign.txt; DOMAIN.md (legacy IGD in libvirt)"},

    // ---- PVE confs and libvirt XML alike ----
    {"duplicate-host-function", E, S::Both,
     "The same host PCI function is passed through twice; the VM cannot start.",
     "Remove one of the entries.",
     "vfio: one device, one owner"},
    {"gpu-without-audio", W, S::Any,
     "A GPU's function .0 is passed without the audio function .1 of the same device (in the same IOMMU group, so it must go along).",
     "Pass the whole device (PVE hostpciN: 0000:01:00) or add function .1.",
     "DOMAIN.md (IOMMU group); seeds 000, 001, 003"},
    {"pcie-acs-override", W, S::Any,
     "pcie_acs_override in QEMU arguments or notes: an out-of-tree kernel patch that splits IOMMU groups by pretending isolation.",
     "Prefer a slot in its own IOMMU group; keep the override only if you accept that devices can reach each other's memory.",
     "DOMAIN.md (host preparation); seed 004"},
    {"unsafe-interrupts", W, S::Any,
     "allow_unsafe_interrupts in QEMU arguments or notes: VFIO without interrupt remapping lets a device inject interrupts into the host.",
     "Enable interrupt remapping in the firmware instead where the platform has it.",
     "Linux vfio_iommu_type1 allow_unsafe_interrupts; DOMAIN.md"},
};
// clang-format on

const char* scope_name(RuleScope scope) {
    switch (scope) {
        case S::Any: return "any";
        case S::Vm: return "vm";
        case S::Pve: return "pve";
        case S::Libvirt: return "libvirt";
        case S::Both: return "pve, libvirt";
    }
    return "?";
}

}  // namespace

const std::vector<CheckRule>& check_rules() { return kRules; }

const CheckRule& check_rule(std::string_view id) {
    for (const auto& r : kRules)
        if (r.id == id) return r;
    throw std::logic_error("no check rule '" + std::string(id) + "'");
}

const char* severity_name(Severity severity) {
    return severity == Severity::Error ? "error" : severity == Severity::Warning ? "warning" : "note";
}

std::string rules_markdown() {
    std::string out =
        "# Check rules\n\n"
        "Generated from the rule table in `src/check_rules.cpp` (`vfiogen check --list-rules` prints the same).\n"
        "Scope says what a rule reads: `vm` (vfiogen VM files and profiles), `pve` (qemu-server confs and the PVE\n"
        "rendering of a VM file), `libvirt` (domain XML and the libvirt rendering of a VM file), `any` (all of them).\n\n"
        "| id | severity | scope | summary | hint | source |\n|---|---|---|---|---|---|\n";
    for (const auto& r : kRules) {
        out += "| `" + std::string(r.id) + "` | " + severity_name(r.severity) + " | " + scope_name(r.scope) + " | " +
               std::string(r.summary) + " | " + std::string(r.hint) + " | " + std::string(r.source) + " |\n";
    }
    return out;
}

std::string rules_text() {
    std::string out;
    for (const auto& r : kRules) {
        std::string id(r.id);
        std::string sev = severity_name(r.severity);
        out += id + std::string(id.size() < 24 ? 24 - id.size() : 1, ' ') + sev +
               std::string(sev.size() < 9 ? 9 - sev.size() : 1, ' ') + std::string(r.summary) + "\n" +
               std::string(33, ' ') + "source: " + std::string(r.source) + "\n";
    }
    return out;
}

}  // namespace vfiogen
