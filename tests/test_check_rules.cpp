// Every row of the check rule table, triggered by one config and not by a close one.
#include <doctest/doctest.h>

#include <set>

#include "app/check.h"
#include "test_helpers.h"

using namespace vfiogen;

namespace {

Checker& checker() {
    static Checker c([] {
        CheckOptions o;
        o.profile_dirs = {test::source_dir() + "/tests/data/profiles", test::source_dir() + "/profiles"};
        o.libvirt_version = "9.0.0";  // Debian 12's, named in the schema findings whatever is installed
        return o;
    }());
    return c;
}

// The pve-version case checks for PVE 8.4 (nothing in the table is newer than the newest line).
Checker& checker_for(std::string_view rule) {
    static Checker pve84([] {
        CheckOptions o;
        o.pve_version = {8, 4};
        return o;
    }());
    return rule == "pve-version" ? pve84 : checker();
}

// A libvirt domain that validates against libvirt's schema; `devices` go inside <devices>
// (from line 8 on when `os_extra` is empty), `tail` after it.
std::string domain(const std::string& machine, const std::string& devices, const std::string& tail = "",
                   const std::string& os_extra = "") {
    return "<domain type='kvm' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>\n"
           "  <name>t</name>\n"
           "  <memory unit='MiB'>1024</memory>\n"
           "  <os>\n"
           "    <type arch='x86_64' machine='" + machine + "'>hvm</type>\n" + os_extra +
           "  </os>\n"
           "  <devices>\n" + devices + "  </devices>\n" + tail + "</domain>\n";
}

// A PCI hostdev of host 0000:BUS:SLOT.FN, 4 lines without a guest address, 5 with one.
std::string hostdev(const std::string& bus, const std::string& slot, const std::string& fn, const std::string& alias,
                    const std::string& guest = "", const std::string& driver = "    <driver name='vfio'/>\n") {
    return "    <hostdev mode='subsystem' type='pci' managed='yes'>\n" + driver +
           "      <source><address domain='0x0000' bus='0x" + bus + "' slot='0x" + slot + "' function='0x" + fn +
           "'/></source>\n"
           "      <alias name='" + alias + "'/>\n" +
           (guest.empty() ? "" : "      <address type='pci' domain='0x0000' bus='0x00' slot='0x" + guest + "' function='0x0'/>\n") +
           "    </hostdev>\n";
}

std::string xvga_override(const std::string& alias) {
    return "  <qemu:override>\n    <qemu:device alias='" + alias +
           "'>\n      <qemu:frontend>\n        <qemu:property name='x-vga' type='bool' value='true'/>\n"
           "      </qemu:frontend>\n    </qemu:device>\n  </qemu:override>\n";
}

std::string repeated(const std::string& text, int times) {
    std::string out;
    for (int i = 0; i < times; ++i) out += text;
    return out;
}

const char* kVideoNone = "    <video><model type='none'/></video>\n";

// Looking Glass's shared memory of `mib` MiB, 4 lines (the size on the third).
std::string shmem(const std::string& mib) {
    return "    <shmem name='looking-glass'>\n      <model type='ivshmem-plain'/>\n      <size unit='M'>" + mib +
           "</size>\n    </shmem>\n";
}

const char* kSecbootLoader =
    "    <loader readonly='yes' secure='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE_4M.secboot.fd</loader>\n";

// Seed 003's legacy IGD with an efidisk that enrolls Microsoft's keys (hostpci0 on line 3).
const char* kSecbootIgd =
    "bios: ovmf\nefidisk0: local-lvm:vm-100-disk-1,efitype=4m,pre-enrolled-keys=1,size=4M\n"
    "hostpci0: 0000:00:02.0,legacy-igd=1\nmachine: pc\nvga: none\n";

std::string replaced(std::string text, const std::string& from, const std::string& to) {
    text.replace(text.find(from), from.size(), to);
    return text;
}

struct RuleCase {
    const char* rule;
    InputKind kind;
    std::string triggers;  // a config that breaks the rule
    std::string expected;  // the first finding of `rule` for it, as `check` prints it
    std::string clean;     // a close config that does not
};

const char* label(InputKind kind) {
    switch (kind) {
        case InputKind::VmFile: return "vm.yaml";
        case InputKind::Profile: return "profile.yaml";
        case InputKind::PveConf: return "100.conf";
        case InputKind::LibvirtXml: return "domain.xml";
        case InputKind::PveMapping: return "mapping/pci.cfg";
    }
    return "";
}

std::vector<RuleCase> cases() {
    using K = InputKind;
    std::string gpu_audio = "name: vm\nvmid: 100\nmachine:\n  type: q35\npassthrough:\n  - profile: nvidia-gt1030\n";
    return {
        {"unreadable", K::VmFile, "name: [vm\n", "vm.yaml:2:1: error[unreadable]: YAML syntax: end of sequence flow not found",
         "name: vm\n"},
        {"unreadable", K::LibvirtXml, "<domain>\n  <name>t</nam>\n</domain>\n",
         "domain.xml:2:12: error[unreadable]: XML is not well-formed: Start-end tags mismatch", domain("pc", "")},
        {"vm-invalid", K::VmFile, "name: vm\nmemroy_mib: 4096\n",
         "vm.yaml:2:1: error[vm-invalid]: unknown key 'memroy_mib' (did you mean 'memory_mib'?)", "name: vm\nmemory_mib: 4096\n"},
        {"vm-invalid", K::VmFile, "name: vm\nvmid: 100\nmachine:\n  type: q35\npassthrough:\n  - profile: intel-hd630\n    functions:\n      - {role: igd, host: \"00:02.0\"}\n",
         "vm.yaml:8:27: error[vm-invalid]: legacy IGD needs machine type i440fx, but this VM uses q35 (set machine.type: i440fx)",
         "name: vm\nvmid: 100\nmachine:\n  type: i440fx\ndisplay: none\npassthrough:\n  - profile: intel-hd630\n    functions:\n      - {role: igd, host: \"00:02.0\"}\n"},
        {"profile-invalid", K::Profile, "functions:\n  - role: gpu\n    id: \"10DE:1D01X\"\n",
         "profile.yaml:3:9: error[profile-invalid]: malformed PCI ID '10DE:1D01X': expected vendor:device as 4+4 hex digits, e.g. 10de:1d01",
         "functions:\n  - role: gpu\n    id: \"10de:1d01\"\n"},

        {"pve-syntax", K::PveConf, "memory: 4096\nHostpci0: 01:00.0\n",
         "100.conf:2:1: warning[pve-syntax]: qemu-server cannot parse this line (\"unable to parse config\"): it warns and skips it, "
         "so the VM starts without it: 'Hostpci0: 01:00.0'",
         "memory: 4096\nhostpci0: 01:00.0\n"},
        {"pve-mapping", K::PveMapping, "gpu\n\tmap node=pve1,path=01:00.0,id=10de:1d01\n",
         "mapping/pci.cfg:2:6: error[pve-mapping]: map: path '01:00.0' must be dddd:bb:dd[.f] in lowercase hex, with the domain",
         "gpu\n\tmap node=pve1,path=0000:01:00.0,id=10de:1d01,subsystem-id=1458:3771,iommugroup=14\n\tmdev 0\n\nnic\n\tmap node=pve2,path=0000:02:00,id=8086:1533\n"},
        {"pve-snapstate-line", K::PveConf, "machine: q35\nhostpci0: 0000:01:00.0,romfile=vbios.rom snapstate:delete\n",
         "100.conf:2:1: error[pve-snapstate-line]: qemu-server reads this line as 'snapstate: delete' because it ends that way "
         "(parse_vm_config tests snapstate before the key, unanchored): its 'hostpci0' entry is silently lost",
         "machine: q35\nhostpci0: 0000:01:00.0,romfile=vbios.rom\n"},
        {"pve-unknown-key", K::PveConf, "memroy: 4096\n",
         "100.conf:1:1: warning[pve-unknown-key]: unknown key 'memroy' (did you mean 'memory'?)", "memory: 4096\n"},
        {"pve-duplicate-key", K::PveConf, "memory: 4096\ncores: 2\nmemory: 8192\n",
         "100.conf:3:1: warning[pve-duplicate-key]: 'memory' is set twice in the current config (first at line 1); qemu-server keeps this one",
         "memory: 4096\ncores: 2\n\n[snap1]\nmemory: 8192\n"},
        {"pve-pending-delete", K::PveConf, "memory: 4096\ndelete: hostpci0\n",
         "100.conf:2:1: error[pve-pending-delete]: 'delete:' is only allowed in [PENDING], not in the current config",
         "memory: 4096\n\n[PENDING]\ndelete: hostpci0\n"},
        {"pve-property", K::PveConf, "hostpci0: 0000:01:00.0,pcei=1\nmachine: q35\n",
         "100.conf:1:24: error[pve-property]: unknown sub-key 'pcei' in 'hostpci0' (did you mean 'pcie'?)",
         "hostpci0: 0000:01:00.0,pcie=1\nmachine: q35\n"},
        {"pve-property", K::PveConf, "hostpci0: 0000:01:00.0,rombar=maybe\n",
         "100.conf:1:24: error[pve-property]: 'rombar' in 'hostpci0' must be a boolean (1/0, on/off, yes/no, true/false), got 'maybe'",
         "hostpci0: 0000:01:00.0,rombar=off\n"},
        {"pve-property", K::PveConf, "hostpci0: 0000:01:00.0,pcie=1,pcie=0\nmachine: q35\n",
         "100.conf:1:31: error[pve-property]: sub-key 'pcie' is repeated in 'hostpci0'", "hostpci0: 0000:01:00.0,pcie=1\nmachine: q35\n"},
        {"pve-value", K::PveConf, "bios: uefi\n", "100.conf:1:7: error[pve-value]: 'bios' must be one of seabios, ovmf, got 'uefi'",
         "bios: ovmf\n"},
        {"pve-value", K::PveConf, "machine: pc-q35-8.0,viommu=amd\n",
         "100.conf:1:21: error[pve-value]: 'viommu' in 'machine' must be one of intel, virtio, got 'amd'", "machine: pc-q35-8.0,viommu=intel\n"},
        {"pve-value", K::PveConf, "machine: q53\n",
         "100.conf:1:10: error[pve-value]: machine type 'q53' must be pc, pc-i440fx-X.Y, q35 or pc-q35-X.Y (optionally +pveN)",
         "machine: pc-q35-8.1+pve1\n"},
        {"pve-value", K::PveConf, "vga: vrtio,memory=64\n",
         "100.conf:1:6: error[pve-value]: 'type' in 'vga' must be one of cirrus, none, qxl, qxl2, qxl3, qxl4, serial0, serial1, serial2, serial3, std, virtio, virtio-gl, vmware, got 'vrtio' (did you mean 'virtio'?)",
         "vga: virtio,memory=64\n"},
        {"pve-value", K::PveConf, "cpu: host,hidden=1,hv-vendor-id=not_alnum\n",
         "100.conf:1:20: error[pve-value]: 'hv-vendor-id' in 'cpu' must be 1 to 12 letters or digits, got 'not_alnum'",
         "cpu: host,hidden=1,hv-vendor-id=proxmox\n"},
        {"pve-value", K::PveConf, "efidisk0: local-lvm:vm-100-disk-1,efitype=8m,size=4M\n",
         "100.conf:1:35: error[pve-value]: 'efitype' in 'efidisk0' must be one of 2m, 4m, got '8m' (did you mean '2m'?)",
         "efidisk0: local-lvm:vm-100-disk-1,efitype=4m,pre-enrolled-keys=1,size=4M\n"},
        {"pve-value", K::PveConf, "net0: virtio=BC:24:11:5E:AA,bridge=vmbr0\n",
         "100.conf:1:7: error[pve-value]: 'virtio' in 'net0' must be a MAC address XX:XX:XX:XX:XX:XX, got 'BC:24:11:5E:AA'",
         "net0: virtio=BC:24:11:5E:AA:01,bridge=vmbr0,firewall=1\n"},
        {"pve-value", K::PveConf, "scsi0: local-lvm:vm-100-disk-0,size=32X\n",
         "100.conf:1:32: error[pve-value]: 'size' in 'scsi0' must be a size such as 32G, got '32X'",
         "scsi0: local-lvm:vm-100-disk-0,iothread=1,size=32G\n"},
        {"pve-value", K::PveConf, "name: my_vm\n",
         "100.conf:1:7: error[pve-value]: 'name' must be a DNS name (letters, digits, inner '-', '.'), got 'my_vm'", "name: my-vm\n"},
        {"pve-value", K::PveConf, "hostpci0: 0000:01:00.0,vendor-id=10de\n",
         "100.conf:1:24: error[pve-value]: 'vendor-id' in 'hostpci0' must be a hex ID 0xNNNN, got '10de'",
         "hostpci0: 0000:01:00.0,vendor-id=0x10de\n"},
        {"pve-hostpci-index", K::PveConf, "hostpci16: 0000:01:00.0\n",
         "100.conf:1:1: error[pve-hostpci-index]: 'hostpci16': qemu-server knows hostpci0 to hostpci15 only",
         "hostpci15: 0000:01:00.0\n"},
        {"pve-hostpci-source", K::PveConf, "hostpci0: 0000:01:00.0,mapping=gpu\n",
         "100.conf:1:11: error[pve-hostpci-source]: 'hostpci0' needs exactly one of a host PCI ID and mapping=, not both",
         "hostpci0: mapping=gpu\n"},
        {"pve-hostpci-source", K::PveConf, "hostpci0: pcie=1\nmachine: q35\n",
         "100.conf:1:11: error[pve-hostpci-source]: 'hostpci0' needs exactly one of a host PCI ID and mapping=, found neither",
         "hostpci0: host=0000:01:00.0,pcie=1\nmachine: q35\n"},
        {"pve-hostpci-id", K::PveConf, "hostpci0: 0000:0A:00.0\n",
         "100.conf:1:11: error[pve-hostpci-id]: host PCI ID '0000:0A:00.0' must be lowercase hex for qemu-server ('0000:0a:00.0')",
         "hostpci0: 0000:0a:00.0\n"},
        {"pve-hostpci-id", K::PveConf, "hostpci0: host=01:00.0;1:00.1\n",
         "100.conf:1:24: error[pve-hostpci-id]: host PCI ID '1:00.1' is not [dddd:]bb:dd[.f] in lowercase hexadecimal",
         "hostpci0: host=01:00.0;01:00.1\n"},
        {"pve-pcie-q35", K::PveConf, "hostpci0: 0000:01:00,pcie=1\nmachine: pc-i440fx-8.0\n",
         "100.conf:1:22: error[pve-pcie-q35]: pcie=1 needs a q35 machine type, but this VM uses 'pc-i440fx-8.0' (qemu-server: \"q35 machine model is not enabled\")",
         "hostpci0: 0000:01:00,pcie=1\nmachine: pc-q35-8.0\n"},
        {"pve-legacy-igd", K::PveConf, "hostpci0: 0000:00:02.0,legacy-igd=1\nmachine: pc-i440fx-8.0\n",
         "100.conf:1:24: error[pve-legacy-igd]: legacy-igd needs 'vga: none', but vga is unset (std)",
         "hostpci0: 0000:00:02.0,legacy-igd=1\nmachine: pc-i440fx-8.0\nvga: none\n"},
        {"pve-legacy-igd", K::PveConf, "hostpci0: 0000:00:02.0,legacy-igd=1\nmachine: q35\nvga: none\n",
         "100.conf:1:24: error[pve-legacy-igd]: legacy-igd needs an i440fx machine type (pc or pc-i440fx-X.Y), not 'q35'",
         "hostpci0: 0000:00:02.0,legacy-igd=1\nmachine: pc\nvga: none\n"},
        {"pve-legacy-igd", K::PveConf, "hostpci0: 0000:00:02.0,legacy-igd=1,x-vga=1\nvga: none\n",
         "100.conf:1:24: error[pve-legacy-igd]: legacy-igd is not compatible with x-vga", "hostpci0: 0000:00:02.0,legacy-igd=1\nvga: none\n"},
        {"pve-legacy-igd", K::PveConf, "hostpci0: 0000:00:02.0,legacy-igd=1,rombar=0\nvga: none\n",
         "100.conf:1:24: error[pve-legacy-igd]: legacy-igd requires rombar to be enabled",
         "hostpci0: 0000:00:02.0,legacy-igd=1,rombar=1\nvga: none\n"},
        {"pve-legacy-igd", K::PveConf, "hostpci0: 0000:00:02.0,legacy-igd=1,mdev=i915-GVTg_V5_4\nvga: none\n",
         "100.conf:1:24: error[pve-legacy-igd]: legacy-igd is not compatible with mdev", "hostpci0: 0000:00:02.0,mdev=i915-GVTg_V5_4\nvga: none\n"},
        // A slot ID at 00:02 is the IGD alone (Intel's IGD has function .0 only; issue 15 item 1).
        {"pve-legacy-igd", K::PveConf, "hostpci0: 0000:00:02.0;0000:00:02.1,legacy-igd=1\nvga: none\n",
         "100.conf:1:37: error[pve-legacy-igd]: legacy-igd is not compatible with multifunction devices: give the single function 00:02.0",
         "hostpci0: 0000:00:02,legacy-igd=1\nvga: none\n"},
        {"pve-legacy-igd", K::PveConf, "hostpci0: 0000:01:00.0,legacy-igd=1\nvga: none\n",
         "100.conf:1:24: error[pve-legacy-igd]: legacy-igd only works for the device at host 00:02.0, not 0000:01:00.0",
         "hostpci0: 0000:00:02.0,legacy-igd=1\nvga: none\n"},
        {"pve-legacy-igd", K::PveConf, "hostpci0: 0000:00:02.0,legacy-igd=1\nhostpci1: 0000:00:02.0,legacy-igd=1\nvga: none\n",
         "100.conf:2:24: error[pve-legacy-igd]: legacy-igd is allowed on one hostpci entry only (the first is 'hostpci0')",
         "hostpci0: 0000:00:02.0,legacy-igd=1\nhostpci1: 0000:00:1f.3\nvga: none\n"},
        {"pve-version", K::PveConf, "hostpci0: 0000:01:00.0,driver=keep\n",
         "100.conf:1:24: error[pve-version]: sub-key 'driver' in 'hostpci0' needs PVE 9.0 or later; this conf is checked for PVE 8.4 (--pve-version)",
         "hostpci0: 0000:01:00.0\n"},
        {"pve-romfile-path", K::PveConf, "hostpci0: 0000:01:00.0,romfile=../../root/vbios.rom\n",
         "100.conf:1:24: error[pve-romfile-path]: romfile '../../root/vbios.rom' is read as /usr/share/kvm/../../root/vbios.rom: give a bare file name",
         "hostpci0: 0000:01:00.0,romfile=vbios.rom\n"},
        {"pve-volume-shared", K::PveConf,
         "bios: ovmf\nefidisk0: local-lvm:vm-105-disk-1,efitype=4m,size=4M\nscsi0: local-lvm:vm-105-disk-1,size=32G\n",
         "100.conf:3:8: error[pve-volume-shared]: 'scsi0' uses volume local-lvm:vm-105-disk-1, which 'efidisk0' (line 2) uses too: "
         "where the storage locks images QEMU refuses to start the VM (\"Failed to get \"write\" lock\"), elsewhere (Ceph RBD, "
         "iSCSI) both write to the same blocks, OVMF its variable store over the disk",
         "bios: ovmf\nefidisk0: local-lvm:vm-105-disk-2,efitype=4m,size=4M\nide2: local:iso/a.iso,media=cdrom\n"
         "sata0: local:iso/a.iso,media=cdrom\nscsi0: local-lvm:vm-105-disk-1,size=32G\nscsi1: local:105/seed.raw,ro=1\n"
         "virtio0: local:105/seed.raw,ro=on\n\n[snap]\n"
         "efidisk0: local-lvm:vm-105-disk-2,efitype=4m,size=4M\nscsi0: local-lvm:vm-105-disk-1,size=32G\n"},
        {"pve-efidisk-missing", K::PveConf, "bios: ovmf\nmachine: q35\n",
         "100.conf:1:7: warning[pve-efidisk-missing]: bios: ovmf without efidisk0: OVMF keeps its variables (boot entries, "
         "secure boot keys) in a temporary file lost at every start; let PVE create the disk: qm set 100 --efidisk0 "
         "STORAGE:1,efitype=4m,pre-enrolled-keys=0",
         "bios: ovmf\nefidisk0: local-lvm:vm-100-disk-0,efitype=4m,size=4M\nmachine: q35\n"},
        {"pve-locked", K::PveConf, "bios: seabios\nlock: backup\n",
         "100.conf:2:1: note[pve-locked]: the VM is locked (backup): PVE refuses changes and starts until the task holding the "
         "lock ends; a lock left by a failed task is removed with 'qm unlock 100'",
         "bios: seabios\n\n[snap]\nlock: snapshot\n"},
        // Under OVMF x-vga=1 still turns the emulated VGA off when vga: is unset (issue 15 item 4).
        {"pve-xvga-ovmf", K::PveConf, "bios: ovmf\nvga: std\ncpu: host,hidden=1\nostype: l26\nhostpci0: 0000:01:00,x-vga=1\n",
         "100.conf:5:22: warning[pve-xvga-ovmf]: x-vga=1 does nothing in this VM: bios: ovmf drops QEMU's x-vga=on, 'vga: std' is set, "
         "cpu hidden= decides kvm=off and no hv_vendor_id is added (ostype l26)",
         "bios: ovmf\nhostpci0: 0000:01:00,x-vga=1\n"},
        {"pve-xvga-ovmf", K::PveConf, "bios: ovmf\nvga: none\ncpu: host,hidden=0,hv-vendor-id=amd\nostype: win11\nhostpci0: 0000:01:00,x-vga=1\n",
         "100.conf:5:22: warning[pve-xvga-ovmf]: x-vga=1 does nothing in this VM: bios: ovmf drops QEMU's x-vga=on, 'vga: none' is set, "
         "cpu hidden= decides kvm=off and no hv_vendor_id is added (hv-vendor-id set)",
         // x-vga=1 adds hv_vendor_id=proxmox for Windows 8 and later (CPUConfig.pm).
         "bios: ovmf\nvga: none\ncpu: host,hidden=1\nostype: win11\nhostpci0: 0000:01:00,x-vga=1\n"},
        {"pve-xvga-ovmf", K::PveConf, "bios: ovmf\nvga: none\ncpu: host,hidden=1\nostype: win11\nkvm: 0\nhostpci0: 0000:01:00,x-vga=1\n",
         "100.conf:6:22: warning[pve-xvga-ovmf]: x-vga=1 does nothing in this VM: bios: ovmf drops QEMU's x-vga=on, 'vga: none' is set, "
         "cpu hidden= decides kvm=off and no hv_vendor_id is added (kvm: 0)",
         // Without cpu hidden=, x-vga=1 adds kvm=off.
         "bios: ovmf\nvga: none\nostype: l26\nhostpci0: 0000:01:00,x-vga=1\n"},
        {"romfile-rombar-off", K::PveConf, "bios: ovmf\nhostpci0: 0000:01:00,romfile=gpu.rom,rombar=0\n",
         "100.conf:2:38: warning[romfile-rombar-off]: rombar=0 with romfile 'gpu.rom' under bios: ovmf: QEMU then gives the ROM only to "
         "SeaBIOS (fw_cfg); OVMF never runs it",
         "bios: seabios\nhostpci0: 0000:01:00,romfile=gpu.rom,rombar=0\n"},
        {"romfile-rombar-off", K::LibvirtXml,
         domain("q35", "    <hostdev mode='subsystem' type='pci' managed='yes'>\n      <source><address domain='0x0000' bus='0x01' "
                       "slot='0x00' function='0x0'/></source>\n      <rom bar='off' file='/usr/share/kvm/gpu.rom'/>\n    </hostdev>\n",
                "", "    <loader readonly='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE_4M.fd</loader>\n"),
         "domain.xml:11:7: warning[romfile-rombar-off]: <rom bar='off' file='/usr/share/kvm/gpu.rom'> under OVMF: QEMU then gives the ROM "
         "only to SeaBIOS (fw_cfg); OVMF never runs it",
         domain("q35", "    <hostdev mode='subsystem' type='pci' managed='yes'>\n      <source><address domain='0x0000' bus='0x01' "
                       "slot='0x00' function='0x0'/></source>\n      <rom bar='on' file='/usr/share/kvm/gpu.rom'/>\n    </hostdev>\n",
                "", "    <loader readonly='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE_4M.fd</loader>\n")},
        {"pve-ivshmem-size", K::PveConf, "ivshmem: size=48,name=looking-glass\n",
         "100.conf:1:10: error[pve-ivshmem-size]: ivshmem size 48 MiB is not a power of two; QEMU refuses the device at start",
         "ivshmem: size=64,name=looking-glass\n"},
        {"pve-secboot-legacy-igd", K::PveConf, std::string(kSecbootIgd),
         "100.conf:3:24: warning[pve-secboot-legacy-igd]: legacy-igd=1 with efidisk0 pre-enrolled-keys=1: the legacy IGD ROMs "
         "are not signed for Secure Boot (seed 003); set pre-enrolled-keys=0 or turn Secure Boot off in the OVMF setup",
         replaced(kSecbootIgd, "pre-enrolled-keys=1", "pre-enrolled-keys=0")},

        // Each schema failure once, at the offending node (issue 15 item 3, issue 11), not at <devices>.
        {"lv-schema", K::LibvirtXml, domain("pc", "    <vcpu>2</vcpu>\n"),
         "domain.xml:8:5: error[lv-schema]: <vcpu> inside <devices> does not match libvirt 9.0.0's schema: it is not allowed there, "
         "or its text or a required attribute or child is wrong",
         domain("pc", "    <video/>\n")},
        {"lv-schema", K::LibvirtXml, domain("pc", hostdev("01", "00", "9", "ua-x")),
         "domain.xml:10:63: error[lv-schema]: attribute function='0x9' of <address> does not match libvirt 9.0.0's schema: not "
         "allowed on this element, or not a value it accepts",
         domain("pc", hostdev("01", "00", "7", "ua-x"))},
        {"lv-schema-unknown", K::LibvirtXml, domain("pc", "    <vidoe/>\n"),
         "domain.xml:8:5: warning[lv-schema-unknown]: element <vidoe> inside <devices> is not known to libvirt 9.0.0's schema (did "
         "you mean 'video'?): a newer libvirt's, or misspelt; libvirt ignores it",
         domain("pc", "    <video/>\n")},
        // libvirt 10.x XML that runs on its author's host: names and values 9.0 does not know.
        {"lv-schema-unknown", K::LibvirtXml,
         domain("pc", "", "  <cpu mode='host-passthrough'>\n    <topology sockets='1' dies='1' clusters='1' cores='4' threads='1'/>\n  </cpu>\n"),
         "domain.xml:10:36: warning[lv-schema-unknown]: attribute 'clusters' of <topology> is not known to libvirt 9.0.0's schema: a "
         "newer libvirt's, or misspelt; libvirt ignores it",
         domain("pc", "", "  <cpu mode='host-passthrough'>\n    <topology sockets='1' dies='1' cores='4' threads='1'/>\n  </cpu>\n")},
        {"lv-schema-unknown", K::LibvirtXml, domain("pc", "    <audio id='1' type='pipewire'/>\n    <watchdog model='itco'/>\n"),
         "domain.xml:8:19: warning[lv-schema-unknown]: value 'pipewire' of <audio type> is not known to libvirt 9.0.0's schema: a "
         "newer libvirt's, or misspelt",
         domain("pc", "    <audio id='1' type='pulseaudio'/>\n    <watchdog model='i6300esb'/>\n")},
        // A hostdev without <driver> is fine: VFIO is libvirt's only backend since 5.7 (issue 15 item 5).
        {"lv-hostdev-driver", K::LibvirtXml, domain("pc", hostdev("01", "00", "0", "ua-x", "", "    <driver name='kvm'/>\n")),
         "domain.xml:9:5: error[lv-hostdev-driver]: PCI hostdev uses driver 'kvm': legacy KVM device assignment was disabled in "
         "libvirt 5.7; remove <driver> or use name='vfio'",
         domain("pc", hostdev("01", "00", "0", "ua-x", "", ""))},
        {"lv-commandline-set", K::LibvirtXml,
         domain("pc", hostdev("00", "02", "0", "ua-igd", "02") + kVideoNone,
                "  <qemu:commandline>\n    <qemu:arg value='-set'/>\n    <qemu:arg value='device.ua-igd.x-igd-opregion=on'/>\n  </qemu:commandline>\n"),
         "domain.xml:17:5: error[lv-commandline-set]: '-set device.ua-igd.x-igd-opregion=on' in <qemu:commandline> is broken on current libvirt (devices are passed as JSON)",
         domain("pc", hostdev("00", "02", "0", "ua-igd", "02") + kVideoNone,
                "  <qemu:commandline>\n    <qemu:arg value='-fw_cfg'/>\n    <qemu:arg value='name=opt/x,string=1'/>\n  </qemu:commandline>\n")},
        {"lv-commandline-set", K::VmFile, "name: vm\nqemu_args: [\"-set\", \"device.ua-igd0.x-igd-gms=2\"]\n",
         "vm.yaml:2:13: error[lv-commandline-set]: '-set device.ua-igd0.x-igd-gms=2' lands in <qemu:commandline> of the libvirt rendering, which current libvirt breaks (devices are passed as JSON)",
         "name: vm\nqemu_args: [\"-fw_cfg\", \"name=opt/x,string=1\"]\n"},
        {"lv-igd-address", K::LibvirtXml, domain("pc-i440fx-7.2", hostdev("00", "02", "0", "ua-igd", "10") + kVideoNone),
         "domain.xml:12:7: warning[lv-igd-address]: the IGD (host 0000:00:02.0) is not at guest 0000:00:02.0, so QEMU does not use legacy IGD mode",
         domain("pc-i440fx-7.2", hostdev("00", "02", "0", "ua-igd", "02") + kVideoNone)},
        {"lv-igd-address", K::LibvirtXml, domain("pc-q35-7.2", hostdev("00", "02", "0", "ua-igd", "02") + kVideoNone),
         "domain.xml:12:7: warning[lv-igd-address]: the IGD (host 0000:00:02.0) is on machine 'pc-q35-7.2', so QEMU does not use legacy IGD mode",
         domain("pc-q35-7.2", hostdev("01", "00", "0", "ua-gpu", "") + kVideoNone)},
        {"lv-secboot-i440fx", K::LibvirtXml,
         domain("pc-i440fx-7.2", "", "",
                "    <loader readonly='yes' secure='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE_4M.secboot.fd</loader>\n"),
         "domain.xml:6:5: error[lv-secboot-i440fx]: secure-boot OVMF needs machine type q35 with SMM; this domain uses 'pc-i440fx-7.2'",
         domain("pc-i440fx-7.2", "", "", "    <loader readonly='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE_4M.fd</loader>\n")},
        {"lv-secboot-i440fx", K::LibvirtXml,
         domain("pc", "", "", "    <firmware>\n      <feature enabled='yes' name='secure-boot'/>\n    </firmware>\n"),
         "domain.xml:7:7: error[lv-secboot-i440fx]: secure-boot OVMF needs machine type q35 with SMM; this domain uses 'pc'",
         domain("q35", "", "", "    <firmware>\n      <feature enabled='yes' name='secure-boot'/>\n    </firmware>\n")},
        {"lv-secboot-smm", K::LibvirtXml, domain("pc-q35-7.2", "", "", kSecbootLoader),
         "domain.xml:6:5: error[lv-secboot-smm]: <loader secure='yes'> without <smm state='on'/> in <features>: libvirt "
         "refuses the domain (\"Secure boot requires SMM feature enabled\")",
         domain("pc-q35-7.2", "", "  <features>\n    <smm state='on'/>\n  </features>\n", kSecbootLoader)},
        {"lv-shmem-size", K::LibvirtXml, domain("q35", shmem("48") + "    <memballoon model='none'/>\n"),
         "domain.xml:10:7: error[lv-shmem-size]: shmem 'looking-glass' size 48 M is not a power of two; QEMU refuses the device",
         domain("q35", shmem("64") + "    <memballoon model='none'/>\n")},
        {"lv-shmem-memballoon", K::LibvirtXml, domain("q35", shmem("32")),
         "domain.xml:7:3: warning[lv-shmem-memballoon]: no <memballoon> beside Looking Glass's shmem: libvirt adds a virtio "
         "balloon; add <memballoon model='none'/>",
         domain("q35", shmem("32") + "    <memballoon model='none'/>\n")},
        {"lv-shmem-memballoon", K::LibvirtXml, domain("q35", shmem("32") + "    <memballoon model='virtio'/>\n"),
         "domain.xml:12:5: warning[lv-shmem-memballoon]: memory balloon 'virtio' beside Looking Glass's shmem: set "
         "<memballoon model='none'/>",
         domain("q35", shmem("32") + "    <memballoon model='none'/>\n")},
        {"lv-video-primary-gpu", K::LibvirtXml,
         domain("q35", hostdev("01", "00", "0", "ua-gpu0") + hostdev("01", "00", "1", "ua-audio0") + "    <video><model type='vga'/></video>\n",
                xvga_override("ua-gpu0")),
         "domain.xml:18:12: warning[lv-video-primary-gpu]: emulated video model 'vga' beside a passed-through primary GPU",
         domain("q35", hostdev("01", "00", "0", "ua-gpu0") + hostdev("01", "00", "1", "ua-audio0") + kVideoNone, xvga_override("ua-gpu0"))},

        {"duplicate-host-function", K::PveConf, "hostpci0: 0000:01:00\nhostpci1: 0000:01:00.1\n",
         "100.conf:2:11: error[duplicate-host-function]: host PCI device 0000:01:00 is passed through twice (first at 100.conf:1:11)",
         "hostpci0: 0000:01:00\nhostpci1: 0000:02:00.1\n"},
        {"duplicate-host-function", K::LibvirtXml,
         domain("pc", hostdev("01", "00", "0", "ua-a") + hostdev("01", "00", "0", "ua-b")),
         "domain.xml:13:5: error[duplicate-host-function]: host PCI function 0000:01:00.0 is passed through twice (first at domain.xml:8:5)",
         domain("pc", hostdev("01", "00", "0", "ua-a") + hostdev("01", "00", "1", "ua-b"))},
        {"gpu-without-audio", K::PveConf, "bios: seabios\nhostpci0: 0000:01:00.0,x-vga=1\n",
         "100.conf:2:11: warning[gpu-without-audio]: GPU 0000:01:00.0 is passed without its audio function 0000:01:00.1",
         "bios: seabios\nhostpci0: 0000:01:00.0,x-vga=1\nhostpci1: 0000:01:00.1\n"},
        {"gpu-without-audio", K::LibvirtXml, domain("q35", hostdev("01", "00", "0", "ua-gpu0") + kVideoNone, xvga_override("ua-gpu0")),
         "domain.xml:8:5: warning[gpu-without-audio]: GPU 0000:01:00.0 is passed without its audio function 0000:01:00.1",
         domain("q35", hostdev("01", "00", "0", "ua-gpu0") + hostdev("01", "00", "1", "ua-audio0") + kVideoNone, xvga_override("ua-gpu0"))},
        {"gpu-without-audio", K::VmFile, gpu_audio + "    functions:\n      - {role: gpu, host: \"01:00.0\"}\n",
         "vm.yaml:6:14: warning[gpu-without-audio]: profile 'nvidia-gt1030' has an audio function, but only the GPU is bound",
         gpu_audio + "    host: \"01:00\"\n"},
        {"chipset-slot", K::PveConf, "hostpci0: 0000:00:02.0,legacy-igd=1\nhostpci1: 0000:00:1f\nvga: none\n",
         "100.conf:2:11: warning[chipset-slot]: this passes the whole chipset slot 0000:00:1f (LPC/ISA bridge, SMBus, SPI and audio), "
         "which the host needs; for the onboard audio give the single function 0000:00:1f.3",
         "hostpci0: 0000:00:02.0,legacy-igd=1\nhostpci1: 0000:00:1f.3\nvga: none\n"},
        {"chipset-slot", K::LibvirtXml, domain("pc", hostdev("00", "1f", "0", "ua-lpc") + hostdev("00", "1f", "3", "ua-audio")),
         "domain.xml:8:5: warning[chipset-slot]: this passes the chipset's LPC/ISA bridge 0000:00:1f.0, which the host needs; for the "
         "onboard audio give the single function 0000:00:1f.3",
         domain("pc", hostdev("00", "1f", "3", "ua-audio"))},
        {"romfile-device", K::PveConf, "hostpci0: 0000:01:00.0,romfile=gp104.rom\nhostpci1: 0000:01:00.1,romfile=gp104.rom\n",
         "100.conf:2:24: warning[romfile-device]: ROM file 'gp104.rom' is given to 0000:01:00.1 and to 0000:01:00.0 (at 100.conf:1:24); "
         "a ROM belongs to one device",
         "hostpci0: 0000:01:00.0,romfile=gp104.rom\nhostpci1: 0000:01:00.1\n"},
        {"qemu-arg-positional", K::PveConf, "args: -set device.hostpci0.x-igd-gms=2 device.hostpci0.x-igd-opregion=on\n",
         "100.conf:1:40: error[qemu-arg-positional]: 'device.hostpci0.x-igd-opregion=on' is not the value of any option (after "
         "'device.hostpci0.x-igd-gms=2'): QEMU opens it as a disk image; a value needs its own option in front (e.g. a second -set)",
         "args: -set device.hostpci0.x-igd-gms=2 -set device.hostpci0.x-igd-opregion=on\n"},
        {"qemu-arg-positional", K::LibvirtXml,
         domain("pc", "", "  <qemu:commandline>\n    <qemu:arg value='-smbios'/>\n    <qemu:arg value='type=2'/>\n"
                          "    <qemu:arg value='host,kvm=off'/>\n  </qemu:commandline>\n"),
         "domain.xml:12:5: error[qemu-arg-positional]: 'host,kvm=off' is not the value of any option (after 'type=2'): QEMU opens it "
         "as a disk image; a value needs its own option in front (e.g. a second -set)",
         domain("pc", "", "  <qemu:commandline>\n    <qemu:arg value='-smbios'/>\n    <qemu:arg value='type=2'/>\n"
                          "    <qemu:arg value='-cpu'/>\n    <qemu:arg value='host,kvm=off'/>\n  </qemu:commandline>\n")},
        {"qemu-arg-removed", K::PveConf, "args: -soundhw hda -rtc base=localtime\n",
         "100.conf:1:7: error[qemu-arg-removed]: '-soundhw' was removed in QEMU 7.1 (target QEMU 7.2): the VM does not start; use "
         "-device (e.g. -device intel-hda -device hda-duplex) or -audio",
         "args: -device intel-hda -device hda-duplex -rtc base=localtime\n"},
        {"qemu-arg-removed", K::VmFile, "name: vm\nqemu_args: [\"-watchdog\", \"i6300esb\"]\n",
         "vm.yaml:2:13: error[qemu-arg-removed]: '-watchdog' was removed in QEMU 7.2 (target QEMU 7.2): the VM does not start; use "
         "-device (e.g. -device i6300esb)",
         "name: vm\nqemu_args: [\"-device\", \"i6300esb\"]\n"},
        {"qemu-arg-removed-later", K::PveConf, "args: -no-hpet\n",
         "100.conf:1:7: warning[qemu-arg-removed-later]: '-no-hpet' was removed in QEMU 9.0: the VM stops starting once the host runs "
         "QEMU 9.0 (checked for 7.2); use -machine hpet=off",
         "args: -global kvm-pit.lost_tick_policy=discard\n"},
        {"pcie-acs-override", K::PveConf, "# host boots with pcie_acs_override=downstream,multifunction\nmemory: 4096\n",
         "100.conf:1:19: warning[pcie-acs-override]: pcie_acs_override splits IOMMU groups without real isolation: devices in the old group can still reach each other",
         "# host boots with intel_iommu=on iommu=pt\nmemory: 4096\n"},
        {"unsafe-interrupts", K::PveConf, "args: -global vfio_iommu_type1.allow_unsafe_interrupts=1\n",
         "100.conf:1:32: warning[unsafe-interrupts]: allow_unsafe_interrupts runs VFIO without interrupt remapping: the device can inject interrupts into the host",
         "args: -global kvm.ignore_msrs=1\n"},
        {"unsafe-interrupts", K::LibvirtXml,
         domain("pc", "", "  <qemu:commandline>\n    <qemu:arg value='allow_unsafe_interrupts=1'/>\n  </qemu:commandline>\n"),
         "domain.xml:10:5: warning[unsafe-interrupts]: allow_unsafe_interrupts runs VFIO without interrupt remapping: the device can inject interrupts into the host",
         domain("pc", "", "  <qemu:commandline>\n    <qemu:arg value='-no-hpet'/>\n  </qemu:commandline>\n")},
        // 150 lines of an unknown key: one finding for the first, two (unknown, duplicate) for
        // each other, 299 in all; 200 are shown. 100 lines make 199 and fit.
        {"more-findings", K::PveConf, repeated("a: 1\n", 150),
         "100.conf: note[more-findings]: 99 more findings not shown (0 errors, 99 warnings); the first 200 are above",
         repeated("a: 1\n", 100)},
    };
}

std::vector<std::string> texts_of(const FileResult& r, const std::string& rule) {
    std::vector<std::string> out;
    for (const auto& f : r.findings)
        if (f.rule == rule) out.push_back(format_mark(f.mark) + ": " + severity_name(f.severity()) + "[" + f.rule + "]: " + f.message);
    return out;
}

std::string all_texts(const FileResult& r) {
    std::string out;
    for (const auto& f : r.findings) out += format_mark(f.mark) + " [" + f.rule + "] " + f.message + "\n";
    return out;
}

}  // namespace

