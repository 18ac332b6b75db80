#include "rules/check_rules.h"

#include <stdexcept>

namespace vfiogen {
namespace {

constexpr Severity E = Severity::Error;
constexpr Severity W = Severity::Warning;
constexpr Severity N = Severity::Note;
using S = RuleScope;

// clang-format off
const std::vector<CheckRule> kRules = {
    // ---- every input ----
    {"unreadable", E, S::Any,
     "The file could not be read or parsed at all: missing, a directory, empty, binary, YAML syntax or XML that is not well-formed.",
     "Fix the syntax at the position given; nothing else in the file was checked.",
     "vfiogen (yaml-cpp; pugixml and libxml2, as libvirt reads XML)"},
    {"more-findings", Severity::Note, S::Any,
     "The file has more findings than vfiogen reports for one file (200); the note counts the rest, and the summary and exit code include them.",
     "Fix the findings shown and check again; a file with this many is usually not the kind its name says.",
     "vfiogen check.cpp", ""},
    {"suppression-unused", Severity::Note, S::Any,
     "A `vfiogen: ignore=RULE` comment whose rule id names no rule, or that suppressed no finding on the line it covers (the line itself when the comment ends it, else the next line).",
     "Remove the id, or correct it: `vfiogen check --list-rules` lists the rules.",
     "vfiogen suppressions.cpp", ""},
    {"not-vfiogen", Severity::Note, S::Vm,
     "A .yaml or .yml file that is neither a vfiogen VM file (a `passthrough` key, or `name` and mostly VM file keys) nor a hardware profile (a `functions` key, or in a `profiles` folder), such as a docker-compose.yml or a CI workflow beside the VM files; it is skipped.",
     "Nothing to do; a VM file without passthrough entries needs a `name` key, and its keys must be mostly VM file keys.",
     "vfiogen check.cpp", ""},
    {"vm-key", E, S::Vm,
     "A VM file key that the key table does not have (with a did-you-mean), is repeated, or a required key that is missing; every such key of the file is reported.",
     "See docs/KEYS.md (or `vfiogen keys`) for the keys and where they go.",
     "vfiogen keys.cpp"},
    {"vm-value", E, S::Vm,
     "A VM file value of the wrong type, out of range, not one of the key's choices, or not a valid PCI address, ID, file name or path; every such value of the file is reported.",
     "See docs/KEYS.md (or `vfiogen keys`) for the key's type, range and choices.",
     "vfiogen keys.cpp"},
    {"vm-invalid", E, S::Vm,
     "A VM file breaks a vfiogen rule beyond key shapes (legacy IGD, pcie on i440fx, a function bound twice, ...); the message is the one `vfiogen render` prints.",
     "See docs/KEYS.md for the key, or the rule named in the message.",
     "vfiogen keys.cpp, vm.cpp, render_pve.cpp, render_libvirt.cpp"},
    {"profile-invalid", E, S::Vm,
     "A hardware profile breaks a vfiogen key or rule (unknown key, bad ID, cyclic extends, ...).",
     "See docs/KEYS.md, hardware profile keys.",
     "vfiogen keys.cpp, profile.cpp"},

    // ---- Proxmox VE qemu-server confs ----
    {"pve-syntax", W, S::Pve,
     "A line qemu-server's parser skips with a warning (\"unable to parse config\", e.g. `key:` with nothing after the colon), an unknown or repeated section; in its default (non-strict) mode PVE only warns, and the VM starts without the line.",
     "Write `key: value` with a lowercase key, or `[snapshot-name]`, `[PENDING]`, `[special:cloudinit]`.",
     "qemu-server QemuServer.pm parse_vm_config"},
    {"pve-snapstate-line", E, S::Pve,
     "A line that ends in `snapstate: prepare` or `snapstate: delete` but starts with another key: qemu-server matches snapstate unanchored before the key, so the line becomes the snapshot state and its real key (a hostpci, args) is silently dropped.",
     "Remove the `snapstate:` text from the end of the value (a romfile name, args).",
     "qemu-server QemuServer.pm parse_vm_config (9.2.6, e6352be6)", "qemu-server (all releases to 9.2)"},
    {"pve-mapping", E, S::Pve,
     "A line of a PVE PCI resource mapping file (`/etc/pve/mapping/pci.cfg`) that pve-guest-common rejects: a section id that is not a pve-configid, a `map` without `node=`, an `id=`/`subsystem-id=` that is not vendor:device, a `path=` that is not dddd:bb:dd[.f].",
     "Write `ID` on its own line, then a tab and `map node=NODE,path=0000:01:00.0,id=10de:1d01[,subsystem-id=..][,iommugroup=N]`.",
     "pve-guest-common Mapping/PCI.pm (4a8f6cbf)", "PVE >= 8.0"},
    {"pve-mapping-missing", E, S::Pve,
     "A `hostpciN: mapping=ID` whose ID has no section in the pci.cfg given on the same `check` command line: PVE cannot start the VM.",
     "Create the mapping (`vfiogen pve mapping`, or Datacenter > Resource Mappings), or fix the id.",
     "qemu-server PCI.pm, pve-guest-common Mapping/PCI.pm", "PVE >= 8.0"},
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
     "qemu-server PCI.pm $MAX_HOSTPCI_DEVICES", "qemu-server >= 6.0 (Sep 2019: 16 entries)"},
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
     "qemu-server PCI.pm print_hostpci_devices", "all qemu-server releases"},
    {"pve-legacy-igd", E, S::Pve,
     "legacy-igd=1 needs vga: none, an i440fx machine, the host device at 00:02.0, one such device, no x-vga, rombar=0, mdev or multifunction.",
     "Follow the requirement the message names; legacy IGD is placed at guest 00:02.0 by PVE.",
     "qemu-server PCI.pm parse_hostpci_devices"},
    {"pve-mdev-multifunction", E, S::Pve,
     "mdev= on a hostpci entry that names more than one host function (several IDs with ';', or a slot ID that has several functions on the host given with --host-root): qemu-server refuses to start the VM.",
     "Give the one function the mediated device is made from (e.g. 0000:00:02.0).",
     "qemu-server PCI.pm parse_hostpci (\"cannot use mediated device with multifunction device\")"},
    {"pve-version", E, S::Pve,
     "A key, sub-key or value newer than the PVE release line checked for (`--pve-version`, default the newest in the table): that qemu-server drops the line with a warning, e.g. `driver=` (9.0), `aw-bits` (9.0), cpu `level` (9.1), `amd-sev` (8.2), `type=snp` (8.3).",
     "Drop it, or check for the PVE version every node of the cluster runs.",
     "vfiogen pve_schema.cpp, read from qemu-server e6352be6 (9.2.6)", "per key: PVE 8.0 to 9.2 (--pve-version)"},
    {"pve-romfile-path", E, S::Pve,
     "A romfile with '/' or '..': qemu-server always reads /usr/share/kvm/<romfile>, so a path points somewhere unintended.",
     "Copy the ROM to /usr/share/kvm and give its bare file name.",
     "qemu-server PCI.pm romfile (pattern [^,;]+, joined to /usr/share/kvm)"},
    {"pve-volume-shared", E, S::Pve,
     "Two writable drive keys (disks, efidisk0, tpmstate0) of one config name the same volume: QEMU refuses to start where the storage locks images, and elsewhere (Ceph RBD, iSCSI) both write to the same blocks; an efidisk0 on a system disk overwrites its start.",
     "Give each key its own volume; let PVE allocate new ones (qm set VMID --efidisk0 STORAGE:1,efitype=4m).",
     "qemu-server QemuServer/Drive.pm (volumes are allocated through the API only)"},
    {"pve-efidisk-missing", W, S::Pve,
     "bios: ovmf without efidisk0: qemu-server starts OVMF with a temporary variable store, so boot entries and secure boot keys are lost at every start.",
     "Let PVE create one: qm set VMID --efidisk0 STORAGE:1,efitype=4m,pre-enrolled-keys=0.",
     "qemu-server QemuServer/OVMF.pm (\"no efidisk configured! Using temporary efivars disk.\"), 9.2"},
    {"pve-locked", N, S::Pve,
     "The VM has `lock:` set: a task (backup, migrate, snapshot, clone, ...) holds it, and PVE refuses changes and starts until it ends.",
     "Wait for the task; remove a lock a failed task left with qm unlock VMID.",
     "pve-guest-common AbstractConfig.pm check_lock"},
    {"pve-ivshmem-size", E, S::Pve,
     "ivshmem size (MiB) that is not a power of two: QEMU sizes a PCI BAR from it and refuses the device at start.",
     "Use a power of two; Looking Glass needs width x height x 4 x 2 + 10 MiB rounded up (32 for 1080p, 64 for 1440p, 128 for 4K).",
     "QEMU hw/pci/pci.c pci_register_bar; qemu-server QemuServer.pm ivshmem; Looking Glass B7 install_libvirt.rst"},
    {"pve-secboot-legacy-igd", W, S::Pve,
     "legacy-igd=1 with an efidisk0 that has pre-enrolled-keys=1: the legacy IGD ROMs are not signed, so Secure Boot stops them.",
     "Set pre-enrolled-keys=0 (a new efidisk0), or turn Secure Boot off in the OVMF setup.",
     "seed 003 (\"secure boot not supported\" with the gen12 IGD ROMs)"},
    {"pve-xvga-ovmf", W, S::Pve,
     "x-vga=1 that does nothing: under bios: ovmf qemu-server drops QEMU's x-vga=on, and here `vga:` is set, cpu hidden= decides kvm=off and no hv_vendor_id is added (not Windows 8+, kvm: 0, or hv-vendor-id set). Elsewhere x-vga=1 (the GUI's Primary GPU) turns the emulated VGA off, adds kvm=off and hv_vendor_id.",
     "Nothing breaks; drop x-vga=1 if you meant no effect, or unset `vga:` to make the GPU the only display.",
     "qemu-server PCI.pm print_hostpci_devices, CPUConfig.pm get_cpu_options, get_hyperv_enlightenments", "qemu-server >= 6.0 (2019), read at 9.2.6"},
    {"romfile-rombar-off", W, S::Both,
     "rombar=0 (libvirt <rom bar='off'>) with a ROM file under OVMF: QEMU then maps no ROM BAR and hands the file to the firmware through fw_cfg, which only SeaBIOS runs; OVMF never sees the GOP ROM meant for it.",
     "Drop rombar=0 (bar='off') so the ROM is the device's ROM BAR, or drop the ROM file.",
     "QEMU hw/pci/pci.c pci_add_option_rom; DOMAIN.md", "all QEMU releases"},

