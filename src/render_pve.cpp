#include "render_pve.h"

#include <cctype>
#include <cstdio>
#include <map>

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

std::string hex(unsigned value) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%x", value);
    return buf;
}

// One hostpciN line: the PCI IDs and the property-string options qemu-server reads, in the
// order PVE itself writes them (the default key first, the rest sorted).
struct Hostpci {
    std::string host;
    const PassedFunction* options;  // function whose rombar/romfile/x-vga/legacy-igd apply
    bool pcie;
};

std::string hostpci_value(const Hostpci& h) {
    const PassedFunction& f = *h.options;
    std::string v = h.host;
    if (f.legacy_igd) v += ",legacy-igd=1";
    if (h.pcie) v += ",pcie=1";
    if (f.romfile) v += ",romfile=" + *f.romfile;
    if (!f.rombar) v += ",rombar=0";
    if (f.x_vga) v += ",x-vga=1";
    return v;
}

std::vector<Hostpci> plan_hostpci(const Vm& vm) {
    std::vector<Hostpci> lines;
    for (const auto& dev : vm.passthrough) {
        if (dev.whole_device) {
            for (size_t i = 1; i < dev.functions.size(); ++i) {
                const PassedFunction& f = dev.functions[i];
                if (f.romfile || !f.rombar || f.x_vga)
                    throw InputError(f.mark, "PVE applies romfile, rombar and x-vga only to function .0 of hostpci '" +
                                                 dev.device.str() + "', so role '" + f.role +
                                                 "' cannot keep its own; bind each role under 'functions' to give it its own hostpciN");
            }
            lines.push_back({dev.device.str(), &dev.functions.front(), dev.pcie});
        } else {
            for (const auto& f : dev.functions) lines.push_back({f.host.str(), &f, dev.pcie && !f.legacy_igd});
        }
        if (lines.size() > kMaxHostpci)
            throw InputError(dev.mark, "PVE allows at most " + std::to_string(kMaxHostpci) + " hostpci entries (hostpci0-hostpci15); this VM needs " +
                                           std::to_string(lines.size()) + " so far");
    }
    return lines;
}

std::string machine_value(const Vm& vm) {
    std::string base = vm.machine_type == "q35" ? "q35" : "pc";
    if (vm.machine_version.empty()) return base;
    return (vm.machine_type == "q35" ? "pc-q35-" : "pc-i440fx-") + vm.machine_version;
}

std::string cpu_value(const Vm& vm) {
    std::string v = vm.cpu_model;
    if (vm.kvm_hidden) v += ",hidden=1";
    if (vm.hv_vendor_id) v += ",hv-vendor-id=" + *vm.hv_vendor_id;
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

}  // namespace