TEST_CASE("each rule is triggered by its case and not by the close clean config") {
    for (const auto& c : cases()) {
        INFO(std::string(c.rule) << " / " << c.expected);
        FileResult bad = checker_for(c.rule).check_text(c.triggers, label(c.kind), c.kind);
        auto found = texts_of(bad, c.rule);
        INFO("all findings:\n" << all_texts(bad));
        REQUIRE_FALSE(found.empty());
        CHECK(found.front() == c.expected);
        FileResult good = checker_for(c.rule).check_text(c.clean, label(c.kind), c.kind);
        INFO("clean findings:\n" << all_texts(good));
        CHECK(texts_of(good, c.rule).empty());
    }
}

TEST_CASE("pve-mapping-missing: a conf's mapping= against the pci.cfg given with it") {
    Checker c(CheckOptions{});
    std::vector<FileResult> results;
    results.push_back(c.check_text("hostpci0: mapping=gpu\nhostpci1: mapping=nic,pcie=1\nmachine: q35\n\n[PENDING]\nhostpci2: mapping=new\n",
                                   "105.conf"));
    std::vector<FileResult> alone = results;
    c.check_mappings(alone);  // no pci.cfg read yet: nothing to compare with
    CHECK(alone[0].findings.empty());
    results.push_back(c.check_text("gpu\n\tmap node=pve1,path=0000:01:00.0,id=10de:1d01\n", "mapping/pci.cfg"));
    CHECK(*results[1].kind == InputKind::PveMapping);
    c.check_mappings(results);
    REQUIRE(results[0].findings.size() == 1);
    const Finding& f = results[0].findings[0];
    CHECK(format_mark(f.mark) + " " + f.rule + " " + f.message ==
          "105.conf:2:11 pve-mapping-missing hostpci mapping 'nic' has no section in the pci.cfg given; PVE cannot start the VM");
    CHECK(results[1].findings.empty());
}