    // ---- libvirt domain XML ----
    {"lv-schema", E, S::Libvirt,
     "The domain XML breaks libvirt's RelaxNG schema: an element or attribute in the wrong place, a missing one, a value of the wrong type. Reported once, at the offending node, naming the schema's libvirt release.",
     "Compare the element with libvirt's formatdomain documentation; the message names the element and a close name the schema knows.",
     "libvirt /usr/share/libvirt/schemas/domain.rng", "the schema's libvirt (Debian 12: 9.0.0); --libvirt-schema, --libvirt-version"},
    {"lv-schema-unknown", W, S::Libvirt,
     "An element or attribute name that the installed libvirt schema does not know anywhere: a newer libvirt's (e.g. <topology clusters=> 10.x) or a misspelling. libvirt drops unknown XML unless defined with validation.",
     "If the host's libvirt is newer, check with its schema (--libvirt-schema DIR); else fix the name (the message suggests a close one).",
     "libvirt /usr/share/libvirt/schemas/*.rng (every element and attribute name)", "the schema's libvirt (Debian 12: 9.0.0)"},
    {"lv-hostdev-driver", E, S::Libvirt,
     "A PCI hostdev with <driver name='kvm'/>: legacy KVM device assignment was disabled in libvirt 5.7, VFIO is the only backend. A hostdev without <driver> is fine (libvirt picks vfio).",
     "Remove the <driver> element or write <driver name='vfio'/>.",
     "libvirt formatdomain.rst (hostdev driver), NEWS 5.7.0; DOMAIN.md", "libvirt >= 5.7"},
    {"lv-mdev-display", E, S::Libvirt,
     "An mdev hostdev with display='on' in a domain without <graphics>: libvirt's QEMU driver refuses to start it (\"graphics device is needed for attribute value 'display=on' in <hostdev>\").",
     "Add a graphics device with OpenGL (SPICE with <gl enable='yes'/>, or egl-headless beside VNC: QEMU's vGPU display needs OpenGL), or set display='off'.",
     "libvirt src/qemu/qemu_validate.c (qemuValidateDomainMdevDefVFIOPCI); QEMU hw/vfio/display.c", "libvirt >= 4.6 (display attribute)"},
    {"lv-commandline-set", E, S::Libvirt,
     "`-set device.<alias>.x-...` in <qemu:commandline>: current libvirt passes devices as JSON and QEMU answers \"there is no device defined\".",
     "Use <qemu:override><qemu:device alias='...'><qemu:frontend><qemu:property .../> (libvirt >= 8.2).",
     "libvirt docs/drvqemu.rst (qemu:override, libvirt 8.2); DOMAIN.md", "libvirt >= 8.2 with QEMU >= 7"},
    {"lv-igd-address", W, S::Libvirt,
     "The Intel IGD (host 0000:00:02.0) is not at guest 00:02.0 on an i440fx machine, so QEMU does not use legacy IGD mode.",
     "Put the IGD hostdev at <address type='pci' domain='0x0000' bus='0x00' slot='0x02' function='0x0'/> and use machine pc-i440fx.",
     "QEMU docs/igd-assign.txt"},
    {"lv-secboot-i440fx", E, S::Libvirt,
     "Secure-boot OVMF on an i440fx machine: Debian's secboot firmware needs q35 and SMM, and firmware autoselection fails.",
     "Use machine q35 with <smm state='on'/>, or a non-secboot OVMF.",
     "Debian ovmf /usr/share/qemu/firmware/*.json; libvirt formatdomain.rst (os firmware)", "Debian ovmf 2022.11 (Debian 12)"},
    {"lv-secboot-smm", E, S::Libvirt,
     "<loader secure='yes'> without <smm state='on'/>: libvirt refuses the domain (\"Secure boot requires SMM feature enabled\").",
     "Add <smm state='on'/> to <features> (q35 only), or use <os firmware='efi'> autoselection, which turns SMM on itself.",
     "libvirt src/qemu/qemu_validate.c; formatdomain.rst (loader secure)"},
    {"lv-shmem-size", E, S::Libvirt,
     "A <shmem> size that is not a power of two: QEMU sizes a PCI BAR from it and refuses the device.",
     "Use a power of two; Looking Glass needs width x height x 4 x 2 + 10 MiB rounded up (32 MiB for 1080p).",
     "QEMU hw/pci/pci.c pci_register_bar; Looking Glass B7 install_libvirt.rst"},
    {"lv-shmem-memballoon", W, S::Libvirt,
     "Looking Glass's <shmem name='looking-glass'> with a memory balloon (none given means libvirt adds virtio).",
     "Add <memballoon model='none'/>: Looking Glass's docs say the balloon causes major performance issues with VFIO.",
     "Looking Glass B7 install_libvirt.rst (Memballoon)"},
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
    {"chipset-slot", W, S::Both,
     "Intel's chipset slot 00:1f passed whole (PVE hostpciN: 0000:00:1f) or with its LPC/ISA bridge 00:1f.0: that takes the LPC bridge, SMBus and SPI controller the host needs along with the audio function that was meant.",
     "Pass the audio function alone (usually 0000:00:1f.3; with --host-root the message names it).",
     "DOMAIN.md (Intel PCH 00:1f: LPC .0, audio .3, SMBus .4, SPI .5); qemu-server PCI.pm (a slot ID takes every function)", "Intel PCH platforms; not AMD hosts"},
    {"romfile-device", W, S::Both,
     "One ROM file given to two devices, or (with --host-root) to a function that is not a GPU, such as the GPU's audio function, or to a GPU of another vendor than the ROM's PCI data structure names: a VBIOS belongs to the GPU it was dumped from.",
     "Give the ROM file only to the GPU function it belongs to.",
     "PCI Firmware Specification (option ROM header, PCI data structure); DOMAIN.md", ""},
    {"qemu-arg-positional", E, S::Any,
     "A word in QEMU arguments (PVE args:, libvirt <qemu:arg>, qemu_args) that is no option's value: QEMU opens it as a disk image and the VM does not start (a value whose option was forgotten).",
     "Put its option in front (e.g. a second -set) or remove it.",
     "QEMU qemu-options.hx (which options take a value), softmmu/vl.c (a non-option word is a disk image)", "QEMU 7.2 option table"},
    {"qemu-arg-removed", E, S::Any,
     "A QEMU option removed in the target QEMU (--qemu-version, default Debian 12's 7.2) or before, such as -soundhw (7.1): QEMU refuses to start.",
     "Use the replacement the message names.",
     "QEMU docs/about/removed-features.rst", "--qemu-version (default 7.2)"},
    {"qemu-arg-removed-later", W, S::Any,
     "A QEMU option removed in a QEMU newer than the target, such as -no-hpet (9.0): the VM stops starting when the host upgrades.",
     "Use the replacement the message names before upgrading.",
     "QEMU docs/about/removed-features.rst", "--qemu-version (default 7.2)"},
    {"pcie-acs-override", W, S::Any,
     "pcie_acs_override in QEMU arguments or notes: an out-of-tree kernel patch that splits IOMMU groups by pretending isolation.",
     "Prefer a slot in its own IOMMU group; keep the override only if you accept that devices can reach each other's memory.",
     "DOMAIN.md (host preparation); seed 004"},
    {"unsafe-interrupts", W, S::Any,
     "allow_unsafe_interrupts in QEMU arguments or notes: VFIO without interrupt remapping lets a device inject interrupts into the host.",
     "Enable interrupt remapping in the firmware instead where the platform has it.",
     "Linux vfio_iommu_type1 allow_unsafe_interrupts; DOMAIN.md"},
};

