#include "model/keys.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <stdexcept>

#include "base/suggest.h"
#include "base/text_escape.h"
#include "model/pci_address.h"
#include "model/yaml_source.h"

namespace vfiogen {
namespace {

using K = KeyType;
constexpr DocKind V = DocKind::Vm;
constexpr DocKind P = DocKind::Profile;
constexpr std::string_view kRoles = "gpu|igd|audio|usb|serial|other";

// clang-format off
const std::vector<KeySpec> kKeys = {
    // ---- VM files (examples/*.yaml) ----
    {V, "name", K::String, "", kBothTargets, "VM name: PVE `name` (a DNS name: letters, digits, '-', '.'), libvirt `<name>`.", {}, 0, 0, true},
    {V, "description", K::Text, "", kLibvirt, "Free text for libvirt `<description>`. PVE keeps its description in `#` lines that its GUI owns, so vfiogen writes none."},
    {V, "vmid", K::Integer, "", kPve, "PVE VMID (the conf is /etc/pve/qemu-server/<vmid>.conf); names the default volumes. Required for the pve targets.", {}, 100, 999999999},
    {V, "ostype", K::Enum, "l26", kBothTargets, "Guest OS: PVE `ostype`; for libvirt, Windows types add Hyper-V enlightenments and a localtime clock.", "win11|win10|win8|win7|l26|l24|other"},
    {V, "memory_mib", K::Integer, "2048", kBothTargets, "Guest memory in MiB: PVE `memory`, libvirt `<memory unit='MiB'>`.", {}, 16, 4194304},
    {V, "accel", K::Enum, "kvm", kBothTargets, "Accelerator: kvm, or tcg for software emulation (nested tests): PVE `kvm: 0`, libvirt `<domain type='qemu'>`.", "kvm|tcg"},
    {V, "cpu", K::Map, "", kBothTargets, "Virtual CPU."},
    {V, "cpu.model", K::String, "host", kBothTargets, "CPU model: PVE `cpu`; libvirt `host-passthrough` for host, else `<cpu mode='custom'><model>`."},
    {V, "cpu.cores", K::Integer, "1", kBothTargets, "Cores per socket: PVE `cores`, libvirt `<topology cores>`.", {}, 1, 1024},
    {V, "cpu.sockets", K::Integer, "1", kBothTargets, "Sockets: PVE `sockets`, libvirt `<topology sockets>`.", {}, 1, 16},
    {V, "cpu.kvm_hidden", K::Boolean, "(from profiles)", kBothTargets, "Hide KVM from the guest (NVIDIA Code 43): PVE `cpu: ...,hidden=1`, libvirt `<kvm><hidden state='on'/>`. Default: on if any profile asks for it."},
    {V, "cpu.hv_vendor_id", K::String, "(from profiles)", kBothTargets, "Hyper-V vendor ID, 1-12 letters or digits: PVE `cpu: ...,hv-vendor-id=`, libvirt `<hyperv><vendor_id>`. Default: the first profile's."},
    {V, "machine", K::Map, "", kBothTargets, "Machine type."},
    {V, "machine.type", K::Enum, "q35", kBothTargets, "Chipset: i440fx (needed for legacy IGD) or q35 (needed for PCIe). PVE `machine`, libvirt `<type machine>`.", "i440fx|q35"},
    {V, "machine.version", K::String, "", kBothTargets, "QEMU machine version such as 8.0 (pc-i440fx-8.0); empty means the newest the host offers (pc / q35)."},
    {V, "firmware", K::Map, "", kBothTargets, "Guest firmware."},
    {V, "firmware.type", K::Enum, "ovmf", kBothTargets, "ovmf (UEFI) or seabios: PVE `bios`, libvirt loader.", "ovmf|seabios"},
    {V, "firmware.secure_boot", K::Boolean, "(true for win11)", kBothTargets, "Secure Boot with Microsoft keys enrolled: PVE `pre-enrolled-keys=1`; libvirt secure-boot firmware + SMM. Needs q35 and no legacy IGD. Default: on for ostype win11, else off."},
    {V, "firmware.efidisk", K::String, "(derived)", kPve, "An existing PVE volume (storage:volume) for `efidisk0`. Default: PVE allocates one (`qm` target: `<storage>:1,efitype=4m`); the whole conf names `<storage>:vm-<vmid>-disk-<N>`, N the next index after the disks."},
    {V, "firmware.autoselect", K::Boolean, "(true unless loader or nvram_template is given)", kLibvirt, "libvirt `<os firmware='efi'>` with `<firmware><feature>` for Secure Boot (libvirt >= 7.2): libvirt picks OVMF from QEMU's descriptors (/usr/share/qemu/firmware/*.json) on any distribution. false: explicit loader and nvram_template (Debian's paths unless given)."},
    {V, "firmware.loader", K::AbsolutePath, "(autoselected)", kLibvirt, "OVMF code (pflash, read-only), which turns autoselection off. Debian's: /usr/share/OVMF/OVMF_CODE_4M.fd (Secure Boot: OVMF_CODE_4M.secboot.fd); Fedora: /usr/share/edk2/ovmf/; Arch: /usr/share/edk2/x64/."},
    {V, "firmware.nvram_template", K::AbsolutePath, "(autoselected)", kLibvirt, "OVMF variable store template, which turns autoselection off. Debian's: /usr/share/OVMF/OVMF_VARS_4M.fd (Secure Boot: OVMF_VARS_4M.ms.fd)."},
    {V, "firmware.nvram", K::AbsolutePath, "(libvirt's)", kLibvirt, "The VM's own variable store. Default: libvirt's /var/lib/libvirt/qemu/nvram/<name>_VARS.fd."},
    {V, "display", K::Enum, "std", kBothTargets, "Emulated display: none (the passed GPU is the only one), std, virtio or qxl. PVE `vga`, libvirt `<video><model type>`.", "none|std|virtio|qxl"},
    {V, "storage", K::String, "local-lvm", kPve, "PVE storage ID where PVE allocates the disks and the efidisk (`qm` target, `attach`'s efidisk0 hint)."},
    {V, "rom_dir", K::AbsolutePath, "/usr/share/kvm", kLibvirt, "Directory holding ROM files for libvirt `<rom file>`. PVE always reads romfile from /usr/share/kvm."},
    {V, "disks", K::List, "", kBothTargets, "Virtual disks, in boot order. The limit is the sum of PVE's per-bus limits (ide 4, sata 6, scsi 31, virtio 16).", {}, 0, 57},
    {V, "disks[].bus", K::Enum, "scsi", kBothTargets, "Disk bus: PVE key sataN/scsiN/virtioN/ideN, libvirt `<target bus>`.", "sata|scsi|virtio|ide"},
    {V, "disks[].size_gib", K::Integer, "", kBothTargets, "Size in GiB: PVE `size=`; libvirt: informative (the image is made outside vfiogen).", {}, 1, 1048576, true},
    {V, "disks[].volume", K::String, "(derived)", kPve, "An existing PVE volume (storage:volume) to use. Default: PVE allocates one (`qm` target: `<storage>:<size_gib>`); the whole conf names `<storage>:vm-<vmid>-disk-<index>`."},
    {V, "disks[].path", K::AbsolutePath, "(derived)", kLibvirt, "Image file. Default: /var/lib/libvirt/images/<name>-<index>.<format>."},
    {V, "disks[].format", K::Enum, "qcow2", kLibvirt, "Image format for libvirt `<driver type>`.", "qcow2|raw"},
    {V, "nics", K::List, "", kBothTargets, "Network interfaces. The limit is PVE's net0 to net31.", {}, 0, 32},
    {V, "nics[].model", K::Enum, "virtio", kBothTargets, "NIC model: PVE netN model, libvirt `<model type>`.", "virtio|e1000|e1000e|rtl8139|vmxnet3"},
    {V, "nics[].mac", K::String, "(derived)", kBothTargets, "MAC address XX:XX:XX:XX:XX:XX. Default: a stable 52:54:00 address derived from the VM name and NIC index."},
    {V, "nics[].bridge", K::String, "", kBothTargets, "Host bridge: PVE `bridge=` (vmbr0 when empty), libvirt `<interface type='bridge'>`."},
    {V, "nics[].network", K::String, "default", kLibvirt, "libvirt network for `<interface type='network'>` when no bridge is given."},
    {V, "nics[].firewall", K::Boolean, "false", kPve, "PVE `firewall=1` on the NIC."},
    {V, "qemu_args", K::StringList, "", kBothTargets, "Extra QEMU arguments, one per item, no spaces inside an item: PVE `args:` (after vfiogen's own), libvirt `<qemu:commandline>`.", {}, 0, 256},
    {V, "tpm", K::Boolean, "(true for win11)", kBothTargets, "Emulated TPM 2.0 (swtpm): libvirt `<tpm model='tpm-crb'>`, PVE `tpmstate0` (allocated by `qm`, never named). Default: on for ostype win11, else off."},
    {V, "looking_glass", K::Map, "", kBothTargets, "Looking Glass shared memory (IVSHMEM): libvirt `<shmem name='looking-glass'>` + SPICE input + `<memballoon model='none'/>`, PVE `ivshmem:` + `balloon: 0`. `{}` sizes it for 1920x1080."},
    {V, "looking_glass.resolution", K::String, "1920x1080", kBothTargets, "Largest guest resolution WIDTHxHEIGHT; the size is WIDTH x HEIGHT x 4 x 2 bytes + 10 MiB rounded up to a power of two (Looking Glass B7 docs)."},
    {V, "looking_glass.size_mib", K::Integer, "(from resolution)", kBothTargets, "Shared memory size in MiB, a power of two, at least what the resolution needs.", {}, 1, 4096},
    {V, "looking_glass.kvmfr", K::Boolean, "false", kLibvirt, "Use the kvmfr module's /dev/kvmfr0 instead of /dev/shm/looking-glass: libvirt `<qemu:commandline>` (libvirt >= 7.9, QEMU >= 6.2); `host config` writes its module options."},
    {V, "looking_glass.user", K::String, "", kNoTarget, "Host user running the Looking Glass client: owner of the shared memory file (`host config` tmpfiles.d rule, or kvmfr udev rule)."},
    {V, "looking_glass.group", K::String, "kvm", kNoTarget, "Group of the shared memory file."},
    {V, "looking_glass.mode", K::String, "0660", kNoTarget, "Octal mode of the shared memory file (0600, 0660, ...)."},
    {V, "passthrough", K::List, "", kBothTargets, "Host PCI devices given to the guest, each through a hardware profile. PVE takes 16 hostpciN at most (a rule of the pve targets).", {}, 0, 64},
    {V, "passthrough[].profile", K::String, "", kBothTargets, "Hardware profile name (profiles/<name>.yaml).", {}, 0, 0, true},
    {V, "passthrough[].host", K::PciAddress, "", kBothTargets, "Host device dddd:bb:dd: every profile function at its `function` number (PVE `hostpciN: dddd:bb:dd`, all functions). dddd:bb:dd.f for a one-function profile."},
    {V, "passthrough[].pcie", K::Boolean, "(true on q35)", kBothTargets, "Place the device on a PCIe root port: PVE `pcie=1`, libvirt pcie-root-port. q35 only."},
    {V, "passthrough[].mapping", K::String, "", kPve, "PVE resource mapping id (PVE 8.0+, `/etc/pve/mapping/pci.cfg`) instead of `host`: PVE `hostpciN: mapping=ID`, every profile function. libvirt has no mappings and refuses it."},
    {V, "passthrough[].functions", K::List, "", kBothTargets, "Bind profile functions one by one (instead of host): each becomes its own PVE hostpciN.", {}, 0, 8},
    {V, "passthrough[].functions[].role", K::Enum, "", kBothTargets, "Which profile function this binds.", kRoles, 0, 0, true},
    {V, "passthrough[].functions[].host", K::PciAddress, "", kBothTargets, "Host PCI function dddd:bb:dd.f.", {}, 0, 0, true},
    {V, "passthrough[].functions[].romfile", K::FileName, "(from profile)", kBothTargets, "ROM file name, overriding the profile's."},
    {V, "passthrough[].functions[].rombar", K::Boolean, "(from profile)", kBothTargets, "Show the device ROM BAR to the guest, overriding the profile."},
    {V, "passthrough[].functions[].x_vga", K::Boolean, "(from profile)", kBothTargets, "VGA compatibility (x-vga), overriding the profile."},
    {V, "passthrough[].functions[].mdev", K::String, "", kBothTargets, "Mediated device type to create on this host function instead of passing the function (GVT-g: i915-GVTg_V5_4, as `host scan` lists): PVE `mdev=`, libvirt `<hostdev type='mdev'>` with a UUID derived from the VM name. The function stays with its host driver."},

    // ---- Hardware profiles (profiles/*.yaml) ----
    {P, "name", K::String, "(file name)", kNoTarget, "Profile name; when given it must equal the file name without .yaml."},
    {P, "description", K::Text, "", kNoTarget, "What hardware this describes."},
    {P, "notes", K::Text, "", kNoTarget, "Known quirks (reset bug, ROM extraction) for people reading the profile."},
    {P, "extends", K::String, "", kNoTarget, "Another profile whose keys this one starts from; functions merge by role."},
    {P, "code43", K::Map, "", kBothTargets, "Settings NVIDIA's and some other guest drivers want before they start."},
    {P, "code43.kvm_hidden", K::Boolean, "false", kBothTargets, "Hide KVM from the guest (see VM key cpu.kvm_hidden)."},
    {P, "code43.hv_vendor_id", K::String, "", kBothTargets, "Hyper-V vendor ID to present (see VM key cpu.hv_vendor_id)."},
    {P, "functions", K::List, "", kBothTargets, "The PCI functions of the device model (a device has functions 0 to 7).", {}, 0, 8},
    {P, "functions[].role", K::Enum, "", kBothTargets, "gpu (discrete), igd (Intel integrated), audio (HDMI/DP or HD audio), usb, serial, other.", kRoles, 0, 0, true},
    {P, "functions[].id", K::PciId, "", kBothTargets, "vendor:device as `lspci -nn` prints it. Required (here or in the extended profile)."},
    {P, "functions[].function", K::Integer, "", kBothTargets, "PCI function number within the device, used when a VM binds the whole device with passthrough[].host.", {}, 0, 7},
    {P, "functions[].romfile", K::FileName, "", kBothTargets, "ROM file name: PVE `romfile=` (/usr/share/kvm/NAME), libvirt `<rom file>` under rom_dir."},
    {P, "functions[].rombar", K::Boolean, "true", kBothTargets, "Show the ROM BAR to the guest: PVE `rombar=0` when false, libvirt `<rom bar>`."},
    {P, "functions[].x_vga", K::Boolean, "false", kBothTargets, "Primary GPU: PVE `x-vga=1` (under OVMF qemu-server drops QEMU's x-vga=on but still sets vga none, kvm=off, hv_vendor_id), libvirt `<qemu:override>` x-vga."},
    {P, "functions[].legacy_igd", K::Boolean, "false", kBothTargets, "Legacy IGD mode: PVE `legacy-igd=1`; libvirt guest 00:02.0. Needs i440fx, display none, host 00:02.0."},
    {P, "functions[].igd_gms", K::Integer, "", kBothTargets, "x-igd-gms (stolen memory, device-specific units): PVE `args: -set device.hostpciN.x-igd-gms=`, libvirt `<qemu:override>`.", {}, 0, 64},
    {P, "functions[].igd_opregion", K::Boolean, "false", kBothTargets, "x-igd-opregion=on: PVE `args: -set ...`, libvirt `<qemu:override>`."},
};
// clang-format on

std::string parent_of(std::string_view path) {
    size_t dot = path.rfind('.');
    return dot == std::string_view::npos ? "" : std::string(path.substr(0, dot));
}

std::string leaf_of(std::string_view path) {
    size_t dot = path.rfind('.');
    return std::string(dot == std::string_view::npos ? path : path.substr(dot + 1));
}

const KeySpec* find_spec(DocKind doc, std::string_view path) {
    for (const auto& k : kKeys)
        if (k.doc == doc && k.path == path) return &k;
    return nullptr;
}

std::vector<std::string> children_of(DocKind doc, const std::string& parent) {
    std::vector<std::string> names;
    for (const auto& k : kKeys)
        if (k.doc == doc && parent_of(k.path) == parent) names.push_back(leaf_of(k.path));
    return names;
}

bool in_choices(std::string_view choices, const std::string& value) {
    auto list = choice_list(choices);
    return std::find(list.begin(), list.end(), value) != list.end();
}

std::string join_choices(std::string_view choices) {
    std::string out;
    for (const auto& c : choice_list(choices)) out += (out.empty() ? "" : ", ") + c;
    return out;
}

bool parse_integer(const std::string& text, long long* value) {
    if (text.empty() || text.size() > 18) return false;
    size_t i = text[0] == '-' ? 1 : 0;
    if (i == text.size()) return false;
    long long v = 0;
    for (; i < text.size(); ++i) {
        if (!std::isdigit(static_cast<unsigned char>(text[i]))) return false;
        v = v * 10 + (text[i] - '0');
    }
    *value = text[0] == '-' ? -v : v;
    return true;
}

const char* type_name(KeyType type) {
    switch (type) {
        case K::String: return "string";
        case K::Text: return "text";
        case K::Integer: return "integer";
        case K::Boolean: return "boolean";
        case K::Enum: return "enum";
        case K::PciAddress: return "PCI address";
        case K::PciId: return "PCI ID";
        case K::FileName: return "file name";
        case K::AbsolutePath: return "absolute path";
        case K::Map: return "mapping";
        case K::List: return "list";
        case K::StringList: return "list of strings";
    }
    return "?";
}

// Display name of a key path for messages: "disks[].bus" -> "disks[].bus" (kept: it names the row).
class Validator {
public:
    Validator(DocKind doc, const std::string& file) : doc_(doc), file_(file) {}

