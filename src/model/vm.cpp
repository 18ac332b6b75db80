#include "model/vm.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <map>

#include "base/bounded_read.h"
#include "base/digest.h"
#include "base/suggest.h"
#include "model/keys.h"
#include "model/legacy_igd.h"
#include "model/pve_formats.h"
#include "model/yaml_source.h"

namespace vfiogen {
namespace {

bool all_of_chars(const std::string& s, const char* extra) {
    return std::all_of(s.begin(), s.end(), [&](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || std::string_view(extra).find(c) != std::string_view::npos;
    });
}

// pve-common's pve-storage-id format: [a-z][a-z0-9\-\_\.]*[a-z0-9]
bool valid_storage_id(const std::string& s) {
    if (s.size() < 2 || !std::islower(static_cast<unsigned char>(s.front()))) return false;
    if (!std::islower(static_cast<unsigned char>(s.back())) && !std::isdigit(static_cast<unsigned char>(s.back())))
        return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        return std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) ||
               c == '-' || c == '_' || c == '.';
    });
}

void check_volume(const std::string& volume, const Mark& mark, const std::string& key) {
    size_t colon = volume.find(':');
    if (colon == std::string::npos || colon + 1 == volume.size() || !valid_storage_id(volume.substr(0, colon)) ||
        !all_of_chars(volume.substr(colon + 1), "-_./"))
        throw InputError(mark, "'" + key + "' must be a PVE volume storage:volume (e.g. local-lvm:vm-100-disk-0), got '" +
                                   volume + "'");
}

