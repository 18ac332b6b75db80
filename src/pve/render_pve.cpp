#include "pve/render_pve.h"

#include <cctype>
#include <filesystem>
#include <map>
#include <set>

#include "base/strings.h"
#include "model/pci_address.h"
#include "pve/pve_conf.h"
#include "pve/pve_schema.h"
#include "pve/qm_command.h"

namespace vfiogen {
namespace {

using kainjow::mustache::data;
using kainjow::mustache::list;
using kainjow::mustache::object;

// The VM file's name without its folder, for text inside outputs (stable wherever they are rendered).
std::string file_name(const Vm& vm) { return std::filesystem::path(vm.file).filename().string(); }

void require_read_back(const Vm& vm, const PvePassthrough& plan,
                       const std::map<std::string, std::string>& keys, PveVersion version,
                       const std::string& conf_text, const std::string& template_name);

// One hostpciN entry: the PCI IDs and the sub-keys qemu-server reads, in the order PVE itself
// writes them (the default key first, the rest sorted).
// `host` is the PCI ID(s) or "mapping=ID" (a resource mapping, PVE 8.0).
PveHostpciEntry hostpci_entry(const std::string& host, const PassedFunction& f, bool pcie, Mark mark) {
    PveHostpci v;  // pve_schema.h formats the line
    if (host.rfind("mapping=", 0) == 0)
        v.mapping = host.substr(8);
    else
        v.host = host;
    v.legacy_igd = f.legacy_igd;
    v.pcie = pcie;
    v.romfile = f.romfile;
    v.rombar = f.rombar;
    v.x_vga = f.x_vga;
    v.mdev = f.mdev;
    std::string value = format_pve_hostpci(v);
    PveHostpciEntry h{
        host, value.substr(host.size()), {}, std::move(mark), f.romfile ? f.romfile_mark : f.mark};
    if (f.igd_gms)
        h.set_properties.push_back("x-igd-gms=" + hex(static_cast<unsigned>(*f.igd_gms), 1));
    if (f.igd_opregion) h.set_properties.push_back("x-igd-opregion=on");
    return h;
}

void plan_hostpci(const Vm& vm, PvePassthrough& plan) {
    for (const auto& dev : vm.passthrough) {
        if (dev.whole_device) {
            std::string device = dev.mapping.empty() ? dev.device.str() : "mapping=" + dev.mapping;
            for (size_t i = 1; i < dev.functions.size(); ++i) {
                const PassedFunction& f = dev.functions[i];
                if (f.romfile || !f.rombar || f.x_vga)
                    throw InputError(
                        f.mark, "PVE applies romfile, rombar and x-vga only to function .0 of hostpci '" +
                                    device + "', so role '" + f.role +
                                    "' cannot keep its own; bind each role under 'functions' to give it its "
                                    "own hostpciN");
            }
            plan.hostpci.push_back(hostpci_entry(device, dev.functions.front(), dev.pcie, dev.mark));
        } else {
            for (const auto& f : dev.functions)
                plan.hostpci.push_back(hostpci_entry(f.host.str(), f, dev.pcie && !f.legacy_igd, f.mark));
        }
        const size_t max_hostpci = static_cast<size_t>(pve_index_count("hostpci"));
        if (plan.hostpci.size() > max_hostpci)
            throw InputError(dev.mark, "PVE allows at most " + std::to_string(max_hostpci) +
                                           " hostpci entries (hostpci0-hostpci" +
                                           std::to_string(max_hostpci - 1) + "); this VM needs " +
                                           std::to_string(plan.hostpci.size()) + " so far");
    }
}

// `args` of a VM rendered on its own: vfiogen's -set words for hostpci0.., then the VM file's.
std::string args_value(const PvePassthrough& plan) {
    std::vector<std::string> words;
    for (size_t i = 0; i < plan.hostpci.size(); ++i)
        for (auto& w : pve_owned_args(plan.hostpci[i], i)) words.push_back(std::move(w));
    for (const auto& a : plan.extra_args) words.push_back(a);
    return join(words, " ");
}

std::string cpu_value(const Vm& vm, const PvePassthrough& plan) {
    std::string v = vm.cpu_model;
    for (const auto& [k, val] : plan.cpu_flags) v += "," + k + "=" + val;
    return v;
}

// Looking Glass on PVE, as conf keys: `ivshmem: size=N,name=looking-glass` gives
// /dev/shm/pve-shm-looking-glass (qemu-server QemuServer.pm, ivshmem_fmt: size in MiB, name
// [a-zA-Z0-9-]+), and `balloon: 0` removes the balloon device, as Looking Glass's docs ask for
// <memballoon model='none'/>. qemu-server has no key for a character device, so kvmfr is
// libvirt-only (InputError at the kvmfr key).
std::map<std::string, std::string> looking_glass_keys(const Vm& vm) {
    if (!vm.looking_glass) return {};
    if (vm.looking_glass->kvmfr)
        throw InputError(
            vm.looking_glass->kvmfr_mark,
            "kvmfr is not available for PVE: qemu-server's ivshmem only backs onto /dev/shm/pve-shm-NAME; "
            "set looking_glass.kvmfr: false for the pve targets");
    return {{"ivshmem", "size=" + std::to_string(vm.looking_glass->size_mib) + ",name=looking-glass"},
            {"balloon", "0"}};
}

// The keys of a whole conf, sorted as qemu-server writes them (write_vm_config: `sort keys`).
// `allocate`: disks and efidisk0 as STORAGE:SIZE_GIB (for qm), else as the volume names PVE gives.
std::map<std::string, std::string> whole_conf(const Vm& vm, const PvePassthrough& plan, bool allocate) {
    std::map<std::string, std::string> keys;
    for (size_t i = 0; i < plan.hostpci.size(); ++i)
        keys["hostpci" + std::to_string(i)] = plan.hostpci[i].value();
    if (std::string args = args_value(plan); !args.empty()) keys["args"] = args;
    keys["bios"] = plan.bios;
    keys["cpu"] = cpu_value(vm, plan);
    keys["machine"] = pve_machine_value(plan.q35, plan.machine_version);
    keys["vga"] = plan.vga;
    keys.merge(looking_glass_keys(vm));

    // PVE's own naming of new volumes, vm-<vmid>-disk-<n> in order; the efidisk after the disks.
    auto volume = [&](size_t n) {
        return vm.storage + ":vm-" + std::to_string(*vm.vmid) + "-disk-" + std::to_string(n);
    };
    if (vm.firmware == Firmware::Ovmf) {
        std::string options = std::string(",efitype=4m") + (vm.secure_boot ? ",pre-enrolled-keys=1" : "");
        if (allocate)
            keys["efidisk0"] = vm.efidisk ? *vm.efidisk + options : plan.efidisk_create;
        else
            keys["efidisk0"] = vm.efidisk.value_or(volume(vm.disks.size())) + options + ",size=4M";
    }
    if (vm.tpm) {
        size_t n = vm.disks.size() + (vm.firmware == Firmware::Ovmf ? 1 : 0);
        keys["tpmstate0"] = allocate ? plan.tpmstate_create : volume(n) + ",size=4M,version=v2.0";
    }
    std::map<std::string, size_t> on_bus;
    std::string boot;
    for (size_t i = 0; i < vm.disks.size(); ++i) {
        const Disk& d = vm.disks[i];
        size_t n = on_bus[d.bus]++;
        const size_t bus_limit = static_cast<size_t>(pve_index_count(d.bus));
        if (n >= bus_limit)
            throw InputError(d.mark,
                             "PVE allows at most " + std::to_string(bus_limit) + " " + d.bus + " disks");
        std::string key = d.bus + std::to_string(n);
        if (d.volume)
            keys[key] = *d.volume + ",size=" + std::to_string(d.size_gib) + "G";
        else if (allocate)
            keys[key] = vm.storage + ":" + std::to_string(d.size_gib);
        else
            keys[key] = volume(i) + ",size=" + std::to_string(d.size_gib) + "G";
        boot += (boot.empty() ? "" : ";") + key;
    }
    for (size_t i = 0; i < vm.nics.size(); ++i) {
        const Nic& n = vm.nics[i];
        std::string value = n.model + "=" + n.mac + ",bridge=" + (n.bridge.empty() ? "vmbr0" : n.bridge);
        if (n.firewall) value += ",firewall=1";
        keys["net" + std::to_string(i)] = value;
        boot += (boot.empty() ? "" : ";") + std::string("net") + std::to_string(i);
    }
    if (!boot.empty()) keys["boot"] = "order=" + boot;
    keys["cores"] = std::to_string(vm.cores);
    keys["sockets"] = std::to_string(vm.sockets);
    keys["memory"] = std::to_string(vm.memory_mib);
    keys["name"] = vm.name;
    keys["ostype"] = vm.ostype;
    keys["scsihw"] = "virtio-scsi-single";
    if (vm.accel == Accel::Tcg) keys["kvm"] = "0";
    return keys;
}

// The template view of conf keys: a key of a numbered device (hostpci0, sata1, net0) joins the
// list named after its prefix as {index, value}; any other key (efidisk0 too) is a value of its own name.
data conf_view(const std::map<std::string, std::string>& keys) {
    static const std::set<std::string> kLists = {"hostpci", "ide", "sata", "scsi", "virtio", "net"};
    data view;
    std::map<std::string, list> lists;
    for (const auto& [key, value] : keys) {
        size_t d = key.size();
        while (d > 0 && std::isdigit(static_cast<unsigned char>(key[d - 1]))) --d;
        if (kLists.count(key.substr(0, d)))
            lists[key.substr(0, d)].push_back(object{{"index", key.substr(d)}, {"value", value}});
        else
            view.set(key, value);
    }
    for (auto& [prefix, items] : lists) view.set(prefix, items);
    if (!lists.count("hostpci")) view.set("hostpci", list{});
    return view;
}

list lines(const std::vector<std::string>& items) {
    list out;
    for (const auto& i : items) out.push_back(i);
    return out;
}

// The snippet: only keys that can be pasted into an existing VM as they are, and comments
// for what has to be merged by hand (cpu options, a pinned machine version, efidisk0).
Rendered render_snippet(const Vm& vm, const PvePassthrough& plan, const TemplateSet& templates,
                        PveVersion version) {
    std::map<std::string, std::string> keys;
    for (size_t i = 0; i < plan.hostpci.size(); ++i)
        keys["hostpci" + std::to_string(i)] = plan.hostpci[i].value();
    if (std::string args = args_value(plan); !args.empty()) keys["args"] = args;
    keys["bios"] = plan.bios;
    keys["vga"] = plan.vga;
    keys.merge(looking_glass_keys(vm));
    if (!plan.machine_version.empty()) keys["machine"] = pve_machine_value(plan.q35, plan.machine_version);

    std::string conf = "/etc/pve/qemu-server/" + std::to_string(plan.vmid) + ".conf";
    std::vector<std::string> notes = {
        "vfiogen: passthrough keys of " + file_name(vm) + " for " + conf + ".",
        "'vfiogen attach " + file_name(vm) + " --vmid " + std::to_string(plan.vmid) +
            "' merges them for you; by hand,",
        "replace these keys in the current config (above the first [section]) and leave these # lines out:",
        "PVE keeps every # line as the VM's notes.",
    };
    if (plan.hostpci.size() > 0)
        notes.push_back(
            "The VM's own hostpciN entries keep their numbers; renumber these, and the hostpciN in args, to "
            "free ones.");
    if (keys.count("args"))
        notes.push_back(
            "args: add these words to the VM's own args line, if it has one; keep its other words.");
    if (!plan.cpu_flags.empty()) {
        std::string flags;
        for (const auto& [k, v] : plan.cpu_flags) flags += "," + k + "=" + v;
        notes.push_back("cpu: keep the VM's cpu type and add '" + flags +
                        "' to it (no cpu line: 'cpu: kvm64" + flags + "').");
    }
    if (plan.machine_version.empty())
        notes.push_back(std::string("machine: needs the ") + (plan.q35 ? "q35" : "i440fx") +
                        " chipset; keep the VM's pinned version (" +
                        (plan.q35 ? "pc-q35-X.Y" : "pc-i440fx-X.Y") + ") if it has one" +
                        (plan.q35 ? ", else write 'machine: q35'." : "."));
    if (!plan.efidisk_create.empty())
        notes.push_back(
            "efidisk0: OVMF keeps its variables there; if the VM has none, let PVE create it: qm set " +
            std::to_string(plan.vmid) + " --efidisk0 " + plan.efidisk_create);
    if (!plan.tpmstate_create.empty())
        notes.push_back("tpmstate0: if the VM has no TPM yet, let PVE create it: qm set " +
                        std::to_string(plan.vmid) + " --tpmstate0 " + plan.tpmstate_create);
    data view = conf_view(keys);
    view.set("notes", lines(notes));
    std::string text = templates.render("pve-snippet.conf.mustache", view, Escape::None);
    require_read_back(vm, plan, keys, version, text, "pve-snippet.conf.mustache");
    return {text, plan.warnings};
}

// The header of the whole conf, as description lines: PVE shows them as the VM's notes.
std::vector<std::string> whole_conf_header(const Vm& vm) {
    return {
        "Rendered by vfiogen from " + file_name(vm) + ". The disk volumes named below must already exist:",
        "to create this VM, run 'vfiogen render --target qm " + file_name(vm) + "' and its qm create,",
        "which lets PVE allocate them.",
    };
}

Rendered render_qm(const Vm& vm, const PvePassthrough& plan, const TemplateSet& templates,
                   PveVersion version) {
    std::map<std::string, std::string> keys = whole_conf(vm, plan, true);
    require_read_back(vm, plan, keys, version, "", "qm.sh.mustache");
    list options;
    for (const auto& [key, value] : keys)
        options.push_back(object{{"key", key}, {"value", shell_quote(value)}});
    std::vector<std::string> notes = {
        "vfiogen: creates VM " + std::to_string(plan.vmid) + " (" + vm.name + ") from " + file_name(vm) +
            " on a Proxmox VE node (as root, for args).",
        "PVE allocates each disk, efidisk0 and tpmstate0 given as STORAGE:SIZE_GIB; qm create refuses a VMID "
        "in use.",
    };
    for (const auto& d : vm.disks)
        if (d.volume)
            notes.push_back("The VM file names the existing volume " + *d.volume +
                            ": it is attached, not created.");
    if (vm.efidisk)
        notes.push_back("The VM file names the existing efidisk volume " + *vm.efidisk +
                        ": it is attached, not created.");
    data view;
    view.set("vmid", std::to_string(plan.vmid));
    view.set("notes", lines(notes));
    view.set("options", options);
    return {templates.render("qm.sh.mustache", view, Escape::None), plan.warnings};
}

// The VM-file key that decides the args line: the last qemu_args item that alone would break it,
// else the last item (several items can break it together), else `fallback`.
Mark args_origin(const Vm& vm, Mark fallback) {
    for (auto it = vm.qemu_args.rbegin(); it != vm.qemu_args.rend(); ++it)
        if (!pve_line_problem("args", it->first).empty()) return it->second;
    return vm.qemu_args.empty() ? fallback : vm.qemu_args.back().second;
}

// The VM-file or profile key a conf key's value comes from, for errors about that line.
Mark origin_of(const Vm& vm, const PvePassthrough& plan, const std::string& key) {
    for (size_t i = 0; i < plan.hostpci.size(); ++i)
        if (key == "hostpci" + std::to_string(i)) return plan.hostpci[i].origin;
    if (key == "args") return args_origin(vm, vm.file_mark());
    if (key == "bios") return vm.firmware_mark;
    if (key == "machine") return vm.machine_mark;
    if (key == "name") return vm.name_mark;
    if (key == "kvm") return vm.accel_mark;
    if (key == "efidisk0") return vm.efidisk ? vm.efidisk_mark : vm.storage_mark;
    if (key == "tpmstate0") return vm.storage_mark;
    if ((key == "ivshmem" || key == "balloon") && vm.looking_glass) return vm.looking_glass->mark;
    std::map<std::string, size_t> on_bus;
    for (const auto& d : vm.disks)
        if (key == d.bus + std::to_string(on_bus[d.bus]++)) return d.mark;
    for (size_t i = 0; i < vm.nics.size(); ++i)
        if (key == "net" + std::to_string(i)) return vm.nics[i].mark;
    return vm.file_mark();
}

// Throws InputError at the origin of the first key whose line qemu-server's parser would not read
// back as that key and value (QemuServer.pm parse_vm_config, see pve_conf.h), or that needs a newer
// PVE than `version`; then, for a conf rendering (`conf_text` non-empty; a template override may lay
// out more text), at the template for any line qemu-server would skip or read as the snapshot state.
void require_read_back(const Vm& vm, const PvePassthrough& plan,
                       const std::map<std::string, std::string>& keys, PveVersion version,
                       const std::string& conf_text, const std::string& template_name) {
    for (const auto& [key, value] : keys) {
        if (std::string why = pve_line_problem(key, value); !why.empty())
            throw InputError(origin_of(vm, plan, key), "refusing to write PVE line '" + key + "': " + why);
        std::string what;
        if (auto since = pve_value_needs(key, value, version, &what))
            throw InputError(origin_of(vm, plan, key), what + " needs PVE " + since->str() +
                                                           " or later; rendering for PVE " + version.str() +
                                                           " (--pve-version)");
    }
    if (conf_text.empty()) return;
    PveConf back = parse_pve_conf(conf_text, template_name);
    if (!back.warnings.empty())
        throw InputError(
            back.warnings.front().mark,
            "the template's output is not a conf qemu-server reads: " + back.warnings.front().message);
    for (const auto& section : back.sections)
        for (const auto& e : section.entries)
            if (e.snapstate_suffix)
                throw InputError(e.mark,
                                 "the template's output has a line that qemu-server reads as 'snapstate: " +
                                     e.value + "'");
}


}  // namespace

std::string pve_machine_value(bool q35, const std::string& version) {
    if (version.empty()) return q35 ? "q35" : "pc";
    return (q35 ? "pc-q35-" : "pc-i440fx-") + version;
}

std::vector<std::string> pve_owned_args(const PveHostpciEntry& h, size_t index) {
    std::vector<std::string> words;
    for (const auto& p : h.set_properties) {
        words.emplace_back("-set");
        words.push_back("device.hostpci" + std::to_string(index) + "." + p);
    }
    return words;
}

PvePassthrough plan_pve_passthrough(const Vm& vm) {
    if (!vm.vmid)
        throw InputError(Mark{vm.file, 1, 1},
                         "missing key 'vmid': the pve targets need the VMID (100-999999999)");
    if (!valid_pve_dns_name(vm.name))
        throw InputError(
            vm.name_mark,
            "VM name '" + vm.name +
                "' is not valid for PVE: it must be a DNS name (letters, digits, inner '-', '.')");
    PvePassthrough plan;
    plan.vmid = *vm.vmid;
    plan_hostpci(vm, plan);
    for (const auto& [a, mark] : vm.qemu_args) plan.extra_args.push_back(a);
    plan.bios = firmware_name(vm.firmware);
    plan.q35 = vm.machine_type == MachineType::Q35;
    plan.machine_version = vm.machine_version;
    plan.vga = display_name(vm.display);
    if (vm.kvm_hidden) plan.cpu_flags.emplace_back("hidden", "1");
    if (vm.hv_vendor_id) plan.cpu_flags.emplace_back("hv-vendor-id", *vm.hv_vendor_id);
    // QemuServer/Drive.pm: "STORAGE_ID:SIZE_IN_GiB" allocates; for efidisk0 the size is fixed by efitype.
    if (vm.firmware == Firmware::Ovmf)
        plan.efidisk_create = vm.storage + ":1,efitype=4m,pre-enrolled-keys=" + (vm.secure_boot ? "1" : "0");
    if (vm.tpm) plan.tpmstate_create = vm.storage + ":1,version=v2.0";
    return plan;
}

Rendered render_pve(const Vm& vm, const TemplateSet& templates, Target target, PveVersion version) {
    PvePassthrough plan = plan_pve_passthrough(vm);
    if (target == Target::PveSnippet) return render_snippet(vm, plan, templates, version);
    if (target == Target::Qm) return render_qm(vm, plan, templates, version);
    std::map<std::string, std::string> keys = whole_conf(vm, plan, false);
    data view = conf_view(keys);
    view.set("header", lines(whole_conf_header(vm)));
    std::string text = templates.render("pve.conf.mustache", view, Escape::None);
    require_read_back(vm, plan, keys, version, text, "pve.conf.mustache");
    return {text, plan.warnings};
}

}  // namespace vfiogen