// `vfiogen host check`: the host facts a VM file needs. A finding's severity is that of its
// status (FAIL error, WARN warning, INFO note; PASS is no finding); the row gives the worst one
// the rule can report, and each finding carries its own fix, the hint being the general one.
const std::vector<CheckRule> kHostRules = {
    {"cpu-virt", E, S::Host, "The CPU offers hardware virtualization (vmx or svm in /proc/cpuinfo).",
     "Enable Intel VT-x or AMD SVM in the firmware setup.", "seeds 003, 004; KVM"},
    {"iommu-firmware", E, S::Host, "The firmware describes an IOMMU (ACPI DMAR or IVRS table).",
     "Enable VT-d (Intel) or IOMMU/AMD-Vi (AMD) in the firmware setup.", "seeds 000, 003; Linux drivers/iommu"},
    {"iommu-enabled", E, S::Host, "The kernel uses the IOMMU (IOMMU groups in /sys/kernel/iommu_groups).",
     "Add intel_iommu=on on Intel, or remove an iommu=off; the finding names where the command line lives.", "seeds 000-004"},
    {"cmdline-intel-iommu", N, S::Host, "intel_iommu=on on Intel hosts (else the IOMMU is on only by the kernel's build default).",
     "Add intel_iommu=on to the kernel command line.", "seeds 000-003; Linux kernel-parameters.txt"},
    {"cmdline-amd-iommu", N, S::Host, "amd_iommu=on is not a value the kernel knows: it does nothing.",
     "Remove amd_iommu=on; AMD-Vi is on by default.", "Linux kernel-parameters.txt"},
    {"cmdline-iommu-pt", N, S::Host, "iommu=pt spares the devices the host keeps the cost of IOMMU translation (optional).",
     "Add iommu=pt to the kernel command line.", "seeds 001, 002"},
    {"cmdline-acs-override", W, S::Host, "pcie_acs_override (an out-of-tree patch) splits IOMMU groups the hardware does not isolate.",
     "Remove it if the groups are acceptable without it.", "seed 004; vfio.blogspot.com IOMMU groups"},
    {"interrupt-remapping", E, S::Host, "Interrupt remapping (VT-d ecap bit 3), or the allow_unsafe_interrupts trade-off: vfio_iommu_type1 refuses devices without it.",
     "Remove intremap=off, or allow unsafe interrupts (a guest can then forge interrupts).", "seed 002; Intel VT-d spec ECAP_REG.IR"},
    {"vfio-modules", W, S::Host, "vfio, vfio_iommu_type1 and vfio_pci are loaded (vfio_virqfd too before kernel 6.2).",
     "Load them at boot from /etc/modules-load.d/vfio.conf (`vfiogen host config` writes it).", "seeds 001-003"},
    {"function-present", E, S::Host, "Each function the VM file passes exists on the host.",
     "Correct the address (`vfiogen host scan` lists the GPUs), or enable the SR-IOV VF it names.", "VM file; Linux pci-iov-howto.rst"},
    {"function-id", E, S::Host, "Its vendor:device is the one the profile expects.",
     "Bind the role to the function with that ID, or use a profile for the device that is there.", "profile"},
    {"host-driver", W, S::Host, "Its current driver, and what PVE and libvirt do about it at VM start.",
     "Claim it for vfio-pci at boot (`vfiogen host config` writes /etc/modprobe.d/vfio.conf).", "qemu-server PCI.pm; libvirt formatdomain"},
    {"boot-vga", W, S::Host, "A boot VGA device needs the firmware framebuffer off.",
     "Add initcall_blacklist=sysfb_init (video=efifb:off before kernel 5.15) to the kernel command line.", "seed 003; DOMAIN.md"},
    {"romfile", E, S::Host, "ROM files exist where the target looks and start with the option ROM signature 55 AA.",
     "Copy the ROM there, or convert an EFI driver with EfiRom.", "qemu-server romfile; PCI Firmware spec"},
    {"reset-method", W, S::Host, "The device has a reset method (the AMD reset bug).",
     "Start the VM once per host boot, or use vendor-reset for AMD GPUs.", "seed 003; Linux sysfs reset_method"},
    {"sriov-vf", N, S::Host, "A passed SR-IOV VF: its PF and how many VFs that PF's driver keeps enabled.",
     "Keep the PF with the host.", "Linux Documentation/PCI/pci-iov-howto.rst (sriov_numvfs, physfn)"},
    {"mdev-type", E, S::Host, "A function hosting an mdev offers its type, with an instance to spare (PVE) or the domain's instance created (libvirt); GVT-g needs i915.enable_gvt=1 and kvmgt.",
     "Pick a type the host lists (`vfiogen host scan`), or create the instance with mdevctl.",
     "Linux Documentation/driver-api/vfio-mediated-device.rst; qemu-server PCI/Mdev.pm; Intel GVTg_Setup_Guide"},
    {"iommu-group", E, S::Host, "Every other member of a passed function's IOMMU group is passed, a bridge, unbound or on vfio-pci.",
     "Pass the group mates too, or unbind them from their host drivers.", "Linux drivers/vfio group viability"},
    {"ovmf", E, S::Host, "OVMF for the VM: a QEMU firmware descriptor libvirt's autoselection would pick, the VM file's explicit files, or pve-edk2-firmware's on PVE.",
     "Install the distribution's OVMF package.", "QEMU docs/interop/firmware.json; libvirt formatdomain.rst (os firmware); qemu-server OVMF.pm"},
    {"tpm", E, S::Host, "swtpm is installed for a VM with an emulated TPM.",
     "Install swtpm.", "libvirt formatdomain.rst (tpm emulator); qemu-server swtpm"},
    {"looking-glass", E, S::Host, "Looking Glass: kvmfr loaded with enough static_size_mb, or a tmpfiles.d rule for the shared memory file.",
     "`vfiogen host config` writes the module options or the tmpfiles.d rule.",
     "gnif/LookingGlass B7 doc/ivshmem_shm.rst, ivshmem_kvmfr.rst; qemu-server QemuServer.pm ivshmem"},
};
// clang-format on