std::string upper(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

bool valid_mac(const std::string& mac) {
    if (mac.size() != 17) return false;
    for (size_t i = 0; i < mac.size(); ++i) {
        if (i % 3 == 2 ? mac[i] != ':' : !std::isxdigit(static_cast<unsigned char>(mac[i]))) return false;
    }
    // The first octet must be unicast (bit 0 clear), or QEMU and the guest will refuse it.
    int first = std::stoi(mac.substr(0, 2), nullptr, 16);
    return (first & 1) == 0;
}

// A stable, locally unique MAC for a NIC without one: QEMU's 52:54:00 prefix and three bytes
// of an FNV-1a hash of "<name>/<index>", so a re-render never changes the guest's address.
std::string derived_mac(const std::string& name, size_t index) {
    uint32_t h = 2166136261u;
    for (char c : name + "/" + std::to_string(index)) h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
    char buf[18];
    std::snprintf(buf, sizeof buf, "52:54:00:%02X:%02X:%02X", (h >> 16) & 0xff, (h >> 8) & 0xff, h & 0xff);
    return buf;
}

PassedFunction from_profile(const ProfileFunction& pf, const PciAddress& host, const Mark& mark) {
    if (!pf.id)
        throw InputError(mark, "function '" + pf.role + "' of the profile (" + format_mark(pf.mark) +
                                   ") has no 'id' (vendor:device, e.g. 10de:1d01)");
    PassedFunction f;
    f.host = host;
    f.role = pf.role;
    f.id = *pf.id;
    f.romfile = pf.romfile;
    f.romfile_mark = pf.romfile_mark;
    f.rombar = pf.rombar;
    f.x_vga = pf.x_vga;
    f.legacy_igd = pf.legacy_igd;
    f.igd_gms = pf.igd_gms;
    f.igd_opregion = pf.igd_opregion;
    f.mark = mark;
    return f;
}

std::vector<std::string> roles_of(const Profile& p) {
    std::vector<std::string> roles;
    for (const auto& f : p.functions) roles.push_back(f.role);
    return roles;
}

// `mapping: ID`: a PVE resource mapping (qemu-server PCI.pm, since 8.0); the node's pci.cfg says
// where the device is, so every function of the profile is passed and none has a host address.
void bind_mapping(PassthroughDevice& dev, const Section& s, const Profile& profile) {
    dev.mapping = s.str("mapping");
    dev.mapping_mark = s.mark("mapping");
    if (!valid_pve_configid(dev.mapping))
        throw InputError(dev.mapping_mark, "mapping '" + dev.mapping +
                                               "' is not a PVE id: a letter, then letters, digits, '_' or '-' (pve-configid)");
    dev.whole_device = true;
    for (const auto& pf : profile.functions) {
        PassedFunction f = from_profile(pf, PciAddress{}, dev.mapping_mark);
        if (f.legacy_igd)
            throw InputError(dev.mapping_mark, "legacy IGD needs the host address 0000:00:02.0, which a resource mapping "
                                               "does not give; bind the IGD with 'host' or 'functions'");
        dev.functions.push_back(f);
    }
}

// `host: ADDRESS`: one function for a one-function profile, else the whole device, each role at
// the function its profile names.
void bind_host(PassthroughDevice& dev, const Section& s, const Profile& profile) {
    std::string err;
    Mark m = s.mark("host");
    PciAddress host = *parse_pci_address(s.str("host"), &err);
    if (host.function) {
        if (profile.functions.size() != 1)
            throw InputError(m, "'" + host.str() + "' names one function but profile '" + dev.profile + "' has " +
                                    std::to_string(profile.functions.size()) +
                                    " functions: give the device (" + PciAddress{host.domain, host.bus, host.device, {}}.str() +
                                    ") or bind each role under 'functions'");
        dev.functions.push_back(from_profile(profile.functions[0], host, m));
    } else {
        dev.whole_device = true;
        dev.device = host;
        for (const auto& pf : profile.functions) {
            if (!pf.function)
                throw InputError(m, "profile '" + dev.profile + "' gives no function number for role '" + pf.role +
                                        "' (" + format_mark(pf.mark) + "), so it cannot be bound by device address; "
                                        "bind each role under 'functions'");
            PciAddress a = host;
            a.function = *pf.function;
            for (const auto& other : dev.functions)
                if (other.host == a)
                    throw InputError(m, "profile '" + dev.profile + "' puts roles '" + other.role + "' and '" + pf.role +
                                            "' at the same function " + std::to_string(*pf.function));
            dev.functions.push_back(from_profile(pf, a, m));
        }
        std::sort(dev.functions.begin(), dev.functions.end(),
                  [](const PassedFunction& a, const PassedFunction& b) { return *a.host.function < *b.host.function; });
    }
}

// `mdev: TYPE` on a function binding. The name becomes a PVE property value (qemu-server PCI.pm's
// pattern [^/.:]+), a sysfs directory name under mdev_supported_types and an mdevctl argument, so
// only the characters kernel drivers use in type names are taken.
void load_mdev(const Section& f, PassedFunction& fn) {
    fn.mdev = f.str("mdev");
    fn.mdev_mark = f.mark("mdev");
    if (fn.mdev->empty() || fn.mdev->size() > 64 || !all_of_chars(*fn.mdev, "_-"))
        throw InputError(fn.mdev_mark, "mdev type '" + *fn.mdev +
                                           "' must be 1 to 64 letters, digits, '_' or '-', as the host's "
                                           "mdev_supported_types names it (e.g. i915-GVTg_V5_4)");
    // QEMU's x-vga needs the device's VGA region (hw/vfio/pci.c, vfio_populate_vga); a mediated
    // device (GVT-g, NVIDIA vGPU) has none, so the VM would not start.
    if (fn.x_vga)
        throw InputError(fn.mdev_mark, "x-vga needs the host device's VGA region, which a mediated device does not "
                                       "offer (QEMU hw/vfio/pci.c): set x_vga: false for role '" + fn.role + "'");
}

// `functions: [{role, host}, ...]`: each role bound to its own host function.
void bind_functions(PassthroughDevice& dev, const Section& s, const Profile& profile) {
    std::string err;
    std::vector<std::string> bound;
    for (const Section& f : s.list("functions")) {
        std::string role = f.str("role");
        const ProfileFunction* pf = profile.find(role);
        if (!pf)
            throw InputError(f.mark("role"), "profile '" + dev.profile + "' has no function with role '" + role + "'" +
                                                 did_you_mean(role, roles_of(profile)));
        if (std::find(bound.begin(), bound.end(), role) != bound.end())
            throw InputError(f.mark("role"), "role '" + role + "' is bound twice in this passthrough entry");
        bound.push_back(role);
        Mark m = f.mark("host");
        PciAddress host = *parse_pci_address(f.str("host"), &err);
        if (!host.function)
            throw InputError(m, "'" + host.str() + "' is a device; a function binding needs dddd:bb:dd.f");
        PassedFunction fn = from_profile(*pf, host, m);
        if (auto r = f.opt_str("romfile")) {
            fn.romfile = *r;
            fn.romfile_mark = f.mark("romfile");
        }
        if (auto b = f.opt_boolean("rombar")) fn.rombar = *b;
        if (auto b = f.opt_boolean("x_vga")) fn.x_vga = *b;
        if (f.has("mdev")) load_mdev(f, fn);
        dev.functions.push_back(fn);
    }
    if (dev.functions.empty()) throw InputError(s.mark("functions"), "'functions' is empty: bind at least one role");
}

PassthroughDevice load_passthrough(const Section& s, const Vm& vm, ProfileLibrary& profiles) {
    PassthroughDevice dev;
    dev.profile = s.str("profile");
    dev.mark = s.mark("profile");
    const Profile& profile = profiles.load(dev.profile, dev.mark);

    bool has_host = s.has("host"), has_functions = s.has("functions"), has_mapping = s.has("mapping");
    if (int(has_host) + int(has_functions) + int(has_mapping) != 1)
        throw InputError(s.self_mark(), has_host || has_functions || has_mapping
                                            ? "give one of 'host', 'functions' and 'mapping' in a passthrough entry, not several"
                                            : "passthrough entry for '" + dev.profile +
                                                  "' needs 'host' (the device), 'functions' (one per role) or 'mapping' (a PVE resource mapping)");
    if (has_mapping)
        bind_mapping(dev, s, profile);
    else if (has_host)
        bind_host(dev, s, profile);
    else
        bind_functions(dev, s, profile);

    // PCIe placement: default on q35; pcie on i440fx fails at start in PVE
    // ("q35 machine model is not enabled", qemu-server PCI.pm) and has no root port in libvirt.
    auto pcie = s.opt_boolean("pcie");
    dev.pcie = pcie.value_or(vm.machine_type == MachineType::Q35);
    if (dev.pcie && vm.machine_type != MachineType::Q35)
        throw InputError(s.mark("pcie"), std::string("pcie needs machine type q35, but this VM uses ") + machine_type_name(vm.machine_type) +
                                             " (qemu-server: 'q35 machine model is not enabled')");
    return dev;
}

// Legacy IGD (model/legacy_igd.h): the first broken requirement of the first device that asks.
void check_legacy_igd(const Vm& vm) {
    const PassedFunction* first = nullptr;
    for (const auto& dev : vm.passthrough) {
        for (const auto& f : dev.functions) {
            if (!f.legacy_igd) continue;
            LegacyIgdUse use;
            use.dialect = IgdDialect::VmFile;
            use.host = f.host.str();
            use.functions = {f.host};
            if (dev.whole_device)
                for (const auto& g : dev.functions)
                    if (&g != &f) use.functions.push_back(g.host);
            use.machine = machine_type_name(vm.machine_type);
            use.display = display_name(vm.display);
            use.x_vga = f.x_vga;
            use.rombar = f.rombar;
            use.mdev = f.mdev.has_value();
            if (first) use.earlier = format_mark(first->mark);
            first = first ? first : &f;
            auto problems = legacy_igd_problems(use);
            if (!problems.empty()) throw InputError(f.mark, "legacy IGD " + problems.front());
        }
    }
}

// A host function goes to the guest once, or as any number of mediated devices (each its own
// instance), never both.
void check_unique_hosts(const Vm& vm) {
    std::map<std::string, const PassedFunction*> seen;
    for (const auto& dev : vm.passthrough)
        for (const auto& f : dev.functions) {
            if (!dev.mapping.empty()) continue;
            auto [it, inserted] = seen.emplace(f.host.str(), &f);
            if (inserted || (f.mdev && it->second->mdev)) continue;
            throw InputError(f.mark, "host PCI function " + f.host.str() + " is passed through twice (first at " +
                                         format_mark(it->second->mark) + ")" +
                                         (f.mdev || it->second->mdev ? "; a function given whole cannot also host mdevs" : ""));
        }
}

void assign_aliases(Vm& vm) {
    std::map<std::string, int> counters;
    for (auto& dev : vm.passthrough)
        for (auto& f : dev.functions) f.alias = "ua-" + f.role + std::to_string(counters[f.role]++);
}

// "WIDTHxHEIGHT" with each side 1..16384; nullopt for anything else.
std::optional<std::pair<long long, long long>> parse_resolution(const std::string& text) {
    size_t x = text.find('x');
    if (x == std::string::npos || x == 0 || x + 1 == text.size() || x > 5 || text.size() - x - 1 > 5)
        return std::nullopt;
    auto digits = [](const std::string& t) {
        return std::all_of(t.begin(), t.end(),
                           [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
    };
    std::string w = text.substr(0, x), h = text.substr(x + 1);
    if (!digits(w) || !digits(h)) return std::nullopt;
    long long width = std::stoll(w), height = std::stoll(h);
    if (width < 1 || height < 1 || width > 16384 || height > 16384) return std::nullopt;
    return std::make_pair(width, height);
}

bool power_of_two(long long n) { return n > 0 && (n & (n - 1)) == 0; }

void load_shm_owner(const Section& lg, LookingGlass& out);

// The looking_glass mapping: the size from resolution and size_mib, kvmfr, the file's owner.
LookingGlass load_looking_glass(const Section& lg, const Mark& mark) {
    LookingGlass out;
    out.mark = mark;
    std::string resolution = lg.str("resolution");
    auto wh = parse_resolution(resolution);
    if (!wh)
        throw InputError(lg.mark("resolution"),
                         "Looking Glass resolution must be WIDTHxHEIGHT such as 2560x1440 "
                         "(each 1 to 16384), got '" +
                             resolution + "'");
    long long needed = looking_glass_size_mib(wh->first, wh->second);
    if (lg.has("resolution")) out.resolution = resolution;
    if (auto size = lg.opt_integer("size_mib")) {
        if (!power_of_two(*size)) {
            long long next = 1;
            while (next < *size) next <<= 1;
            throw InputError(lg.mark("size_mib"),
                             "Looking Glass size_mib " + std::to_string(*size) +
                                 " is not a power of two (IVSHMEM needs one; the next is " +
                                 std::to_string(next) + ")");
        }
        if (out.resolution && *size < needed)
            throw InputError(lg.mark("size_mib"),
                             "Looking Glass size_mib " + std::to_string(*size) + " is too small for " +
                                 resolution + ": it needs " + std::to_string(needed) +
                                 " MiB (width x height x 4 x 2 + 10 MiB, as a power of two)");
        out.size_mib = *size;
    } else {
        out.size_mib = needed;
    }
    out.kvmfr = lg.boolean("kvmfr");
    out.kvmfr_mark = lg.mark("kvmfr");
    load_shm_owner(lg, out);
    return out;
}

// The host file's owner, group and mode: each becomes one field of a tmpfiles.d or udev rule.
void load_shm_owner(const Section& lg, LookingGlass& out) {
    out.user = lg.str("user");
    out.user_mark = lg.mark("user");
    out.group = lg.str("group");
    out.mode = lg.str("mode");
    // A user or group name as useradd(8) accepts it.
    auto valid_name = [](const std::string& n) {
        return !n.empty() && n.size() <= 32 &&
               (std::islower(static_cast<unsigned char>(n[0])) || n[0] == '_') && all_of_chars(n, "-_") &&
               n.find_first_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ") == std::string::npos;
    };
    if (!out.user.empty() && !valid_name(out.user))
        throw InputError(out.user_mark,
                         "Looking Glass user '" + out.user +
                             "' is not a user name (lower-case letters, digits, '-', '_', at most 32)");
    if (!valid_name(out.group))
        throw InputError(lg.mark("group"),
                         "Looking Glass group '" + out.group +
                             "' is not a group name (lower-case letters, digits, '-', '_', at most 32)");
    bool octal = out.mode.size() == 4 && out.mode[0] == '0' &&
                 std::all_of(out.mode.begin(), out.mode.end(), [](char c) { return c >= '0' && c <= '7'; });
    if (!octal)
        throw InputError(lg.mark("mode"),
                         "Looking Glass mode must be four octal digits such as 0660, got '" + out.mode + "'");
}

void load_cpu(const Section& s, Vm& vm) {
    Section cpu = s.child("cpu");
    vm.cpu_model = cpu.str("model");
    if (vm.cpu_model.empty() || !all_of_chars(vm.cpu_model, "-_.+"))
        throw InputError(cpu.mark("model"), "cpu model '" + vm.cpu_model + "' must be a QEMU CPU model name such as host");
    vm.cores = cpu.integer("cores");
    vm.sockets = cpu.integer("sockets");
}

void load_machine(const Section& s, Vm& vm) {
    Section machine = s.child("machine");
    vm.machine_type = machine.str("type") == "q35" ? MachineType::Q35 : MachineType::I440fx;  // the key table allows these two
    vm.machine_version = machine.str("version");
    vm.machine_mark = machine.mark("type");
    vm.machine_version_mark = machine.mark("version");
    if (!vm.machine_version.empty()) {
        size_t dot = vm.machine_version.find('.');
        bool ok = dot != std::string::npos && dot > 0 && dot + 1 < vm.machine_version.size() &&
                  std::all_of(vm.machine_version.begin(), vm.machine_version.end(),
                              [](char c) { return std::isdigit(static_cast<unsigned char>(c)) || c == '.'; }) &&
                  vm.machine_version.find('.', dot + 1) == std::string::npos;
        if (!ok)
            throw InputError(machine.mark("version"),
                             "machine version must be MAJOR.MINOR such as 8.0, got '" + vm.machine_version + "'");
    }
}

// The key table allows none|std|virtio|qxl only.
Display parse_display(const std::string& text) {
    if (text == "none") return Display::None;
    if (text == "virtio") return Display::Virtio;
    if (text == "qxl") return Display::Qxl;
    return Display::Std;
}

void load_firmware(const Section& s, Vm& vm) {
    Section fw = s.child("firmware");
    vm.firmware = fw.str("type") == "ovmf" ? Firmware::Ovmf : Firmware::Seabios;  // the key table allows these two
    vm.firmware_mark = fw.mark("type");
    // Windows 11 wants Secure Boot and a TPM 2.0; Secure Boot's default follows only on q35, where
    // the SMM-protected firmware runs (on i440fx, with legacy IGD, it stays off unless asked for).
    bool win11 = vm.ostype == "win11";
    vm.secure_boot =
        fw.opt_boolean("secure_boot").value_or(win11 && vm.machine_type == MachineType::Q35 && vm.firmware == Firmware::Ovmf);
    vm.secure_boot_mark = fw.has("secure_boot") ? fw.mark("secure_boot") : s.mark("ostype");
    if (vm.secure_boot && vm.firmware != Firmware::Ovmf)
        throw InputError(vm.secure_boot_mark, "secure boot needs firmware type ovmf");
    vm.efidisk = fw.opt_str("efidisk");
    vm.efidisk_mark = fw.mark("efidisk");
    if (vm.efidisk) check_volume(*vm.efidisk, vm.efidisk_mark, "efidisk");
    // libvirt picks OVMF from QEMU's firmware descriptors unless the VM file names the files
    // (or turns autoselection off, which means Debian's paths).
    bool explicit_files = fw.has("loader") || fw.has("nvram_template");
    vm.firmware_autoselect = fw.opt_boolean("autoselect").value_or(!explicit_files);
    if (vm.firmware_autoselect && explicit_files)
        throw InputError(fw.mark("autoselect"),
                         "firmware autoselection and an explicit " +
                             std::string(fw.has("loader") ? "loader" : "nvram_template") +
                             " do not mix: drop one");
    vm.loader = fw.opt_str("loader").value_or(vm.secure_boot ? "/usr/share/OVMF/OVMF_CODE_4M.secboot.fd"
                                                             : "/usr/share/OVMF/OVMF_CODE_4M.fd");
    vm.nvram_template = fw.opt_str("nvram_template")
                            .value_or(vm.secure_boot ? "/usr/share/OVMF/OVMF_VARS_4M.ms.fd"
                                                     : "/usr/share/OVMF/OVMF_VARS_4M.fd");
    vm.nvram = fw.opt_str("nvram");
    vm.loader_mark = fw.has("loader") ? fw.mark("loader") : fw.mark("autoselect");
}

void load_disks(const Section& s, Vm& vm) {
    for (const Section& d : s.list("disks")) {
        Disk disk;
        disk.bus = d.str("bus");
        disk.size_gib = d.integer("size_gib");
        disk.volume = d.opt_str("volume");
        if (disk.volume) check_volume(*disk.volume, d.mark("volume"), "volume");
        disk.path = d.opt_str("path");
        disk.format = d.str("format");
        disk.mark = d.self_mark();
        vm.disks.push_back(disk);
    }
}

void load_nics(const Section& s, Vm& vm) {
    size_t index = 0;
    for (const Section& n : s.list("nics")) {
        Nic nic;
        nic.model = n.str("model");
        std::string mac = n.opt_str("mac").value_or(derived_mac(vm.name, index));
        if (!valid_mac(mac))
            throw InputError(n.mark("mac"), "'" + mac + "' is not a unicast MAC address XX:XX:XX:XX:XX:XX");
        nic.mac = upper(mac);
        nic.bridge = n.str("bridge");
        if (!all_of_chars(nic.bridge, "-_."))
            throw InputError(n.mark("bridge"), "bridge name '" + nic.bridge + "' may hold letters, digits, '-', '_' and '.' only");
        nic.network = n.str("network");
        nic.firewall = n.boolean("firewall");
        nic.mark = n.self_mark();
        vm.nics.push_back(nic);
        ++index;
    }
}

void load_qemu_args(const Section& s, Vm& vm) {
    for (const auto& [arg, mark] : s.strings("qemu_args")) {
        if (arg.empty() || arg.find_first_of(" \t'\"\\") != std::string::npos)
            throw InputError(mark, "QEMU argument '" + arg +
                                       "' is empty or holds spaces, quotes or backslashes; give one argument per item");
        vm.qemu_args.emplace_back(arg, mark);
    }
}

Vm load_section(const Section& s) {
    Vm vm;
    vm.file = s.file();
    vm.name = s.str("name");
    vm.name_mark = s.mark("name");
    if (vm.name.empty()) throw InputError(vm.name_mark, "'name' is empty");
    vm.description = s.str("description");
    vm.vmid = s.opt_integer("vmid");
    vm.vmid_mark = s.mark("vmid");
    vm.ostype = s.str("ostype");
    vm.memory_mib = s.integer("memory_mib");
    vm.accel = s.str("accel") == "tcg" ? Accel::Tcg : Accel::Kvm;  // the key table allows these two
    vm.accel_mark = s.mark("accel");

    load_cpu(s, vm);
    load_machine(s, vm);
    load_firmware(s, vm);
    vm.tpm = s.opt_boolean("tpm").value_or(vm.ostype == "win11");  // Windows 11 wants a TPM 2.0
    vm.tpm_mark = s.has("tpm") ? s.mark("tpm") : s.mark("ostype");
    if (s.has("looking_glass"))
        vm.looking_glass = load_looking_glass(s.child("looking_glass"), s.mark("looking_glass"));

    vm.display = parse_display(s.str("display"));
    vm.storage = s.str("storage");
    vm.storage_mark = s.mark("storage");
    if (!valid_storage_id(vm.storage))
        throw InputError(vm.storage_mark, "'" + vm.storage + "' is not a PVE storage ID ([a-z][a-z0-9-_.]*[a-z0-9])");
    vm.rom_dir = s.str("rom_dir");

    load_disks(s, vm);
    load_nics(s, vm);
    load_qemu_args(s, vm);
    return vm;
}

// Secure Boot rules both targets share. Seed 003 (the gen12 IGD ROMs): "secure boot is not supported"
// with legacy IGD; legacy IGD needs i440fx, where neither Debian's nor PVE's SMM firmware runs.
void check_secure_boot(const Vm& vm) {
    if (!vm.secure_boot) return;
    for (const auto& dev : vm.passthrough)
        for (const auto& f : dev.functions)
            if (f.legacy_igd)
                throw InputError(vm.secure_boot_mark,
                                 "secure boot and legacy IGD (" + format_mark(f.mark) +
                                     ") do not mix: the IGD ROMs are unsigned and legacy IGD needs "
                                     "i440fx (seed 003); set firmware.secure_boot: false");
}

Vm finish(const Section& s, ProfileLibrary& profiles) {
    Vm vm = load_section(s);
    Section cpu = s.child("cpu");
    for (const Section& p : s.list("passthrough")) vm.passthrough.push_back(load_passthrough(p, vm, profiles));

    // Code 43 settings: the VM's own keys win; otherwise any profile that asks for them.
    vm.kvm_hidden = cpu.opt_boolean("kvm_hidden").value_or(false);
    if (!cpu.has("kvm_hidden"))
        for (const auto& dev : vm.passthrough) vm.kvm_hidden |= profiles.load(dev.profile, dev.mark).kvm_hidden;
    vm.hv_vendor_id = cpu.opt_str("hv_vendor_id");
    Mark hv_mark = cpu.mark("hv_vendor_id");
    if (!vm.hv_vendor_id)
        for (const auto& dev : vm.passthrough) {
            const Profile& p = profiles.load(dev.profile, dev.mark);
            if (p.hv_vendor_id && !p.hv_vendor_id->empty()) {
                vm.hv_vendor_id = p.hv_vendor_id;
                hv_mark = Mark{p.file, 0, 0};
                break;
            }
        }
    if (vm.hv_vendor_id && (vm.hv_vendor_id->empty() || vm.hv_vendor_id->size() > 12 || !all_of_chars(*vm.hv_vendor_id, "")))
        throw InputError(hv_mark, "hv_vendor_id '" + *vm.hv_vendor_id + "' must be 1 to 12 letters or digits");

    check_unique_hosts(vm);
    check_legacy_igd(vm);
    check_secure_boot(vm);
    assign_aliases(vm);
    return vm;
}

}  // namespace

long long looking_glass_size_mib(long long width, long long height) {
    constexpr long long kMiB = 1024 * 1024;
    long long bytes = width * height * 4 * 2;
    long long mib = (bytes + kMiB - 1) / kMiB + 10;
    long long size = 1;
    while (size < mib) size <<= 1;
    return size;
}

// vfiogen's namespace for name-based UUIDs (RFC 9562 version 5): fixed forever, or every mdev
// UUID changes and libvirt no longer finds the instances made so far.
constexpr const char* kMdevUuidNamespace = "3f0c9a52-4a1e-4c52-9d3e-5b0f6c1d8e21";

std::string mdev_uuid(const Vm& vm, const PassedFunction& f) {
    return uuid_v5(kMdevUuidNamespace, "mdev/" + vm.name + "/" + f.host.str() + "/" + f.alias);
}

const char* display_name(Display display) {
    switch (display) {
    case Display::None: return "none";
    case Display::Std: return "std";
    case Display::Virtio: return "virtio";
    case Display::Qxl: return "qxl";
    }
    return "std";
}

const char* firmware_name(Firmware firmware) { return firmware == Firmware::Ovmf ? "ovmf" : "seabios"; }

const char* machine_type_name(MachineType type) { return type == MachineType::Q35 ? "q35" : "i440fx"; }

Vm load_vm_text(const std::string& text, const std::string& path, ProfileLibrary& profiles) {
    YAML::Node root = load_yaml_text(text, path);
    validate_keys(root, DocKind::Vm, path);
    return finish(Section(root, DocKind::Vm, "", path), profiles);
}

Vm load_vm(const std::string& path, ProfileLibrary& profiles) {
    YAML::Node root = load_yaml_file(path);
    validate_keys(root, DocKind::Vm, path);
    return finish(Section(root, DocKind::Vm, "", path), profiles);
}

void require_host_addresses(const Vm& vm, const std::string& what) {
    for (const auto& dev : vm.passthrough)
        if (!dev.mapping.empty())
            throw InputError(dev.mapping_mark, what + " needs host PCI addresses, but this entry names PVE resource mapping '" +
                                                   dev.mapping + "': give 'host' or 'functions' instead");
}

Vm load_vm_input(const std::string& file, const std::vector<std::string>& extra_profile_dirs, std::istream& in,
                 std::vector<std::string>* inputs) {
    if (file == "-") {
        std::string text = read_bounded_stream(in, "<stdin>");
        ProfileLibrary profiles(ProfileLibrary::default_search_path(extra_profile_dirs, "./<stdin>"));
        Vm vm = load_vm_text(text, "<stdin>", profiles);
        if (inputs) *inputs = profiles.files();
        return vm;
    }
    ProfileLibrary profiles(ProfileLibrary::default_search_path(extra_profile_dirs, file));
    profiles.trust_owner_of(file);
    Vm vm = load_vm(file, profiles);
    if (inputs) {
        inputs->push_back(file);
        for (const auto& f : profiles.files()) inputs->push_back(f);
    }
    return vm;
}

}  // namespace vfiogen