    void mapping(const YAML::Node& node, const std::string& prefix) {
        std::map<std::string, Mark> seen;
        for (auto it = node.begin(); it != node.end(); ++it) {
            // yaml-cpp's iterator yields a temporary pair: copy the node handles, never bind references.
            YAML::Node key_node = it->first;
            YAML::Node value_node = it->second;
            Mark key_mark = mark_of(file_, key_node);
            if (!key_node.IsScalar()) {
                problem(KeyProblemKind::Key, key_mark, "keys must be plain names");
                continue;
            }
            std::string key = key_node.Scalar();
            std::string path = prefix.empty() ? key : prefix + "." + key;
            const KeySpec* spec = find_spec(doc_, path);
            if (!spec) {
                std::string where = prefix.empty() ? "" : " in '" + prefix + "'";
                problem(KeyProblemKind::Key, key_mark,
                        "unknown key '" + key + "'" + where + did_you_mean(key, children_of(doc_, prefix)));
                continue;
            }
            if (auto [pos, inserted] = seen.emplace(key, key_mark); !inserted) {
                problem(KeyProblemKind::Key, key_mark,
                        "duplicate key '" + key + "' (first at line " + std::to_string(pos->second.line) + ")");
                continue;
            }
            try {
                value(*spec, value_node, key_mark);
            } catch (const KeyErrors&) {
                throw;  // a nested mapping's problems are collected already
            } catch (const InputError& e) {
                problems_.push_back({KeyProblemKind::Value, e.diagnostic()});
            }
        }
        for (const auto& name : children_of(doc_, prefix)) {
            std::string path = prefix.empty() ? name : prefix + "." + name;
            const KeySpec* spec = find_spec(doc_, path);
            if (spec->required && !seen.count(name)) {
                std::string where = prefix.empty() ? "" : " in '" + prefix + "'";
                problem(KeyProblemKind::Key, mark_of(file_, node), "missing required key '" + name + "'" + where);
            }
        }
    }