const char* scope_name(RuleScope scope) {
    switch (scope) {
        case S::Any: return "any";
        case S::Vm: return "vm";
        case S::Pve: return "pve";
        case S::Libvirt: return "libvirt";
        case S::Both: return "pve, libvirt";
        case S::Host: return "host";
    }
    return "?";
}

}  // namespace

const std::vector<CheckRule>& check_rules() { return kRules; }

std::vector<std::string> check_rule_ids() {
    std::vector<std::string> ids;
    for (const auto& r : kRules) ids.push_back(std::string(r.id));
    return ids;
}

const std::vector<CheckRule>& host_check_rules() { return kHostRules; }

const CheckRule& check_rule(std::string_view id) {
    for (const auto* table : {&kRules, &kHostRules})
        for (const auto& r : *table)
            if (r.id == id) return r;
    throw std::logic_error("no check rule '" + std::string(id) + "'");
}

const char* severity_name(Severity severity) {
    return severity == Severity::Error ? "error" : severity == Severity::Warning ? "warning" : "note";
}

namespace {

std::string rules_table(const std::vector<CheckRule>& rules) {
    std::string out = "| id | severity | scope | summary | hint | source | release |\n|---|---|---|---|---|---|---|\n";
    for (const auto& r : rules) {
        // The anchor is what SARIF's helpUri points at (RULES.md#ID).
        out += "| <a id=\"" + std::string(r.id) + "\"></a>`" + std::string(r.id) + "` | " + severity_name(r.severity) + " | " +
               scope_name(r.scope) + " | " + std::string(r.summary) + " | " + std::string(r.hint) + " | " +
               std::string(r.source) + " | " + (r.release.empty() ? std::string("-") : std::string(r.release)) + " |\n";
    }
    return out;
}

}  // namespace