TEST_CASE("every rule in the table has a case") {
    std::set<std::string> covered = {"pve-mapping-missing"};  // needs two files: the test case above
    for (const auto& c : cases()) covered.insert(c.rule);
    for (const auto& r : check_rules()) {
        INFO(r.id);
        CHECK(covered.count(std::string(r.id)) == 1);
    }
}

TEST_CASE("the clean libvirt cases are valid for libvirt's schema, so the rule cases test only their rule") {
    for (const auto& c : cases()) {
        if (c.kind != InputKind::LibvirtXml) continue;
        INFO(c.clean);
        FileResult good = checker().check_text(c.clean, "domain.xml", c.kind);
        CHECK(texts_of(good, "lv-schema").empty());
    }
}

TEST_CASE("docs/RULES.md is the rule table's markdown") {
    CHECK(test::read_file(test::source_dir() + "/docs/RULES.md") == rules_markdown());
}

TEST_CASE("rule table rows are complete and ids unique") {
    std::set<std::string> ids;
    for (const auto& r : check_rules()) {
        INFO(r.id);
        CHECK(ids.insert(std::string(r.id)).second);
        CHECK_FALSE(r.summary.empty());
        CHECK_FALSE(r.hint.empty());
        CHECK_FALSE(r.source.empty());
        CHECK(r.summary.find('|') == std::string_view::npos);  // would break the markdown table
        CHECK(r.id.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") == std::string_view::npos);
    }
    CHECK_THROWS_AS(check_rule("no-such-rule"), std::logic_error);
}