Rendered render_pve(const Vm& vm, const TemplateSet& templates, bool snippet) {
    Rendered out;
    if (!vm.vmid)
        throw InputError(Mark{vm.file, 1, 1}, "missing key 'vmid': the pve targets need the VMID (100-999999999)");
    if (!valid_dns_name(vm.name))
        throw InputError(vm.name_mark, "VM name '" + vm.name +
                                           "' is not valid for PVE: it must be a DNS name (letters, digits, inner '-', '.')");

    std::vector<Hostpci> lines = plan_hostpci(vm);
    data view;
    list hostpci;
    std::vector<std::string> args;
    for (size_t i = 0; i < lines.size(); ++i) {
        hostpci.push_back(object{{"index", std::to_string(i)}, {"value", hostpci_value(lines[i])}});
        const PassedFunction& f = *lines[i].options;
        std::string id = "device.hostpci" + std::to_string(i);
        if (f.igd_gms) args.push_back("-set " + id + ".x-igd-gms=" + hex(static_cast<unsigned>(*f.igd_gms)));
        if (f.igd_opregion) args.push_back("-set " + id + ".x-igd-opregion=on");
        if (f.x_vga && vm.firmware == "ovmf")
            out.warnings.push_back({f.mark, Severity::Warning,
                                    "x-vga has no effect with firmware ovmf in PVE: qemu-server passes x-vga=on only with SeaBIOS"});
    }
    std::string args_line;
    for (const auto& a : args) args_line += (args_line.empty() ? "" : " ") + a;
    for (const auto& [a, mark] : vm.qemu_args) args_line += (args_line.empty() ? "" : " ") + a;
    if (!args_line.empty()) view.set("args", args_line);
    view.set("hostpci", hostpci);

    for (const auto& [key, value] : looking_glass_keys(vm)) view.set(key, value);
    view.set("bios", vm.firmware);
    view.set("cpu", cpu_value(vm));
    view.set("machine", machine_value(vm));
    view.set("vga", vm.display);

    // Volumes: given, or PVE's own naming, vm-<vmid>-disk-<n> in order; the efidisk after the disks.
    auto volume = [&](size_t n) { return vm.storage + ":vm-" + std::to_string(*vm.vmid) + "-disk-" + std::to_string(n); };
    if (vm.firmware == "ovmf") {
        std::string efi = vm.efidisk.value_or(volume(vm.disks.size())) + ",efitype=4m";
        if (vm.secure_boot) efi += ",pre-enrolled-keys=1";
        view.set("efidisk0", efi + ",size=4M");
    }

    if (!snippet) {
        static const std::map<std::string, size_t> kBusLimit = {{"ide", 4}, {"sata", 6}, {"scsi", 31}, {"virtio", 16}};
        std::map<std::string, list> buses;
        std::string boot;
        for (size_t i = 0; i < vm.disks.size(); ++i) {
            const Disk& d = vm.disks[i];
            size_t n = buses[d.bus].size();
            if (n >= kBusLimit.at(d.bus))
                throw InputError(d.mark, "PVE allows at most " + std::to_string(kBusLimit.at(d.bus)) + " " + d.bus + " disks");
            std::string value = d.volume.value_or(volume(i)) + ",size=" + std::to_string(d.size_gib) + "G";
            buses[d.bus].push_back(object{{"index", std::to_string(n)}, {"value", value}});
            boot += (boot.empty() ? "" : ";") + d.bus + std::to_string(n);
        }
        for (const auto& [bus, items] : buses) view.set(bus, items);
        list nets;
        for (size_t i = 0; i < vm.nics.size(); ++i) {
            const Nic& n = vm.nics[i];
            std::string value = n.model + "=" + n.mac + ",bridge=" + (n.bridge.empty() ? "vmbr0" : n.bridge);
            if (n.firewall) value += ",firewall=1";
            nets.push_back(object{{"index", std::to_string(i)}, {"value", value}});
            boot += (boot.empty() ? "" : ";") + std::string("net") + std::to_string(i);
        }
        view.set("net", nets);
        if (!boot.empty()) view.set("boot", "order=" + boot);
        view.set("cores", std::to_string(vm.cores));
        view.set("sockets", std::to_string(vm.sockets));
        view.set("memory", std::to_string(vm.memory_mib));
        view.set("name", vm.name);
        view.set("ostype", vm.ostype);
        view.set("scsihw", "virtio-scsi-single");
        if (vm.accel == "tcg") view.set("kvm", "0");
    }
    // A TPM state volume exists only once PVE allocates it; a conf cannot ask for that, and a
    // guessed vm-<vmid>-disk-<n> could be another disk of the VM. So the conf names none.
    if (vm.tpm)
        out.warnings.push_back({vm.tpm_mark, Severity::Warning,
                                "the conf has no tpmstate0: let PVE allocate it with 'qm set " +
                                    std::to_string(*vm.vmid) + " --tpmstate0 " + vm.storage +
                                    ":1,version=v2.0'"});
    out.text = templates.render(snippet ? "pve-snippet.conf.mustache" : "pve.conf.mustache", view, Escape::None);
    return out;
}

}  // namespace vfiogen
