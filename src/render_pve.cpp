#include "render_pve.h"

#include <cctype>
#include <filesystem>
#include <map>
#include <set>

#include "pci_address.h"
#include "qm_command.h"

namespace vfiogen {
namespace {

using kainjow::mustache::data;
using kainjow::mustache::list;
using kainjow::mustache::object;

constexpr size_t kMaxHostpci = 16;  // qemu-server PCI.pm $MAX_HOSTPCI_DEVICES

// pve-common's dns-name format: labels of letters, digits and inner '-', joined by '.'.
bool valid_dns_name(const std::string& name) {
    if (name.empty() || name.size() > 253) return false;
    size_t start = 0;
    while (start <= name.size()) {
        size_t dot = name.find('.', start);
        if (dot == std::string::npos) dot = name.size();
        std::string label = name.substr(start, dot - start);
        if (label.empty() || label.front() == '-' || label.back() == '-') return false;
        for (char c : label)
            if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
        start = dot + 1;
    }
    return true;
}

// The VM file's name without its folder, for text inside outputs (stable wherever they are rendered).
std::string file_name(const Vm& vm) { return std::filesystem::path(vm.file).filename().string(); }

// One hostpciN entry: the PCI IDs and the sub-keys qemu-server reads, in the order PVE itself
// writes them (the default key first, the rest sorted).
PveHostpci hostpci_entry(const std::string& host, const PassedFunction& f, bool pcie, Mark mark) {
    PveHostpci h{host, "", {}, std::move(mark)};
    if (f.legacy_igd) h.options += ",legacy-igd=1";
    if (pcie) h.options += ",pcie=1";
    if (f.romfile) h.options += ",romfile=" + *f.romfile;
    if (!f.rombar) h.options += ",rombar=0";
    if (f.x_vga) h.options += ",x-vga=1";
    if (f.igd_gms)
        h.set_properties.push_back("x-igd-gms=0x" + hex_digits(static_cast<unsigned>(*f.igd_gms), 1));
    if (f.igd_opregion) h.set_properties.push_back("x-igd-opregion=on");
    return h;
}

void plan_hostpci(const Vm& vm, PvePassthrough& plan) {
    for (const auto& dev : vm.passthrough) {
        auto warn_xvga = [&](const PassedFunction& f) {
            if (f.x_vga && vm.firmware == "ovmf")
                plan.warnings.push_back({f.mark, Severity::Warning,
                                         "x-vga has no effect with firmware ovmf in PVE: qemu-server passes "
                                         "x-vga=on only with SeaBIOS"});
        };
        if (dev.whole_device) {
            for (size_t i = 1; i < dev.functions.size(); ++i) {
                const PassedFunction& f = dev.functions[i];
                if (f.romfile || !f.rombar || f.x_vga)
                    throw InputError(
                        f.mark, "PVE applies romfile, rombar and x-vga only to function .0 of hostpci '" +
                                    dev.device.str() + "', so role '" + f.role +
                                    "' cannot keep its own; bind each role under 'functions' to give it its "
                                    "own hostpciN");
            }
            plan.hostpci.push_back(
                hostpci_entry(dev.device.str(), dev.functions.front(), dev.pcie, dev.mark));
            warn_xvga(dev.functions.front());
        } else {
            for (const auto& f : dev.functions) {
                plan.hostpci.push_back(hostpci_entry(f.host.str(), f, dev.pcie && !f.legacy_igd, f.mark));
                warn_xvga(f);
            }
        }
        if (plan.hostpci.size() > kMaxHostpci)
            throw InputError(dev.mark, "PVE allows at most " + std::to_string(kMaxHostpci) +
                                           " hostpci entries (hostpci0-hostpci15); this VM needs " +
                                           std::to_string(plan.hostpci.size()) + " so far");
    }
}

std::string join(const std::vector<std::string>& words, const char* sep = " ") {
    std::string out;
    for (const auto& w : words) out += (out.empty() ? "" : sep) + w;
    return out;
}

// `args` of a VM rendered on its own: vfiogen's -set words for hostpci0.., then the VM file's.
std::string args_value(const PvePassthrough& plan) {
    std::vector<std::string> words;
    for (size_t i = 0; i < plan.hostpci.size(); ++i)
        for (auto& w : pve_owned_args(plan.hostpci[i], i)) words.push_back(std::move(w));
    for (const auto& a : plan.extra_args) words.push_back(a);
    return join(words);
}

std::string cpu_value(const Vm& vm, const PvePassthrough& plan) {
    std::string v = vm.cpu_model;
    for (const auto& [k, val] : plan.cpu_flags) v += "," + k + "=" + val;
    return v;
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

    // PVE's own naming of new volumes, vm-<vmid>-disk-<n> in order; the efidisk after the disks.
    auto volume = [&](size_t n) {
        return vm.storage + ":vm-" + std::to_string(*vm.vmid) + "-disk-" + std::to_string(n);
    };
    if (vm.firmware == "ovmf") {
        std::string options = std::string(",efitype=4m") + (vm.secure_boot ? ",pre-enrolled-keys=1" : "");
        if (allocate)
            keys["efidisk0"] = vm.efidisk ? *vm.efidisk + options : plan.efidisk_create;
        else
            keys["efidisk0"] = vm.efidisk.value_or(volume(vm.disks.size())) + options + ",size=4M";
    }
    if (vm.tpm) {
        size_t n = vm.disks.size() + (vm.firmware == "ovmf" ? 1 : 0);
        keys["tpmstate0"] = allocate ? plan.tpmstate_create : volume(n) + ",size=4M,version=v2.0";
    }
    static const std::map<std::string, size_t> kBusLimit = {
        {"ide", 4}, {"sata", 6}, {"scsi", 31}, {"virtio", 16}};
    std::map<std::string, size_t> on_bus;
    std::string boot;
    for (size_t i = 0; i < vm.disks.size(); ++i) {
        const Disk& d = vm.disks[i];
        size_t n = on_bus[d.bus]++;
        if (n >= kBusLimit.at(d.bus))
            throw InputError(
                d.mark, "PVE allows at most " + std::to_string(kBusLimit.at(d.bus)) + " " + d.bus + " disks");
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
    if (vm.accel == "tcg") keys["kvm"] = "0";
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
Rendered render_snippet(const Vm& vm, const PvePassthrough& plan, const TemplateSet& templates) {
    std::map<std::string, std::string> keys;
    for (size_t i = 0; i < plan.hostpci.size(); ++i)
        keys["hostpci" + std::to_string(i)] = plan.hostpci[i].value();
    if (std::string args = args_value(plan); !args.empty()) keys["args"] = args;
    keys["bios"] = plan.bios;
    keys["vga"] = plan.vga;
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
        notes.push_back("args: add these words to the VM's own args line, if it has one; keep its other words.");
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
    return {templates.render("pve-snippet.conf.mustache", view, Escape::None), plan.warnings};
}

// The header of the whole conf, as description lines: PVE shows them as the VM's notes.
std::vector<std::string> whole_conf_header(const Vm& vm) {
    return {
        "Rendered by vfiogen from " + file_name(vm) + ". The disk volumes named below must already exist:",
        "to create this VM, run 'vfiogen render --target qm " + file_name(vm) + "' and its qm create,",
        "which lets PVE allocate them.",
    };
}

Rendered render_qm(const Vm& vm, const PvePassthrough& plan, const TemplateSet& templates) {
    list options;
    for (const auto& [key, value] : whole_conf(vm, plan, true))
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

}  // namespace

std::string pve_machine_value(bool q35, const std::string& version) {
    if (version.empty()) return q35 ? "q35" : "pc";
    return (q35 ? "pc-q35-" : "pc-i440fx-") + version;
}

std::vector<std::string> pve_owned_args(const PveHostpci& h, size_t index) {
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
    if (!valid_dns_name(vm.name))
        throw InputError(
            vm.name_mark,
            "VM name '" + vm.name +
                "' is not valid for PVE: it must be a DNS name (letters, digits, inner '-', '.')");
    PvePassthrough plan;
    plan.vmid = *vm.vmid;
    plan_hostpci(vm, plan);
    for (const auto& [a, mark] : vm.qemu_args) plan.extra_args.push_back(a);
    plan.bios = vm.firmware;
    plan.q35 = vm.machine_type == "q35";
    plan.machine_version = vm.machine_version;
    plan.vga = vm.display;
    if (vm.kvm_hidden) plan.cpu_flags.emplace_back("hidden", "1");
    if (vm.hv_vendor_id) plan.cpu_flags.emplace_back("hv-vendor-id", *vm.hv_vendor_id);
    // QemuServer/Drive.pm: "STORAGE_ID:SIZE_IN_GiB" allocates; for efidisk0 the size is fixed by efitype.
    if (vm.firmware == "ovmf")
        plan.efidisk_create = vm.storage + ":1,efitype=4m,pre-enrolled-keys=" + (vm.secure_boot ? "1" : "0");
    if (vm.tpm) plan.tpmstate_create = vm.storage + ":1,version=v2.0";
    return plan;
}

Rendered render_pve(const Vm& vm, const TemplateSet& templates, Target target) {
    PvePassthrough plan = plan_pve_passthrough(vm);
    if (target == Target::PveSnippet) return render_snippet(vm, plan, templates);
    if (target == Target::Qm) return render_qm(vm, plan, templates);
    data view = conf_view(whole_conf(vm, plan, false));
    view.set("header", lines(whole_conf_header(vm)));
    return {templates.render("pve.conf.mustache", view, Escape::None), plan.warnings};
}

}  // namespace vfiogen