std::string rules_markdown() {
    return "# Check rules\n\n"
           "Generated from the rule tables in `src/rules/check_rules.cpp` (`vfiogen check --list-rules` and\n"
           "`vfiogen host check --list-rules` print the same).\n"
           "Scope says what a rule reads: `vm` (vfiogen VM files and profiles), `pve` (qemu-server confs and the PVE\n"
           "rendering of a VM file), `libvirt` (domain XML and the libvirt rendering of a VM file), `any` (all of them).\n\n" +
           rules_table(kRules) +
           "\n## Host check rules\n\n"
           "`vfiogen host check` reads the host (`host`): a finding's severity is that of its status (FAIL error, WARN\n"
           "warning, INFO note), the table gives the worst a rule reports, and each finding names its own fix.\n\n" +
           rules_table(kHostRules);
}

std::string rules_text(const std::vector<CheckRule>& rules) {
    std::string out;
    for (const auto& r : rules) {
        std::string id(r.id);
        std::string sev = severity_name(r.severity);
        out += id + std::string(id.size() < 24 ? 24 - id.size() : 1, ' ') + sev +
               std::string(sev.size() < 9 ? 9 - sev.size() : 1, ' ') + std::string(r.summary) + "\n" +
               std::string(33, ' ') + "source: " + std::string(r.source) + "\n" +
               (r.release.empty() ? "" : std::string(33, ' ') + "release: " + std::string(r.release) + "\n");
    }
    return out;
}

}  // namespace vfiogen
