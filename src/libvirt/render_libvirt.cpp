#include "libvirt/render_libvirt.h"

#include <cstdio>
#include <map>

#include "base/strict_xml.h"
#include "base/strings.h"

namespace vfiogen {
namespace {

using kainjow::mustache::data;
using kainjow::mustache::list;
using kainjow::mustache::object;

// libvirt's PCI address attribute form, "0x01".

object pci_address(unsigned domain, unsigned bus, unsigned slot, unsigned function) {
    return object{{"domain", hex(domain, 4)}, {"bus", hex(bus, 2)}, {"slot", hex(slot, 2)}, {"function", hex(function, 1)}};
}

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::string machine_value(const Vm& vm) {
    bool q35 = vm.machine_type == MachineType::Q35;
    if (vm.machine_version.empty()) return q35 ? "q35" : "pc";
    return (q35 ? "pc-q35-" : "pc-i440fx-") + vm.machine_version;
}

// Guest placement of passthrough functions: groups by host device, then one slot per group.
struct Placement {
    list hostdevs;
    list root_ports;
    list overrides;
};

Placement place_hostdevs(const Vm& vm) {
    Placement p;
    unsigned next_slot = 0x10, next_port = 1;
    for (const auto& dev : vm.passthrough) {
        // Group this entry's functions by host device, keeping order.
        std::vector<std::vector<const PassedFunction*>> groups;
        for (const auto& f : dev.functions) {
            auto it = std::find_if(groups.begin(), groups.end(),
                                   [&](const auto& g) { return g.front()->host.same_device(f.host); });
            if (it == groups.end()) groups.push_back({&f});
            else it->push_back(&f);
        }
        for (auto& group : groups) {
            std::sort(group.begin(), group.end(),
                      [](const PassedFunction* a, const PassedFunction* b) { return *a->host.function < *b->host.function; });
            bool keeps_numbers = *group.front()->host.function == 0;
            unsigned bus = 0, slot = 0;
            if (group.front()->legacy_igd) {
                slot = 0x02;
            } else if (dev.pcie) {
                bus = next_port;
                p.root_ports.push_back(object{{"index", std::to_string(next_port++)}});
            } else {
                if (next_slot > 0x1f)
                    throw InputError(dev.mark, "no free guest PCI slot on bus 0 (0x10-0x1f are used); use q35 with pcie");
                slot = next_slot++;
            }
            for (size_t i = 0; i < group.size(); ++i) {
                const PassedFunction& f = *group[i];
                unsigned guest_function = keeps_numbers ? *f.host.function : static_cast<unsigned>(i);
                object guest = pci_address(0, bus, slot, guest_function);
                if (guest_function == 0 && group.size() > 1) guest["multifunction"] = std::string("on");
                object hostdev{{"alias", f.alias}, {"address", guest}};
                // display='off': QEMU's vGPU display needs OpenGL (hw/vfio/display.c, "opengl not
                // available") and libvirt a <graphics> for display='on' (qemu_validate.c); the
                // emulated display stays the console.
                if (f.mdev)
                    hostdev["mdev"] = object{{"uuid", mdev_uuid(vm, f)}};
                else
                    hostdev["pci"] = object{{"source", pci_address(f.host.domain, f.host.bus, f.host.device, *f.host.function)}};
                if (f.romfile || !f.rombar) {
                    object rom{{"bar", std::string(f.rombar ? "on" : "off")}};
                    if (f.romfile) rom["file"] = vm.rom_dir + (vm.rom_dir.back() == '/' ? "" : "/") + *f.romfile;
                    hostdev["rom"] = rom;
                }
                p.hostdevs.push_back(hostdev);

                list props;
                if (f.x_vga) props.push_back(object{{"name", "x-vga"}, {"type", "bool"}, {"value", "true"}});
                if (f.igd_opregion) props.push_back(object{{"name", "x-igd-opregion"}, {"type", "bool"}, {"value", "true"}});
                if (f.igd_gms)
                    props.push_back(object{{"name", "x-igd-gms"}, {"type", "unsigned"}, {"value", std::to_string(*f.igd_gms)}});
                if (!props.empty()) p.overrides.push_back(object{{"alias", f.alias}, {"properties", props}});
            }
        }
    }
    return p;
}

const char* disk_prefix(const std::string& bus) {
    if (bus == "virtio") return "vd";
    if (bus == "ide") return "hd";
    return "sd";  // sata and scsi
}

std::string disk_dev(const std::string& bus, size_t n) {
    std::string name = disk_prefix(bus);
    std::string suffix;
    do {
        suffix.insert(suffix.begin(), static_cast<char>('a' + n % 26));
        n = n / 26;
    } while (n-- > 0);
    return name + suffix;
}

// Looking Glass B7 (gnif/LookingGlass doc/install_libvirt.rst, ivshmem_shm.rst): the IVSHMEM
// device, SPICE for keyboard, mouse and clipboard (virtio mouse and keyboard, no tablet, the
// spicevmc agent channel) and no memory balloon, which "causes major performance issues" with VFIO.
void set_looking_glass(data& view, const LookingGlass& lg) {
    if (!lg.kvmfr)
        view.set("shmem", object{{"name", "looking-glass"}, {"size_mib", std::to_string(lg.size_mib)}});
    view.set("graphics", std::string("spice"));
    view.set("spice_channel", true);
    view.set("inputs", list{object{{"type", "mouse"}, {"bus", "virtio"}},
                            object{{"type", "keyboard"}, {"bus", "virtio"}}});
    view.set("memballoon", std::string("none"));
}

// The kvmfr device as Looking Glass B7's doc/ivshmem_kvmfr.rst gives it for QEMU >= 6.2 and
// libvirt >= 7.9 (JSON -device/-object; the size in bytes). libvirt's <shmem> cannot name a
// character device, so this is the one way.
std::vector<std::string> kvmfr_args(const LookingGlass& lg) {
    std::string bytes = std::to_string(lg.size_mib * 1024 * 1024);
    return {"-device", "{'driver':'ivshmem-plain','id':'shmem0','memdev':'looking-glass'}", "-object",
            "{'qom-type':'memory-backend-file','id':'looking-glass','mem-path':'/dev/kvmfr0','size':" +
                bytes + ",'share':true}"};
}

// <os> firmware: autoselection with <firmware><feature>, or explicit loader and NVRAM files.
void set_firmware(data& view, const Vm& vm) {
    if (vm.firmware == Firmware::Ovmf) {
        if (vm.firmware_autoselect) {
            // libvirt formatdomain.rst: <firmware><feature> since 7.2; enrolled-keys follows
            // secure-boot, so Secure Boot is on with Microsoft's keys and off with none.
            object firmware{{"secure_boot", std::string(vm.secure_boot ? "yes" : "no")}};
            if (vm.nvram) firmware["nvram"] = *vm.nvram;
            view.set("firmware_auto", firmware);
        } else {
            std::string nvram = vm.nvram.value_or("/var/lib/libvirt/qemu/nvram/" + vm.name + "_VARS.fd");
            object loader{{"path", vm.loader}, {"nvram_template", vm.nvram_template}, {"nvram", nvram}};
            if (vm.secure_boot) loader["secure"] = std::string("yes");
            view.set("loader", loader);
        }
    }
    if (vm.secure_boot) view.set("smm", true);
}

// Hyper-V enlightenments and vendor id, KVM hiding, CPU mode and clock.
void set_features(data& view, const Vm& vm) {
    if (vm.is_windows() || vm.hv_vendor_id) {
        object hyperv;
        if (vm.is_windows()) hyperv["enlightenments"] = true;
        if (vm.hv_vendor_id) hyperv["vendor_id"] = *vm.hv_vendor_id;
        view.set("hyperv", hyperv);
    }
    if (vm.kvm_hidden) view.set("kvm_hidden", true);

    if (vm.cpu_model == "host") view.set("cpu_mode", std::string(vm.accel == Accel::Tcg ? "maximum" : "host-passthrough"));
    else view.set("cpu_model", vm.cpu_model);
    view.set("clock", std::string(vm.is_windows() ? "localtime" : "utc"));
}

// Disks (boot order first) and network interfaces (after them).
void set_disks_and_nics(data& view, const Vm& vm) {
    list disks;
    std::map<std::string, size_t> per_prefix;
    bool scsi = false;
    size_t boot = 1;
    for (size_t i = 0; i < vm.disks.size(); ++i) {
        const Disk& d = vm.disks[i];
        scsi |= d.bus == "scsi";
        std::string path = d.path.value_or("/var/lib/libvirt/images/" + vm.name + "-" + std::to_string(i) + "." + d.format);
        disks.push_back(object{{"format", d.format},
                               {"path", path},
                               {"dev", disk_dev(d.bus, per_prefix[disk_prefix(d.bus)]++)},
                               {"bus", d.bus},
                               {"boot_order", std::to_string(boot++)}});
    }
    view.set("disks", disks);
    if (scsi) view.set("scsi_controller", true);

    list interfaces;
    for (const auto& n : vm.nics) {
        object nic{{"mac", lower(n.mac)}, {"model", n.model}, {"boot_order", std::to_string(boot++)}};
        if (!n.bridge.empty()) nic["bridge"] = n.bridge;
        else nic["network"] = n.network;
        interfaces.push_back(nic);
    }
    view.set("interfaces", interfaces);
}

// Emulated video, Looking Glass or VNC, and the TPM.
void set_display(data& view, const Vm& vm) {
    static const std::map<std::string, std::string> kVideo = {{"none", "none"}, {"std", "vga"}, {"virtio", "virtio"}, {"qxl", "qxl"}};
    view.set("video_model", kVideo.at(display_name(vm.display)));
    if (vm.looking_glass)
        set_looking_glass(view, *vm.looking_glass);
    else if (vm.display != Display::None)
        view.set("graphics", std::string("vnc"));
    if (vm.tpm) view.set("tpm", true);
}

// <qemu:commandline> (kvmfr, qemu_args) and <qemu:override> (x-vga and IGD properties).
void set_qemu_namespace(data& view, const Vm& vm, const Placement& placement) {
    list args;
    if (vm.looking_glass && vm.looking_glass->kvmfr)
        for (const auto& a : kvmfr_args(*vm.looking_glass)) args.push_back(object{{"value", a}});
    for (const auto& [a, mark] : vm.qemu_args) args.push_back(object{{"value", a}});
    if (!args.empty()) view.set("qemu_commandline", object{{"args", args}});
    if (!placement.overrides.empty()) view.set("qemu_override", object{{"devices", placement.overrides}});
    if (!args.empty() || !placement.overrides.empty()) view.set("qemu_namespace", true);
}

// Reads the text back as libvirt will (libxml2), so a --templates override cannot produce text
// after the root, a second root, undefined entities, repeated attributes or &#0;.
void read_back(const std::string& text, const TemplateSet& templates) {
    if (auto problem = strict_xml_error(text))
        throw InputError(Mark{templates.origin("libvirt.xml.mustache"), 0, 0},
                         "template produced XML that libvirt cannot read: " + problem->message + " at output line " +
                             std::to_string(problem->line) +
                             (problem->column > 0 ? ", column " + std::to_string(problem->column) : std::string()));
}

}  // namespace

Rendered render_libvirt(const Vm& vm, const TemplateSet& templates) {
    Rendered out;
    require_host_addresses(vm, "libvirt has no resource mappings (a PVE cluster feature); a <hostdev>");
    if (vm.name.find('/') != std::string::npos)
        throw InputError(vm.name_mark, "VM name '" + vm.name + "' is not valid for libvirt: it must not contain '/'");
    if (vm.secure_boot && vm.machine_type != MachineType::Q35)
        throw InputError(vm.secure_boot_mark,
                         "secure boot OVMF needs machine type q35 (SMM) in libvirt; Debian's secboot firmware does not run on i440fx");

    data view;
    view.set("domain_type", std::string(vm.accel == Accel::Tcg ? "qemu" : "kvm"));
    view.set("name", vm.name);
    if (!vm.description.empty()) view.set("description", vm.description);
    view.set("memory_mib", std::to_string(vm.memory_mib));
    view.set("vcpus", std::to_string(vm.cores * vm.sockets));
    view.set("cores", std::to_string(vm.cores));
    view.set("sockets", std::to_string(vm.sockets));
    view.set("machine", machine_value(vm));

    set_firmware(view, vm);
    set_features(view, vm);
    set_disks_and_nics(view, vm);
    set_display(view, vm);
    Placement placement = place_hostdevs(vm);
    view.set("root_ports", placement.root_ports);
    view.set("hostdevs", placement.hostdevs);
    set_qemu_namespace(view, vm, placement);

    out.text = templates.render("libvirt.xml.mustache", view, Escape::Xml);
    read_back(out.text, templates);
    return out;
}

}  // namespace vfiogen
