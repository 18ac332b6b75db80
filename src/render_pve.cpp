#include "render_pve.h"

#include <cctype>
#include <cstdio>
#include <map>

#include "pve_conf.h"
#include "pve_schema.h"

namespace vfiogen {
namespace {

using kainjow::mustache::data;
using kainjow::mustache::list;
using kainjow::mustache::object;



std::string hex(unsigned value) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%x", value);
    return buf;
}

// One hostpciN line: the PCI IDs and the property-string options qemu-server reads, in the
// order PVE itself writes them (the default key first, the rest sorted).
struct Hostpci {
    std::string host;  // or, for a resource mapping, "mapping=ID" (see hostpci_value)
    const PassedFunction* options;  // function whose rombar/romfile/x-vga/legacy-igd apply
    bool pcie;
};

std::string hostpci_value(const Hostpci& h) {
    const PassedFunction& f = *h.options;
    PveHostpci v;
    if (h.host.rfind("mapping=", 0) == 0) v.mapping = h.host.substr(8);
    else v.host = h.host;
    v.legacy_igd = f.legacy_igd;
    v.pcie = h.pcie;
    v.romfile = f.romfile;
    v.rombar = f.rombar;
    v.x_vga = f.x_vga;
    return format_pve_hostpci(v);
}

std::vector<Hostpci> plan_hostpci(const Vm& vm) {
    std::vector<Hostpci> lines;
    for (const auto& dev : vm.passthrough) {
        if (dev.whole_device) {
            std::string device = dev.mapping.empty() ? dev.device.str() : "mapping=" + dev.mapping;
            for (size_t i = 1; i < dev.functions.size(); ++i) {
                const PassedFunction& f = dev.functions[i];
                if (f.romfile || !f.rombar || f.x_vga)
                    throw InputError(f.mark, "PVE applies romfile, rombar and x-vga only to function .0 of hostpci '" + device +
                                                 "', so role '" + f.role +
                                                 "' cannot keep its own; bind each role under 'functions' to give it its own hostpciN");
            }
            lines.push_back({device, &dev.functions.front(), dev.pcie});
        } else {
            for (const auto& f : dev.functions) lines.push_back({f.host.str(), &f, dev.pcie && !f.legacy_igd});
        }
        const size_t max_hostpci = static_cast<size_t>(pve_index_count("hostpci"));
        if (lines.size() > max_hostpci)
            throw InputError(dev.mark, "PVE allows at most " + std::to_string(max_hostpci) + " hostpci entries (hostpci0-hostpci" +
                                           std::to_string(max_hostpci - 1) + "); this VM needs " +
                                           std::to_string(lines.size()) + " so far");
    }
    return lines;
}

// The lines the conf is meant to hold, each with the VM-file or profile key it comes from.
struct Intended {
    std::string key, value;
    Mark origin;
};

// Throws InputError at the origin of the first intended line that qemu-server's parser would not
// read back as that key and value (QemuServer.pm parse_vm_config, see pve_conf.h); then, as a
// template override may lay out more text, at the template for any line of the whole rendering
// that the parser would skip or read as the snapshot state.
void require_read_back(const std::string& text, const std::vector<Intended>& intended, const std::string& template_name,
                       PveVersion version) {
    for (const auto& want : intended) {
        if (std::string why = pve_line_problem(want.key, want.value); !why.empty())
            throw InputError(want.origin, "refusing to write PVE line '" + want.key + "': " + why);
        std::string what;
        if (auto since = pve_value_needs(want.key, want.value, version, &what))
            throw InputError(want.origin, what + " needs PVE " + since->str() + " or later; rendering for PVE " + version.str() +
                                              " (--pve-version)");
    }
    PveConf back = parse_pve_conf(text, template_name);
    if (!back.warnings.empty())
        throw InputError(back.warnings.front().mark,
                         "the template's output is not a conf qemu-server reads: " + back.warnings.front().message);
    for (const auto& section : back.sections)
        for (const auto& e : section.entries)
            if (e.snapstate_suffix)
                throw InputError(e.mark, "the template's output has a line that qemu-server reads as 'snapstate: " + e.value + "'");
}

// The VM-file key that decides the args line: the last qemu_args item that alone would break it,
// else the last item (several items can break it together), else `fallback`.
Mark args_origin(const Vm& vm, Mark fallback) {
    for (auto it = vm.qemu_args.rbegin(); it != vm.qemu_args.rend(); ++it)
        if (!pve_line_problem("args", it->first).empty()) return it->second;
    return vm.qemu_args.empty() ? fallback : vm.qemu_args.back().second;
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

Rendered render_pve(const Vm& vm, const TemplateSet& templates, bool snippet, PveVersion version) {
    Rendered out;
    if (!vm.vmid)
        throw InputError(Mark{vm.file, 1, 1}, "missing key 'vmid': the pve targets need the VMID (100-999999999)");
    if (!valid_pve_dns_name(vm.name))
        throw InputError(vm.name_mark, "VM name '" + vm.name +
                                           "' is not valid for PVE: it must be a DNS name (letters, digits, inner '-', '.')");

    std::vector<Hostpci> lines = plan_hostpci(vm);
    data view;
    std::vector<Intended> intended;  // every line, for the read-back check
    auto put = [&](const std::string& key, const std::string& value, const Mark& origin) {
        view.set(key, value);
        intended.push_back({key, value, origin});
    };
    auto item = [&](const std::string& prefix, size_t index, const std::string& value, const Mark& origin) {
        intended.push_back({prefix + std::to_string(index), value, origin});
        return object{{"index", std::to_string(index)}, {"value", value}};
    };
    list hostpci;
    std::vector<std::string> args;
    for (size_t i = 0; i < lines.size(); ++i) {
        const PassedFunction& f = *lines[i].options;
        hostpci.push_back(item("hostpci", i, hostpci_value(lines[i]), f.romfile ? f.romfile_mark : f.mark));
        std::string id = "device.hostpci" + std::to_string(i);
        if (f.igd_gms) args.push_back("-set " + id + ".x-igd-gms=" + hex(static_cast<unsigned>(*f.igd_gms)));
        if (f.igd_opregion) args.push_back("-set " + id + ".x-igd-opregion=on");
    }
    std::string args_line;
    for (const auto& a : args) args_line += (args_line.empty() ? "" : " ") + a;
    for (const auto& [a, mark] : vm.qemu_args) args_line += (args_line.empty() ? "" : " ") + a;
    if (!args_line.empty()) put("args", args_line, args_origin(vm, vm.file_mark()));
    view.set("hostpci", hostpci);

    for (const auto& [key, value] : looking_glass_keys(vm)) put(key, value, vm.looking_glass->mark);
    put("bios", vm.firmware, vm.firmware_mark);
    put("cpu", cpu_value(vm), vm.file_mark());
    put("machine", machine_value(vm), vm.machine_mark);
    put("vga", vm.display, vm.file_mark());

    // Volumes: given, or PVE's own naming, vm-<vmid>-disk-<n> in order; the efidisk after the disks.
    auto volume = [&](size_t n) { return vm.storage + ":vm-" + std::to_string(*vm.vmid) + "-disk-" + std::to_string(n); };
    if (vm.firmware == "ovmf") {
        std::string efi = vm.efidisk.value_or(volume(vm.disks.size())) + ",efitype=4m";
        if (vm.secure_boot) efi += ",pre-enrolled-keys=1";
        put("efidisk0", efi + ",size=4M", vm.efidisk ? vm.efidisk_mark : vm.storage_mark);
    }

    if (!snippet) {
        std::map<std::string, list> buses;
        std::string boot;
        for (size_t i = 0; i < vm.disks.size(); ++i) {
            const Disk& d = vm.disks[i];
            size_t n = buses[d.bus].size();
            const size_t bus_limit = static_cast<size_t>(pve_index_count(d.bus));
            if (n >= bus_limit) throw InputError(d.mark, "PVE allows at most " + std::to_string(bus_limit) + " " + d.bus + " disks");
            std::string value = d.volume.value_or(volume(i)) + ",size=" + std::to_string(d.size_gib) + "G";
            buses[d.bus].push_back(item(d.bus, n, value, d.mark));
            boot += (boot.empty() ? "" : ";") + d.bus + std::to_string(n);
        }
        for (const auto& [bus, items] : buses) view.set(bus, items);
        list nets;
        for (size_t i = 0; i < vm.nics.size(); ++i) {
            const Nic& n = vm.nics[i];
            std::string value = n.model + "=" + n.mac + ",bridge=" + (n.bridge.empty() ? "vmbr0" : n.bridge);
            if (n.firewall) value += ",firewall=1";
            nets.push_back(item("net", i, value, n.mark));
            boot += (boot.empty() ? "" : ";") + std::string("net") + std::to_string(i);
        }
        view.set("net", nets);
        if (!boot.empty()) put("boot", "order=" + boot, vm.file_mark());
        put("cores", std::to_string(vm.cores), vm.file_mark());
        put("sockets", std::to_string(vm.sockets), vm.file_mark());
        put("memory", std::to_string(vm.memory_mib), vm.file_mark());
        put("name", vm.name, vm.name_mark);
        put("ostype", vm.ostype, vm.file_mark());
        put("scsihw", "virtio-scsi-single", vm.file_mark());
        if (vm.accel == "tcg") put("kvm", "0", vm.accel_mark);
    }
    // A TPM state volume exists only once PVE allocates it; a conf cannot ask for that, and a
    // guessed vm-<vmid>-disk-<n> could be another disk of the VM. So the conf names none.
    if (vm.tpm)
        out.warnings.push_back({vm.tpm_mark, Severity::Warning,
                                "the conf has no tpmstate0: let PVE allocate it with 'qm set " +
                                    std::to_string(*vm.vmid) + " --tpmstate0 " + vm.storage +
                                    ":1,version=v2.0'"});
    const char* template_name = snippet ? "pve-snippet.conf.mustache" : "pve.conf.mustache";
    out.text = templates.render(template_name, view, Escape::None);
    require_read_back(out.text, intended, template_name, version);
    return out;
}

}  // namespace vfiogen
