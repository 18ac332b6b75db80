#include "host/host_config.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <sstream>

#include "base/bounded_read.h"
#include "base/output_file.h"
#include "base/suggest.h"
#include "base/diagnostic.h"
#include "base/strings.h"
#include "base/text_escape.h"

namespace vfiogen {
namespace {

void add_unique(std::vector<std::string>& list, const std::string& item) {
    if (std::find(list.begin(), list.end(), item) == list.end()) list.push_back(item);
}

// Host drivers that claim a function of this vendor and kind at boot (DOMAIN.md, seeds 001-003):
// the in-kernel and the vendor driver of each GPU vendor, and the HD audio driver.
struct UsualDrivers {
    unsigned vendor;  // PCI vendor ID
    std::vector<std::string> display;
};
const std::vector<UsualDrivers>& usual_display_drivers() {
    static const std::vector<UsualDrivers> table = {
        {0x8086, {"i915"}},               // Intel (xe on Lunar Lake and later)
        {0x10de, {"nouveau", "nvidia"}},  // NVIDIA: in-kernel and proprietary
        {0x1002, {"amdgpu"}},             // AMD (radeon before GCN)
    };
    return table;
}
constexpr const char* kHdAudioDriver = "snd_hda_intel";

std::vector<std::string> usual_drivers(unsigned vendor, bool display, bool audio) {
    if (audio) return {kHdAudioDriver};
    if (!display) return {};
    for (const auto& row : usual_display_drivers())
        if (row.vendor == vendor) return row.display;
    return {};
}

}  // namespace

const char* distro_name(Distro d) {
    switch (d) {
    case Distro::Debian: return "debian";
    case Distro::Proxmox: return "proxmox";
    case Distro::Arch: return "arch";
    case Distro::Fedora: return "fedora";
    }
    return "";
}

namespace {

// The whole file; nothing when it is missing. Throws InputError naming the path for a FIFO, a
// device (a host tree from elsewhere) or a file over kMaxHostFileBytes.
std::optional<std::string> read_text(const std::string& path) {
    return read_regular_file_if_present(path, kMaxHostFileBytes);
}

std::vector<std::string> words(const std::string& line) {
    std::istringstream in(line);
    std::vector<std::string> out;
    for (std::string w; in >> w;) out.push_back(w);
    return out;
}

// /etc/kernel/cmdline with `params` added to its first line. proxmox-boot-tool reads only the
// first line since pve-kernel-helper 7.1-5 (PVE 7.1, 2021-11; changelog "read only first line of
// /etc/kernel/cmdline", zz-proxmox-boot: get_first_line); systemd's kernel-install joins every line. So the first line gets each
// parameter it lacks (whole words: "intel_iommu=off" does not hold "intel_iommu=on") and every
// later line is kept byte for byte. A parameter set there to another value is reported.
std::string add_kernel_parameters(const std::string& file, const std::vector<std::string>& params,
                                  std::vector<std::string>& warnings) {
    size_t end = file.find('\n');
    std::string first = file.substr(0, end), rest = end == std::string::npos ? "" : file.substr(end + 1);
    std::vector<std::string> have = words(first);
    for (const auto& p : params) {
        if (std::find(have.begin(), have.end(), p) != have.end()) continue;
        std::string key = p.substr(0, p.find('='));
        for (const auto& w : have)
            if (w.substr(0, w.find('=')) == key)
                warnings.push_back("/etc/kernel/cmdline already sets " + w + ": " + p + " is added after it; remove " + w +
                                   " unless both are meant");
        first += " " + p;
        have.push_back(p);
    }
    return first + "\n" + rest;
}

// A kernel command line is printable text in lines: a control character (a carriage return, ESC,
// NUL) from a host tree would be copied into the /etc/kernel/cmdline vfiogen writes. Throws
// InputError naming `path`, with the value escaped.
void refuse_control_characters(const std::string& text, const std::string& path) {
    for (unsigned char c : text)
        if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
            throw InputError(Mark{path, 0, 0}, "'" + escape_control(text.substr(0, 200)) +
                                                   "' holds a control character: this is not a kernel command line, "
                                                   "and vfiogen will not copy it into one");
}

}  // namespace

Boot default_boot(Distro distro, const Host& host) {
    if (distro == Distro::Proxmox && path_exists(host.root.file("/etc/kernel/cmdline"))) return Boot::SystemdBoot;
    return Boot::Grub;
}

std::optional<Distro> detect_distro(const HostRoot& root) {
    if (is_directory(root.file("/usr/share/pve-edk2-firmware")) || is_directory(root.file("/etc/pve")))
        return Distro::Proxmox;
    std::string ids;
    try {
        std::istringstream in(read_text(root.file("/etc/os-release")).value_or(""));
        for (std::string line; std::getline(in, line);)
            if (line.rfind("ID=", 0) == 0 || line.rfind("ID_LIKE=", 0) == 0) ids += " " + line.substr(line.find('=') + 1);
    } catch (const InputError&) {
        return std::nullopt;  // a FIFO or an oversized file: not an os-release
    }
    for (auto& c : ids)
        if (c == '"' || c == '\'') c = ' ';
    std::vector<std::string> have = words(ids);
    auto has = [&](const char* id) { return std::find(have.begin(), have.end(), id) != have.end(); };
    if (has("debian") || has("ubuntu")) return Distro::Debian;
    if (has("fedora") || has("rhel") || has("centos")) return Distro::Fedora;
    if (has("arch")) return Distro::Arch;
    return std::nullopt;
}

KernelCmdlinePlace kernel_cmdline_place(Distro distro, Boot boot) {
    if (boot == Boot::Grub) {
        switch (distro) {
        case Distro::Debian:
        case Distro::Proxmox: return {"GRUB_CMDLINE_LINUX_DEFAULT in /etc/default/grub", {"update-grub"}};
        case Distro::Arch:
            return {"GRUB_CMDLINE_LINUX_DEFAULT in /etc/default/grub", {"grub-mkconfig -o /boot/grub/grub.cfg"}};
        case Distro::Fedora:
            return {"GRUB_CMDLINE_LINUX in /etc/default/grub and the boot entries (grubby --update-kernel=ALL)",
                    {"grub2-mkconfig -o /boot/grub2/grub.cfg"}};
        }
    }
    switch (distro) {
    case Distro::Proxmox: return {"the first line of /etc/kernel/cmdline", {"proxmox-boot-tool refresh"}};
    case Distro::Debian:
    case Distro::Fedora:
        return {"the first line of /etc/kernel/cmdline",
                {"kernel-install add \"$(uname -r)\" \"/lib/modules/$(uname -r)/vmlinuz\""}};
    case Distro::Arch: break;
    }
    return {"the `options` line of each entry in /boot/loader/entries/*.conf", {}};
}

std::vector<std::string> vfio_boot_modules(const Host& host) {
    std::vector<std::string> modules = {"vfio", "vfio_iommu_type1", "vfio_pci"};
    if (!host.kernel_release.empty() && !host.kernel_at_least(6, 2)) modules.push_back("vfio_virqfd");
    return modules;
}

std::vector<FunctionToClaim> functions_to_claim(const Vm& vm, const Host& host) {
    std::vector<FunctionToClaim> functions;
    for (const auto& dev : vm.passthrough)
        for (const auto& f : dev.functions)
            if (!f.mdev && !sriov_pf_of(host, f.host)) functions.push_back({f.host, f.id, f.role});
    return functions;
}

const HostDevice* sriov_pf_of(const Host& host, const PciAddress& address, unsigned* vf_number) {
    if (const HostDevice* d = host.find(address)) {
        if (!d->physfn) return nullptr;
        const HostDevice* pf = host.find(*d->physfn);
        if (pf && vf_number) {
            auto it = std::find(pf->virtfns.begin(), pf->virtfns.end(), address);
            *vf_number = it == pf->virtfns.end() ? address.function.value_or(0) : static_cast<unsigned>(it - pf->virtfns.begin()) + 1;
        }
        return pf;
    }
    PciAddress first = address;
    first.function = 0;
    const HostDevice* pf = host.find(first);
    if (!pf || !pf->sriov_totalvfs || address.function.value_or(0) == 0) return nullptr;
    if (vf_number) *vf_number = *address.function;
    return pf;
}

bool is_gvt_g_type(const std::string& mdev_type) { return mdev_type.rfind("i915-GVTg", 0) == 0; }

std::string mdevctl_define(const Vm& vm, const PassedFunction& f) {
    return "mdevctl define --uuid " + mdev_uuid(vm, f) + " --parent " + f.host.str() + " --type " + f.mdev.value_or("") +
           " --auto";
}

std::vector<std::string> VfioClaim::directives() const {
    std::vector<std::string> out;
    if (by_address()) {
        out.push_back("install vfio-pci for d in " + join(addresses, " ") +
                      "; do echo vfio-pci > /sys/bus/pci/devices/$d/driver_override; done; "
                      "/sbin/modprobe --ignore-install vfio-pci $CMDLINE_OPTS");
        if (vga) out.push_back("options vfio-pci disable_vga=1");
    } else {
        out.push_back("options vfio-pci ids=" + join(ids, ",") + (vga ? " disable_vga=1" : ""));
    }
    for (const auto& d : drivers) out.push_back("softdep " + d + " pre: vfio-pci");
    return out;
}

VfioClaim plan_vfio_claim(const std::vector<FunctionToClaim>& functions, const Host& host) {
    VfioClaim claim;
    for (const FunctionToClaim& f : functions) {
        add_unique(claim.ids, f.id.str());
        add_unique(claim.addresses, f.address.str());
        const HostDevice* d = host.find(f.address);
        if (d && !d->driver.empty() && !is_vfio_driver(d->driver)) add_unique(claim.drivers, d->driver);
        bool display = d ? d->is_display() : (f.role == "gpu" || f.role == "igd");
        bool audio = d ? d->class16() == kClassHdAudio : f.role == "audio";
        for (const auto& drv : usual_drivers(f.id.vendor, display, audio)) add_unique(claim.drivers, drv);
        claim.vga |= d && d->class16() == kClassVga;
    }
    for (const auto& d : host.devices) {
        bool claimed = std::find(claim.addresses.begin(), claim.addresses.end(), d.address.str()) != claim.addresses.end();
        if (!claimed && std::find(claim.ids.begin(), claim.ids.end(), d.id.str()) != claim.ids.end())
            claim.kept.push_back(d.address.str());
    }
    return claim;
}

namespace {

// Renders host template `name` and makes sure the result still carries kHostConfigMarker, by
// which a later `host config -o` knows the file as its own. Throws InputError naming the template.
std::string lay_out(const TemplateSet& templates, const std::string& name, const kainjow::mustache::data& view) {
    std::string text = templates.render(name, view, Escape::None);
    if (text.find(kHostConfigMarker) == std::string::npos)
        throw InputError(Mark{templates.origin(name), 0, 0},
                         std::string("the template's output lacks the line '") + kHostConfigMarker +
                             "', by which host config -o recognizes its own files: keep it in a comment",
                         InputError::Kind::Invalid);
    return text;
}

kainjow::mustache::list list_of(const std::vector<std::string>& items) {
    kainjow::mustache::list out;
    for (const auto& i : items) out.push_back(i);
    return out;
}

kainjow::mustache::data flag(bool on) {
    return on ? kainjow::mustache::data(kainjow::mustache::data::type::bool_true)
              : kainjow::mustache::data(kainjow::mustache::data::type::bool_false);
}

// Looking Glass B7 (gnif/LookingGlass doc/ivshmem_shm.rst, ivshmem_kvmfr.rst): the client's user
// owns the shared memory file through a systemd-tmpfiles rule, or the kvmfr module is loaded at
// boot with static_size_mb and a udev rule gives /dev/kvmfr0 to that user.
void add_kvmfr(HostConfig& c, const Vm& vm, const TemplateSet& templates) {
    const LookingGlass& lg = *vm.looking_glass;
    kainjow::mustache::data view;
    view.set("vm", vm.name);
    view.set("size_mib", std::to_string(lg.size_mib));
    view.set("user", lg.user);
    view.set("group", lg.group);
    view.set("mode", lg.mode);
    c.files.push_back({"/etc/modprobe.d/kvmfr.conf", lay_out(templates, "host-kvmfr.conf.mustache", view)});
    c.files.push_back({"/etc/modules-load.d/kvmfr.conf", lay_out(templates, "host-kvmfr-modules-load.conf.mustache", view)});
    if (lg.user.empty())
        c.warnings.push_back(
            "looking_glass.user is not set: /dev/kvmfr0 stays root's, so the Looking Glass client "
            "cannot open it; set looking_glass.user to the user who runs it");
    else
        c.files.push_back({"/etc/udev/rules.d/99-kvmfr.rules", lay_out(templates, "host-kvmfr-udev.rules.mustache", view)});
    c.warnings.push_back(
        "kvmfr is not in the distribution's kernel: build it with DKMS from Looking Glass's "
        "module/ directory (`dkms install .`) before the reboot");
}

void add_looking_glass(HostConfig& c, const Vm& vm, Distro distro, const TemplateSet& templates) {
    if (!vm.looking_glass) return;
    const LookingGlass& lg = *vm.looking_glass;
    if (lg.kvmfr) return add_kvmfr(c, vm, templates);
    // qemu-server names the file pve-shm-<name> and deletes it when the VM stops (QemuServer.pm,
    // vm_stop_cleanup), so on PVE the rule has to be applied again before every start.
    std::string file =
        distro == Distro::Proxmox ? "/dev/shm/pve-shm-looking-glass" : "/dev/shm/looking-glass";
    if (lg.user.empty()) {
        c.warnings.push_back("looking_glass.user is not set: " + file +
                             " stays QEMU's, so the Looking Glass client "
                             "cannot open it; set looking_glass.user to the user who runs it");
        return;
    }
    kainjow::mustache::data view;
    view.set("vm", vm.name);
    view.set("file", file);
    view.set("user", lg.user);
    view.set("group", lg.group);
    view.set("mode", lg.mode);
    c.files.push_back({"/etc/tmpfiles.d/10-looking-glass.conf",
                       lay_out(templates, "host-looking-glass-tmpfiles.conf.mustache", view)});
    c.commands.push_back("systemd-tmpfiles --create /etc/tmpfiles.d/10-looking-glass.conf");
    if (distro == Distro::Proxmox)
        c.warnings.push_back(
            "PVE deletes " + file +
            " when the VM stops: run `systemd-tmpfiles --create "
            "/etc/tmpfiles.d/10-looking-glass.conf` before each start (a hookscript's pre-start "
            "phase can: qm set " +
            (vm.vmid ? std::to_string(*vm.vmid) : std::string("VMID")) +
            " --hookscript local:snippets/SCRIPT)");
}

// Kernel command line: the IOMMU on, passthrough mode, and the boot framebuffer released when a
// passed function is the boot VGA.
void plan_cmdline(HostConfig& c, const std::vector<FunctionToClaim>& functions, const Host& host) {
    if (host.intel()) c.cmdline.push_back("intel_iommu=on");
    c.cmdline.push_back("iommu=pt");
    bool boot_vga = false;
    for (const FunctionToClaim& f : functions)
        if (const HostDevice* d = host.find(f.address)) boot_vga |= d->boot_vga.value_or(false);
    if (boot_vga)
        c.cmdline.push_back(host.kernel_release.empty() || host.kernel_at_least(5, 15) ? "initcall_blacklist=sysfb_init"
                                                                                         : "video=efifb:off");
}

void plan_modprobe(HostConfig& c, const std::string& vms, const std::vector<FunctionToClaim>& functions,
                   const Host& host, const TemplateSet& templates) {
    VfioClaim claim = plan_vfio_claim(functions, host);
    for (const auto& kept : claim.kept) {
        const HostDevice* d = host.find(*parse_pci_address(kept, nullptr));
        c.warnings.push_back("ids=" + d->id.str() + " would also claim " + kept + " (" +
                             (d->driver.empty() ? "no driver" : d->driver) +
                             "), which the VM does not pass: vfio.conf claims the VM's functions by address "
                             "with driver_override instead");
    }
    std::vector<std::string> directives = claim.directives();
    auto softdeps = directives.end() - static_cast<std::ptrdiff_t>(claim.drivers.size());
    kainjow::mustache::data view;
    view.set("vms", vms);
    view.set("its", vms.rfind("VMs ", 0) == 0 ? "their" : "its");
    view.set("by_address", flag(claim.by_address()));
    view.set("kept", join(claim.kept, ", "));
    view.set("claim", list_of({directives.begin(), softdeps}));
    view.set("has_softdeps", flag(!claim.drivers.empty()));
    view.set("softdeps", list_of({softdeps, directives.end()}));
    c.files.push_back({"/etc/modprobe.d/vfio.conf", lay_out(templates, "host-modprobe-vfio.conf.mustache", view)});
}

void plan_modules_load(HostConfig& c, const Host& host, const TemplateSet& templates, bool gvt_g) {
    kainjow::mustache::data view;
    std::vector<std::string> modules = vfio_boot_modules(host);
    bool virqfd = modules.back() == "vfio_virqfd";
    if (virqfd) modules.pop_back();  // the template explains it
    view.set("modules", list_of(modules));
    view.set("gvt_g", flag(gvt_g));
    view.set("gvt_g_module", std::string(kGvtGModule));
    view.set("virqfd", flag(virqfd));
    view.set("kernel", host.kernel_release);
    c.files.push_back({"/etc/modules-load.d/vfio.conf", lay_out(templates, "host-modules-load-vfio.conf.mustache", view)});
}

// Boot loader: where the kernel command line additions go and what applies them.
void plan_boot_loader(HostConfig& c, const Host& host, Distro distro, Boot boot, const TemplateSet& templates) {
    std::string params = join(c.cmdline, " ");
    KernelCmdlinePlace place = kernel_cmdline_place(distro, boot);
    if (boot == Boot::Grub && (distro == Distro::Debian || distro == Distro::Proxmox)) {
        kainjow::mustache::data view;
        view.set("params", params);
        c.files.push_back({"/etc/default/grub.d/vfio.cfg", lay_out(templates, "host-grub-vfio.cfg.mustache", view)});
        c.cmdline_how = "/etc/default/grub.d/vfio.cfg appends them to GRUB_CMDLINE_LINUX_DEFAULT; update-grub applies it.";
    } else if (boot == Boot::SystemdBoot && distro != Distro::Arch) {
        // /etc/kernel/cmdline holds the whole command line (root= included) on its first line.
        if (auto current = read_text(host.root.file("/etc/kernel/cmdline"))) {
            refuse_control_characters(*current, host.root.file("/etc/kernel/cmdline"));
            c.files.push_back({"/etc/kernel/cmdline", add_kernel_parameters(*current, c.cmdline, c.warnings)});
            c.cmdline_how = "/etc/kernel/cmdline is the current one with them appended to its first line.";
        } else {
            c.cmdline_how = "Append them to " + place.where + ".";
        }
    } else {
        c.cmdline_how = "Add them to " + place.where + ".";
        if (distro == Distro::Fedora) c.commands.push_back("grubby --update-kernel=ALL --args=\"" + params + "\"");
    }
    c.commands.insert(c.commands.end(), place.apply.begin(), place.apply.end());
}

// Initramfs: vfio-pci must be in it to win against drivers loaded from the initramfs.
void plan_initramfs(HostConfig& c, Distro distro, const TemplateSet& templates) {
    kainjow::mustache::data view;
    switch (distro) {
    case Distro::Debian:
    case Distro::Proxmox: c.commands.push_back("update-initramfs -u -k all"); break;
    case Distro::Arch:
        view.set("modules", "vfio_pci vfio vfio_iommu_type1");
        c.files.push_back({"/etc/mkinitcpio.conf.d/vfio.conf", lay_out(templates, "host-mkinitcpio-vfio.conf.mustache", view)});
        c.commands.push_back("mkinitcpio -P");
        break;
    case Distro::Fedora:
        view.set("modules", "vfio_pci vfio vfio_iommu_type1");
        c.files.push_back({"/etc/dracut.conf.d/vfio.conf", lay_out(templates, "host-dracut-vfio.conf.mustache", view)});
        c.commands.push_back("dracut -f --regenerate-all");
        break;
    }
}


// Mediated devices: GVT-g's kernel parameter, and off PVE (which creates its own instances at VM
// start) the mdevctl definitions libvirt's hostdevs need, returned: they run after the files are
// in place, before the reboot.
std::vector<std::string> plan_mdevs(HostConfig& c, const std::vector<Vm>& vms, Distro distro) {
    std::vector<std::string> commands;
    for (const auto& vm : vms)
        for (const auto& dev : vm.passthrough)
            for (const auto& f : dev.functions) {
                if (!f.mdev) continue;
                if (is_gvt_g_type(*f.mdev)) add_unique(c.cmdline, kGvtGParameter);
                if (distro == Distro::Proxmox) continue;
                add_unique(commands, mdevctl_define(vm, f));
                add_unique(c.warnings, "mdevctl define needs mdevctl (the package of that name on Debian, Fedora and Arch); "
                                       "the instance starts at the next boot, or now with `mdevctl start --uuid " +
                                           mdev_uuid(vm, f) + "`");
            }
    return commands;
}

// SR-IOV VFs: the count each PF must enable, in a udev rule of vfiogen's own (a shared
// /etc/sysfs.conf is left alone); an Intel iGPU without VFs yet needs i915-sriov-dkms.
void plan_sriov(HostConfig& c, const std::vector<Vm>& vms, const Host& host, const TemplateSet& templates) {
    std::map<std::string, std::pair<const HostDevice*, unsigned>> pfs;  // by PF address: the PF, the VFs to enable
    for (const auto& vm : vms)
        for (const auto& dev : vm.passthrough)
            for (const auto& f : dev.functions) {
                unsigned number = 0;
                const HostDevice* pf = f.mdev ? nullptr : sriov_pf_of(host, f.host, &number);
                if (!pf) continue;
                if (pf->sriov_totalvfs && number > *pf->sriov_totalvfs)
                    throw InputError(f.mark, f.host.str() + " would be VF " + std::to_string(number) + " of " + pf->address.str() +
                                                 ", which offers at most " + std::to_string(*pf->sriov_totalvfs) +
                                                 " VFs (sriov_totalvfs)");
                auto& wanted = pfs[pf->address.str()];
                wanted = {pf, std::max(wanted.second, number)};
            }
    if (pfs.empty()) return;
    kainjow::mustache::list rules;
    for (const auto& [address, wanted] : pfs) {
        const HostDevice& pf = *wanted.first;
        unsigned count = std::max(wanted.second, pf.sriov_numvfs.value_or(0));
        kainjow::mustache::data rule;
        rule.set("address", address);
        if (!pf.driver.empty() && !is_vfio_driver(pf.driver)) rule.set("driver", pf.driver);
        rule.set("count", std::to_string(count));
        rules.push_back(rule);
        // sriov_totalvfs comes from the PCI capability, whatever the driver; stock i915 cannot
        // enable VFs, so with none enabled the iGPU gets i915-sriov-dkms's set-up.
        if (pf.id.vendor == 0x8086 && pf.is_display() && pf.sriov_numvfs.value_or(0) == 0) {
            for (const char* p : kI915SriovParameters) add_unique(c.cmdline, p);
            c.warnings.push_back(address + " has no SR-IOV VFs enabled: an Intel iGPU (12th gen and later) needs the "
                                           "i915-sriov-dkms module (github.com/strongtz/i915-sriov-dkms) installed before "
                                           "the reboot, in the host and in Linux guests");
        }
    }
    kainjow::mustache::data view;
    view.set("vms", vms_label(vms));
    view.set("pfs", rules);
    c.files.push_back({"/etc/udev/rules.d/70-vfiogen-sriov.rules", lay_out(templates, "host-sriov-udev.rules.mustache", view)});
}

// Adds `file` unless one with the same lines after its comment header (which names the VM) is
// planned already; a different one at the same path (two VMs asking for different Looking Glass
// set-ups) is an InputError at `vm`'s file.
void add_file_once(HostConfig& c, ConfigFile file, const Vm& vm) {
    auto body = [](const std::string& text) { return text.substr(std::min(text.size(), text.find('\n') + 1)); };
    for (const auto& planned : c.files) {
        if (planned.path != file.path) continue;
        if (body(planned.text) == body(file.text)) return;
        throw InputError(Mark{vm.file, 0, 0}, "VM '" + vm.name + "' needs another " + file.path +
                                                  " than a VM before it on the command line: run host config for one of them");
    }
    c.files.push_back(std::move(file));
}

}  // namespace

std::string vms_label(const std::vector<Vm>& vms) {
    std::vector<std::string> quoted;
    for (const auto& vm : vms) quoted.push_back("'" + vm.name + "'");
    return (vms.size() == 1 ? "VM " : "VMs ") + join(quoted, ", ");
}

std::vector<std::string> vms_claimed_in(const std::string& vfio_conf) {
    std::string first = vfio_conf.substr(0, vfio_conf.find('\n'));
    std::string lead = std::string("# ") + kHostConfigMarker + " for VM";
    if (first.rfind(lead, 0) != 0) return {};
    std::vector<std::string> names;
    for (size_t open = first.find('\'', lead.size()); open != std::string::npos; open = first.find('\'', open + 1)) {
        size_t close = first.find('\'', open + 1);
        if (close == std::string::npos) break;
        names.push_back(first.substr(open + 1, close - open - 1));
        open = close;
        if (first.compare(close + 1, 2, ", ") != 0) break;  // the list ends at the first other text
    }
    return names;
}

HostConfig host_config(const std::vector<Vm>& vms, const Host& host, Distro distro, Boot boot,
                       const TemplateSet& templates) {
    std::vector<FunctionToClaim> functions;
    for (const auto& vm : vms) {
        require_host_addresses(vm, "host config");
        for (const auto& f : functions_to_claim(vm, host)) functions.push_back(f);
    }
    HostConfig c;
    plan_cmdline(c, functions, host);
    plan_sriov(c, vms, host, templates);
    std::vector<std::string> mdev_commands = plan_mdevs(c, vms, distro);
    if (!functions.empty()) plan_modprobe(c, vms_label(vms), functions, host, templates);
    plan_modules_load(c, host, templates,
                      std::find(c.cmdline.begin(), c.cmdline.end(), kGvtGParameter) != c.cmdline.end());
    plan_boot_loader(c, host, distro, boot, templates);
    plan_initramfs(c, distro, templates);
    for (const auto& vm : vms) {
        HostConfig lg;
        add_looking_glass(lg, vm, distro, templates);
        for (auto& f : lg.files) add_file_once(c, std::move(f), vm);
        for (const auto& line : lg.commands) add_unique(c.commands, line);
        for (const auto& line : lg.warnings) add_unique(c.warnings, line);
    }
    c.commands.insert(c.commands.end(), mdev_commands.begin(), mdev_commands.end());
    c.commands.push_back("reboot");
    return c;
}

HostConfig host_config(const Vm& vm, const Host& host, Distro distro, Boot boot, const TemplateSet& templates) {
    return host_config(std::vector<Vm>{vm}, host, distro, boot, templates);
}

std::string format_host_config(const HostConfig& config, const std::vector<Vm>& vms, Distro distro, Boot boot) {
    std::vector<std::string> names;
    for (const auto& vm : vms) names.push_back("'" + vm.name + "' (" + vm.file + ")");
    std::ostringstream out;
    out << "# vfiogen host config for " << (vms.size() == 1 ? "VM " : "VMs ") << join(names, ", ") << ": "
        << distro_name(distro) << ", " << (boot == Boot::Grub ? "grub" : "systemd-boot") << "\n\n";
    out << "## Kernel command line: add\n" << join(config.cmdline, " ") << "\n" << config.cmdline_how << "\n";
    for (const auto& f : config.files) out << "\n## " << f.path << "\n" << f.text;
    out << "\n## Then run as root\n";
    for (const auto& c : config.commands) out << c << "\n";
    return out.str();
}

std::pair<Distro, Boot> choose_distro_and_boot(const std::string& name, const std::string& boot, const Host& host) {
    std::optional<Distro> distro;
    if (!name.empty()) {
        std::vector<std::string> distros;  // in Distro's order, as distro_name spells them
        for (Distro d : {Distro::Debian, Distro::Proxmox, Distro::Arch, Distro::Fedora}) distros.push_back(distro_name(d));
        auto d = std::find(distros.begin(), distros.end(), name);
        if (d == distros.end())
            throw UsageError("unknown distro '" + name + "': use debian, proxmox, arch or fedora" + did_you_mean(name, distros));
        distro = static_cast<Distro>(d - distros.begin());
    } else {
        distro = detect_distro(host.root);
    }
    if (!distro)
        throw UsageError("cannot tell the host's distribution from " + host.root.file("/etc/os-release") +
                         ": give --distro debian, proxmox, arch or fedora");
    if (boot.empty()) return {*distro, default_boot(*distro, host)};
    if (boot == "grub") return {*distro, Boot::Grub};
    if (boot == "systemd-boot") return {*distro, Boot::SystemdBoot};
    throw UsageError("unknown boot loader '" + boot + "': use grub or systemd-boot" + did_you_mean(boot, {"grub", "systemd-boot"}));
}

namespace {

// A vfio.conf under DIR that host config wrote for VMs this run does not name would lose their
// claims when replaced.
void keep_other_vms_claims(const std::string& dir, const std::vector<Vm>& vms, bool force) {
    std::string path = dir + "/etc/modprobe.d/vfio.conf";
    std::optional<std::string> existing = read_regular_file_if_present(path, kMaxInputBytes);
    if (!existing || force) return;
    std::vector<std::string> others;
    for (const auto& name : vms_claimed_in(*existing))
        if (std::none_of(vms.begin(), vms.end(), [&](const Vm& vm) { return vm.name == name; }))
            others.push_back("'" + name + "'");
    if (others.empty()) return;
    throw UsageError(path + " claims functions for VM " + join(others, ", ") +
                     ", which this run does not name; replacing it would hand them back to the host at the next boot: "
                     "give every VM file together (vfiogen host config A.yaml B.yaml ...), or add --force");
}

}  // namespace

std::string write_host_config(const HostConfig& config, const std::vector<Vm>& vms, const std::string& dir, bool force) {
    keep_other_vms_claims(dir, vms, force);
    std::vector<TreeFile> files;
    for (const auto& f : config.files) files.push_back({f.path.substr(1), f.text});
    std::ostringstream out;
    // Everything is staged before anything is replaced; a file vfiogen did not write is kept.
    for (const auto& w : StagedTree(dir, files, kHostConfigMarker).commit()) {
        if (w.change == TreeWrite::Change::Unchanged) out << "unchanged " << w.path << "\n";
        else out << (w.change == TreeWrite::Change::Created ? "wrote " : "replaced ") << w.path << "\n";
        if (!w.backup.empty()) out << "  (it was not written by vfiogen: the previous file is kept as " << w.backup << ")\n";
    }
    out << "\nKernel command line: add " << join(config.cmdline, " ") << "\n" << config.cmdline_how << "\n\nThen run as root:\n";
    for (const auto& c : config.commands) out << "  " << c << "\n";
    return out.str();
}

}  // namespace vfiogen