    // Throws KeyErrors when anything was found.
    void finish() {
        if (problems_.empty()) return;
        std::stable_sort(problems_.begin(), problems_.end(), [](const KeyProblem& a, const KeyProblem& b) {
            return std::pair(a.diagnostic.mark.line, a.diagnostic.mark.column) <
                   std::pair(b.diagnostic.mark.line, b.diagnostic.mark.column);
        });
        throw KeyErrors(std::move(problems_));
    }

private:
    void problem(KeyProblemKind kind, const Mark& mark, std::string message) {
        problems_.push_back({kind, Diagnostic{mark, Severity::Error, std::move(message)}});
    }

    void value(const KeySpec& spec, const YAML::Node& v, const Mark& key_mark) {
        std::string key = leaf_of(spec.path);
        Mark m = mark_of(file_, v);
        if (m.line == 0) m = key_mark;
        if (v.IsNull()) throw InputError(key_mark, "key '" + key + "' has no value (expected " + type_name(spec.type) + ")");
        switch (spec.type) {
            case K::Map:
                if (!v.IsMap()) throw InputError(m, "'" + key + "' must be a mapping of keys");
                mapping(v, std::string(spec.path));
                return;
            case K::List:
                if (!v.IsSequence()) throw InputError(m, "'" + key + "' must be a list");
                check_items(spec, v, m, key);
                for (const auto& item : v) {
                    if (!item.IsMap()) throw InputError(mark_of(file_, item), "each item of '" + key + "' must be a mapping of keys");
                    mapping(item, std::string(spec.path) + "[]");
                }
                return;
            case K::StringList:
                if (!v.IsSequence()) throw InputError(m, "'" + key + "' must be a list of strings");
                check_items(spec, v, m, key);
                for (const auto& item : v) {
                    if (!item.IsScalar()) throw InputError(mark_of(file_, item), "each item of '" + key + "' must be a string");
                    check_text(item.Scalar(), false, mark_of(file_, item), key);
                }
                return;
            default:
                break;
        }
        if (!v.IsScalar()) throw InputError(m, "'" + key + "' must be a " + std::string(type_name(spec.type)) + ", not a " + (v.IsMap() ? "mapping" : "list"));
        const std::string& s = v.Scalar();
        std::string error;
        switch (spec.type) {
            case K::String: check_text(s, false, m, key); break;
            case K::Text: check_text(s, true, m, key); break;
            case K::Integer: {
                long long n;
                if (!parse_integer(s, &n)) throw InputError(m, "'" + key + "' must be an integer, got '" + s + "'");
                if (n < spec.min || n > spec.max)
                    throw InputError(m, "'" + key + "' is " + s + ", outside " + std::to_string(spec.min) + ".." + std::to_string(spec.max));
                break;
            }
            case K::Boolean: {
                bool b;
                if (!parse_bool(s, &b)) throw InputError(m, "'" + key + "' must be true or false, got '" + s + "'");
                break;
            }
            case K::Enum:
                if (!in_choices(spec.choices, s))
                    throw InputError(m, "'" + key + "' must be one of " + join_choices(spec.choices) + ", got '" + s + "'" +
                                            did_you_mean(s, choice_list(spec.choices)));
                break;
            case K::PciAddress:
                if (!parse_pci_address(s, &error)) throw InputError(m, error);
                break;
            case K::PciId:
                if (!parse_pci_id(s, &error)) throw InputError(m, error);
                break;
            case K::FileName:
                check_text(s, false, m, key);
                if (s.empty() || s == "." || s == ".." || s.find_first_of("/,;") != std::string::npos)
                    throw InputError(m, "'" + key + "' must be a bare file name without '/', ',' or ';' (got '" + s + "')");
                break;
            case K::AbsolutePath:
                check_text(s, false, m, key);
                if (s.empty() || s[0] != '/') throw InputError(m, "'" + key + "' must be an absolute path, got '" + s + "'");
                break;
            default:
                break;
        }
    }

