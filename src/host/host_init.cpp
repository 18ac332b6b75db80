#include "host/host_init.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <stdexcept>

#include <yaml-cpp/yaml.h>

#include "base/bounded_read.h"
#include "base/install_paths.h"
#include "base/output_file.h"
#include "base/strings.h"
#include "base/text_escape.h"
#include "host/host_scan.h"

namespace vfiogen {
namespace {

// The role a function of an unknown device gets in a new profile, from its PCI class.
std::string role_for(const HostDevice& d, const PciAddress& first) {
    if (d.is_display())
        return d.address.bus == 0 && d.address.device == 2 && d.id.vendor == 0x8086 && d.address == first ? "igd" : "gpu";
    if (d.class16() == kClassHdAudio) return "audio";
    if (d.class16() == 0x0c03) return "usb";
    if (d.class16() == 0x0c80) return "serial";
    return "other";
}

// The first line that points yaml-language-server (VS Code, Neovim) at the installed JSON Schema
// of `doc` ("vm", "profile"): key completion, each key's doc, wrong types flagged while typing.
std::string schema_modeline(const char* doc) {
    return "# yaml-language-server: $schema=" + installed_data_dir() + "/schemas/" + doc + ".schema.json\n";
}

// The emitter's document, newline-terminated; an emitter error is a bug in this file.
std::string emitted(const YAML::Emitter& out) {
    if (!out.good()) throw std::logic_error("YAML emitter: " + out.GetLastError());
    return std::string(out.c_str()) + "\n";
}

struct Binding {
    std::string role;
    PciAddress host;
};

// The functions `p` binds on the host, each role to a function with its vendor:device ID,
// preferring the functions of `device` (the device asked for); nothing when `p` does not match
// `first`.
std::vector<Binding> bind_profile(const Profile& p, const HostDevice& first, const std::vector<const HostDevice*>& device,
                                  const Host& host) {
    bool matches = std::any_of(p.functions.begin(), p.functions.end(), [&](const ProfileFunction& f) {
        return f.id && f.id->vendor == first.id.vendor && f.id->device == first.id.device;
    });
    std::vector<Binding> bound;
    if (!matches) return bound;
    std::vector<PciAddress> used;
    for (const auto& f : p.functions) {
        if (!f.id) continue;
        const HostDevice* pick = nullptr;
        auto fits = [&](const HostDevice& d) {
            return d.id.vendor == f.id->vendor && d.id.device == f.id->device &&
                   std::find(used.begin(), used.end(), d.address) == used.end();
        };
        for (const HostDevice* d : device)
            if (!pick && fits(*d)) pick = d;
        for (const auto& d : host.devices)
            if (!pick && fits(d)) pick = &d;
        if (!pick) continue;
        used.push_back(pick->address);
        bound.push_back({f.role, pick->address});
    }
    return bound;
}

// The profile on the search path binding the most functions (its name in result.profile), or
// nothing when none matches.
std::vector<Binding> best_profile(InitResult& result, const HostDevice& first, const std::vector<const HostDevice*>& device,
                                  const Host& host, ProfileLibrary& profiles) {
    std::vector<Binding> best;
    for (const auto& name : profiles.available()) {
        const Profile* p = nullptr;
        try {
            p = &profiles.load(name, Mark{name, 0, 0});
        } catch (const InputError&) {
            continue;  // a broken profile elsewhere on the path does not stop init
        }
        std::vector<Binding> bound = bind_profile(*p, first, device, host);
        if (bound.size() > best.size()) {
            best = bound;
            result.profile = name;
        }
    }
    return best;
}

// A minimal profile for a device no profile matches (result.profile, result.profile_yaml), one
// role per function of `device`; returns the bindings.
std::vector<Binding> minimal_profile(InitResult& result, const HostDevice& first, const std::vector<const HostDevice*>& device,
                                     const PciAddress& bdf, PciNames& names) {
    std::vector<Binding> best;
    result.profile = "host-" + hex_digits(first.id.vendor, 4) + "-" + hex_digits(first.id.device, 4);
    YAML::Emitter p;
    p << YAML::BeginMap << YAML::Key << "name" << YAML::Value << result.profile;
    // pci.ids names hold ": " (AMD's 1022:13ed), " #" and quotes: the emitter quotes them as needed.
    p << YAML::Key << "description" << YAML::Value
      << names.vendor(first.id.vendor) + " " + names.device(first.id.vendor, first.id.device) + " [" + first.id.str() + "]";
    p << YAML::Key << "functions" << YAML::Value << YAML::BeginSeq;
    std::vector<std::string> roles;
    for (const HostDevice* d : device) {
        std::string role = role_for(*d, bdf);
        int n = 1;
        std::string unique = role;
        while (std::find(roles.begin(), roles.end(), unique) != roles.end()) unique = role + std::to_string(++n);
        roles.push_back(unique);
        p << YAML::BeginMap << YAML::Key << "role" << YAML::Value << unique << YAML::Key << "id" << YAML::Value
          << YAML::DoubleQuoted << d->id.str() << YAML::Key << "function" << YAML::Value << *d->address.function
          << YAML::EndMap;
        best.push_back({unique, d->address});
    }
    p << YAML::EndSeq << YAML::EndMap;
    result.profile_yaml = schema_modeline("profile") + "# Written by vfiogen init --from-host " + bdf.str() +
                          ": a minimal profile for this device.\n" + emitted(p);
    return best;
}

// The VM file passing `bindings` of `result.profile`, with a header naming each function.
std::string vm_file_yaml(const InitResult& result, const std::vector<Binding>& best, bool legacy_igd, bool display,
                         const PciAddress& bdf, const Host& host, PciNames& names) {
    std::string header = schema_modeline("vm") + "# Written by vfiogen init --from-host " + bdf.str() +
                         ". Check name, memory, disks and ostype.\n";
    for (const auto& b : best)
        if (const HostDevice* d = host.find(b.host))
            header += "#   " + d->address.str() + " " + escape_control(describe_device(*d, names)) + "\n";
    YAML::Emitter vm;
    vm << YAML::BeginMap;
    vm << YAML::Key << "name" << YAML::Value << result.profile << YAML::Key << "vmid" << YAML::Value << 100;
    vm << YAML::Key << "ostype" << YAML::Value << "win10" << YAML::Key << "memory_mib" << YAML::Value << 8192;
    vm << YAML::Key << "cpu" << YAML::Value << YAML::BeginMap << YAML::Key << "model" << YAML::Value << "host" << YAML::Key
       << "cores" << YAML::Value << 4 << YAML::EndMap;
    vm << YAML::Key << "machine" << YAML::Value << YAML::BeginMap << YAML::Key << "type" << YAML::Value
       << (legacy_igd ? "i440fx" : "q35") << YAML::EndMap;
    vm << YAML::Key << "firmware" << YAML::Value << YAML::BeginMap << YAML::Key << "type" << YAML::Value << "ovmf"
       << YAML::EndMap;
    vm << YAML::Key << "display" << YAML::Value << (legacy_igd || display ? "none" : "std");
    vm << YAML::Key << "disks" << YAML::Value << YAML::BeginSeq << YAML::BeginMap << YAML::Key << "bus" << YAML::Value
       << "sata" << YAML::Key << "size_gib" << YAML::Value << 64 << YAML::EndMap << YAML::EndSeq;
    vm << YAML::Key << "nics" << YAML::Value << YAML::BeginSeq << YAML::BeginMap << YAML::Key << "model" << YAML::Value
       << "virtio" << YAML::EndMap << YAML::EndSeq;
    vm << YAML::Key << "passthrough" << YAML::Value << YAML::BeginSeq << YAML::BeginMap << YAML::Key << "profile"
       << YAML::Value << result.profile << YAML::Key << "functions" << YAML::Value << YAML::BeginSeq;
    for (const auto& b : best)
        vm << YAML::BeginMap << YAML::Key << "role" << YAML::Value << b.role << YAML::Key << "host" << YAML::Value
           << YAML::DoubleQuoted << b.host.str() << YAML::EndMap;
    vm << YAML::EndSeq << YAML::EndMap << YAML::EndSeq << YAML::EndMap;
    return header + emitted(vm);
}

}  // namespace

InitResult init_from_host(const Host& host, const PciAddress& bdf_in, ProfileLibrary& profiles, PciNames& names) {
    PciAddress bdf = bdf_in;
    if (!bdf.function) bdf.function = 0;
    const HostDevice* first = host.find(bdf);
    Mark mark{"--from-host", 0, 0};
    if (!first)
        throw InputError(mark, "no PCI function " + bdf.str() + " on this host (" + host.root.sysfs +
                                   "/bus/pci/devices); `vfiogen host scan` lists the GPUs");
    if (first->is_bridge()) throw InputError(mark, bdf.str() + " is a PCI bridge; give the GPU's address");
    std::vector<const HostDevice*> device;  // the device's functions, in function order
    for (const auto& d : host.devices)
        if (d.address.same_device(bdf) && !d.is_bridge()) device.push_back(&d);

    InitResult result;
    std::vector<Binding> best = best_profile(result, *first, device, host, profiles);
    if (best.empty()) best = minimal_profile(result, *first, device, bdf, names);

    bool legacy_igd = false, display = false;
    if (!result.profile_yaml) {
        const Profile& p = profiles.load(result.profile, Mark{result.profile, 0, 0});
        for (const auto& f : p.functions) legacy_igd |= f.legacy_igd;
    }
    for (const auto& b : best)
        if (const HostDevice* d = host.find(b.host)) display |= d->class16() == kClassVga;

    result.vm_yaml = vm_file_yaml(result, best, legacy_igd, display, bdf, host, names);
    return result;
}

void refuse_to_replace_vm_file(const std::string& output, bool replace) {
    if (output != "-" && !replace && is_regular_file(output))
        throw OutputError(output + ": exists (and may hold your edits); add --force to replace it");
}

std::vector<std::string> write_init(const InitResult& result, const std::string& output, bool replace,
                                    const std::string& from, const ProfileLibrary& profiles) {
    std::vector<std::string> notes;
    refuse_to_replace_vm_file(output, replace);
    if (result.profile_yaml) {
        if (output == "-")
            throw InputError(Mark{"--from-host", 0, 0},
                             "no hardware profile matches " + from + " (searched " + join(profiles.search_dirs(), ", ") +
                                 "); give -o VM.yaml and vfiogen also writes profiles/" + result.profile +
                                 ".yaml beside it, or write a profile (see 'vfiogen keys')");
        std::filesystem::path dir = std::filesystem::path(output).parent_path() / "profiles";
        std::filesystem::path file = dir / (result.profile + ".yaml");
        std::error_code ec;
        if (std::filesystem::exists(file, ec))
            throw OutputError(file.string() + ": exists but does not match " + from + "; remove or rename it");
        std::filesystem::create_directories(dir, ec);
        if (ec) throw OutputError(dir.string() + ": cannot create directory: " + ec.message());
        write_output(file.string(), *result.profile_yaml);
        notes.push_back("vfiogen: wrote the new profile " + file.string());
    }
    OutputOptions options;
    options.replace = replace;
    options.inputs = profiles.files();
    write_output(output, result.vm_yaml, options);
    return notes;
}

}  // namespace vfiogen