    // Before any item is looked at: a list past its limit is refused whole, cheaply.
    void check_items(const KeySpec& spec, const YAML::Node& v, const Mark& m, const std::string& key) {
        if (spec.max > 0 && v.size() > static_cast<size_t>(spec.max))
            throw InputError(m, "'" + key + "' has " + std::to_string(v.size()) + " items, more than the " +
                                    std::to_string(spec.max) + " vfiogen accepts");
    }

    void check_text(const std::string& s, bool multiline, const Mark& m, const std::string& key) {
        for (char c : s) {
            auto u = static_cast<unsigned char>(c);
            if ((u < 0x20 && !(multiline && (c == '\n' || c == '\t'))) || u == 0x7f)
                throw InputError(m, "'" + key + "' contains a control character" + (multiline ? "" : " or line break") +
                                        ", which no target can hold");
        }
        // What libvirt's XML parser refuses (XML 1.0 Char) and what is not UTF-8 at all: the
        // file's bytes were checked, but yaml-cpp's escapes ("\uFFFE") can still produce them.
        if (auto problem = xml_char_problem(s))
            throw InputError(m, "'" + key + "' contains " + problem->what + " at byte " + std::to_string(problem->offset + 1) +
                                    " of its value, which no target can hold");
    }

    DocKind doc_;
    const std::string& file_;
    std::vector<KeyProblem> problems_;
};

std::string targets_name(unsigned targets) {
    switch (targets) {
        case kPve: return "pve";
        case kLibvirt: return "libvirt";
        case kBothTargets: return "both";
        default: return "-";
    }
}

std::string type_column(const KeySpec& k) {
    std::string t = type_name(k.type);
    if (k.type == K::Enum) t += ": " + join_choices(k.choices);
    if (k.type == K::Integer) t += " " + std::to_string(k.min) + ".." + std::to_string(k.max);
    if ((k.type == K::List || k.type == K::StringList) && k.max > 0) t += ", at most " + std::to_string(k.max);
    return t;
}

}  // namespace

std::vector<std::string> choice_list(std::string_view choices) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start <= choices.size()) {
        size_t bar = choices.find('|', start);
        if (bar == std::string_view::npos) bar = choices.size();
        out.emplace_back(choices.substr(start, bar - start));
        start = bar + 1;
    }
    return out;
}

bool parse_bool(const std::string& text, bool* value) {
    std::string s;
    for (char c : text) s += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (s == "true" || s == "yes" || s == "on") return *value = true, true;
    if (s == "false" || s == "no" || s == "off") return *value = false, true;
    return false;
}

const std::vector<KeySpec>& key_table() { return kKeys; }

const KeySpec& key_spec(DocKind doc, std::string_view path) {
    if (const KeySpec* spec = find_spec(doc, path)) return *spec;
    throw std::logic_error("key not in the key table: " + std::string(path));
}

KeyErrors::KeyErrors(std::vector<KeyProblem> problems)
    : InputError(problems.front().diagnostic.mark, problems.front().diagnostic.message), problems_(std::move(problems)) {}

void validate_keys(const YAML::Node& root, DocKind doc, const std::string& file) {
    Validator validator(doc, file);
    validator.mapping(root, "");
    validator.finish();
}

std::string key_reference_markdown() {
    std::string out =
        "# vfiogen key reference\n\n"
        "Generated from the key table in `src/model/keys.cpp` by `vfiogen keys --format markdown`; a test fails when\n"
        "this file and the table disagree. `[]` marks the items of a list. Targets: where the key has an effect.\n";
    for (DocKind doc : {DocKind::Vm, DocKind::Profile}) {
        out += doc == DocKind::Vm ? "\n## VM files\n\n" : "\n## Hardware profiles\n\n";
        out += "| key | type | default | targets | description |\n|---|---|---|---|---|\n";
        for (const auto& k : kKeys) {
            if (k.doc != doc) continue;
            std::string def = k.required ? "required" : k.default_value.empty() ? "" : "`" + std::string(k.default_value) + "`";
            std::string summary(k.summary);
            for (size_t p = 0; (p = summary.find('|', p)) != std::string::npos; p += 2) summary.replace(p, 1, "\\|");
            out += "| `" + std::string(k.path) + "` | " + type_column(k) + " | " + def + " | " + targets_name(k.targets) +
                   " | " + summary + " |\n";
        }
    }
    return out;
}

std::string key_reference_text() {
    std::string out;
    for (DocKind doc : {DocKind::Vm, DocKind::Profile}) {
        out += doc == DocKind::Vm ? "VM file keys:\n" : "\nHardware profile keys:\n";
        for (const auto& k : kKeys) {
            if (k.doc != doc) continue;
            out += "  " + std::string(k.path) + "  (" + type_column(k);
            if (k.required) out += ", required";
            else if (!k.default_value.empty()) out += ", default " + std::string(k.default_value);
            out += ", " + targets_name(k.targets) + ")\n      " + std::string(k.summary) + "\n";
        }
    }
    return out;
}

// ---- Section ----

Section::Section(YAML::Node node, DocKind doc, std::string path, std::string file)
    : node_(std::move(node)), doc_(doc), path_(std::move(path)), file_(std::move(file)) {}

std::string Section::full(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

const KeySpec& Section::spec(std::string_view key) const { return key_spec(doc_, full(key)); }

bool Section::has(std::string_view key) const {
    spec(key);
    return node_.IsMap() && node_[std::string(key)].IsDefined();
}

std::optional<std::string> Section::opt_str(std::string_view key) const {
    if (!has(key)) return std::nullopt;
    return node_[std::string(key)].Scalar();
}

std::string Section::str(std::string_view key) const {
    if (auto v = opt_str(key)) return *v;
    const KeySpec& s = spec(key);
    if (!s.default_value.empty() && s.default_value.front() == '(')
        throw std::logic_error("derived default read as a value: " + full(key));
    return std::string(s.default_value);
}

std::optional<long long> Section::opt_integer(std::string_view key) const {
    auto v = opt_str(key);
    long long n = 0;
    if (!v) return std::nullopt;
    parse_integer(*v, &n);
    return n;
}

long long Section::integer(std::string_view key) const {
    if (auto v = opt_integer(key)) return *v;
    long long n = 0;
    if (!parse_integer(std::string(spec(key).default_value), &n))
        throw std::logic_error("integer key without a numeric default: " + full(key));
    return n;
}

std::optional<bool> Section::opt_boolean(std::string_view key) const {
    auto v = opt_str(key);
    bool b = false;
    if (!v) return std::nullopt;
    parse_bool(*v, &b);
    return b;
}

bool Section::boolean(std::string_view key) const {
    if (auto v = opt_boolean(key)) return *v;
    bool b = false;
    if (!parse_bool(std::string(spec(key).default_value), &b))
        throw std::logic_error("boolean key without a default: " + full(key));
    return b;
}

Mark Section::self_mark() const { return mark_of(file_, node_); }

Mark Section::mark(std::string_view key) const {
    if (!has(key)) return self_mark();
    Mark m = mark_of(file_, node_[std::string(key)]);
    return m.line ? m : key_mark(key);
}

Mark Section::key_mark(std::string_view key) const {
    if (has(key))
        for (auto it = node_.begin(); it != node_.end(); ++it)
            if (it->first.Scalar() == key) return mark_of(file_, it->first);
    return self_mark();
}

Section Section::child(std::string_view key) const {
    spec(key);
    return Section(has(key) ? node_[std::string(key)] : YAML::Node(YAML::NodeType::Map), doc_, full(key), file_);
}

std::vector<Section> Section::list(std::string_view key) const {
    std::vector<Section> items;
    if (!has(key)) return items;
    for (const auto& item : node_[std::string(key)]) items.emplace_back(item, doc_, full(key) + "[]", file_);
    return items;
}

std::vector<std::pair<std::string, Mark>> Section::strings(std::string_view key) const {
    std::vector<std::pair<std::string, Mark>> items;
    if (!has(key)) return items;
    for (const auto& item : node_[std::string(key)]) items.emplace_back(item.Scalar(), mark_of(file_, item));
    return items;
}

}  // namespace vfiogen
