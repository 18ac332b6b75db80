#include "host/host_config.h"

#include <algorithm>
#include <sstream>
#include <sys/stat.h>

#include "base/bounded_read.h"
#include "base/diagnostic.h"
#include "base/text_escape.h"

namespace vfiogen {
namespace {

void add_unique(std::vector<std::string>& list, const std::string& item) {
    if (std::find(list.begin(), list.end(), item) == list.end()) list.push_back(item);
}

std::string join(const std::vector<std::string>& items, const std::string& sep) {
    std::string out;
    for (const auto& i : items) out += (out.empty() ? "" : sep) + i;
    return out;
}

// Host drivers that claim a function like this one at boot (DOMAIN.md, seeds 001-003).
std::vector<std::string> usual_drivers(unsigned vendor, bool display, bool audio) {
    if (audio) return {"snd_hda_intel"};
    if (!display) return {};
    if (vendor == 0x8086) return {"i915"};
    if (vendor == 0x10de) return {"nouveau", "nvidia"};
    if (vendor == 0x1002) return {"amdgpu"};
    return {};
}

std::string distro_name(Distro d) {
    switch (d) {
    case Distro::Debian: return "debian";
    case Distro::Proxmox: return "proxmox";
    case Distro::Arch: return "arch";
    case Distro::Fedora: return "fedora";
    }
    return "";
}

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
    struct stat st {};
    if (distro == Distro::Proxmox && stat(host.root.file("/etc/kernel/cmdline").c_str(), &st) == 0) return Boot::SystemdBoot;
    return Boot::Grub;
}

// Looking Glass B7 (gnif/LookingGlass doc/ivshmem_shm.rst, ivshmem_kvmfr.rst): the client's user
// owns the shared memory file through a systemd-tmpfiles rule, or the kvmfr module is loaded at
// boot with static_size_mb and a udev rule gives /dev/kvmfr0 to that user.
void add_looking_glass(HostConfig& c, const Vm& vm, Distro distro) {
    if (!vm.looking_glass) return;
    const LookingGlass& lg = *vm.looking_glass;
    std::string size = std::to_string(lg.size_mib);
    if (lg.kvmfr) {
        c.files.push_back({"/etc/modprobe.d/kvmfr.conf",
                           "# Written by vfiogen host config for VM '" + vm.name + "': one kvmfr device of " +
                               size + " MiB for Looking Glass.\noptions kvmfr static_size_mb=" + size +
                               "\n"});
        c.files.push_back({"/etc/modules-load.d/kvmfr.conf",
                           "# Written by vfiogen host config: the Looking Glass kvmfr module.\nkvmfr\n"});
        if (lg.user.empty())
            c.warnings.push_back(
                "looking_glass.user is not set: /dev/kvmfr0 stays root's, so the Looking Glass client "
                "cannot open it; set looking_glass.user to the user who runs it");
        else
            c.files.push_back({"/etc/udev/rules.d/99-kvmfr.rules",
                               "# Written by vfiogen host config: /dev/kvmfr0 for the Looking Glass client.\n"
                               "SUBSYSTEM==\"kvmfr\", OWNER=\"" +
                                   lg.user + "\", GROUP=\"" + lg.group + "\", MODE=\"" + lg.mode + "\"\n"});
        c.warnings.push_back(
            "kvmfr is not in the distribution's kernel: build it with DKMS from Looking Glass's "
            "module/ directory (`dkms install .`) before the reboot");
        return;
    }
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
    c.files.push_back({"/etc/tmpfiles.d/10-looking-glass.conf",
                       "# Written by vfiogen host config for VM '" + vm.name +
                           "': the Looking Glass shared memory file.\n# Type Path Mode User Group Age\nf " +
                           file + " " + lg.mode + " " + lg.user + " " + lg.group + " -\n"});
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

// The functions `vm` passes, in VM file order.
std::vector<const PassedFunction*> passed_functions(const Vm& vm) {
    std::vector<const PassedFunction*> functions;
    for (const auto& dev : vm.passthrough)
        for (const auto& f : dev.functions) functions.push_back(&f);
    return functions;
}

// Whether one of `functions` is a VGA controller (class 0x0300) on the host.
bool passes_vga(const std::vector<const PassedFunction*>& functions, const Host& host) {
    for (const PassedFunction* f : functions)
        if (const HostDevice* d = host.find(f->host); d && d->class16() == kClassVga) return true;
    return false;
}

// Kernel command line: the IOMMU on, passthrough mode, and the boot framebuffer released when a
// passed function is the boot VGA.
void plan_cmdline(HostConfig& c, const std::vector<const PassedFunction*>& functions, const Host& host) {
    if (host.intel()) c.cmdline.push_back("intel_iommu=on");
    c.cmdline.push_back("iommu=pt");
    bool boot_vga = false;
    for (const PassedFunction* f : functions)
        if (const HostDevice* d = host.find(f->host)) boot_vga |= d->boot_vga.value_or(false);
    if (boot_vga)
        c.cmdline.push_back(host.kernel_release.empty() || host.kernel_at_least(5, 15) ? "initcall_blacklist=sysfb_init"
                                                                                         : "video=efifb:off");
}

void plan_modprobe(HostConfig& c, const Vm& vm, const std::vector<const PassedFunction*>& functions, const Host& host) {
    bool vga = passes_vga(functions, host);
    // modprobe.d: ids= unless a device with one of those IDs stays with the host.
    std::vector<std::string> ids, drivers, kept;
    for (const PassedFunction* f : functions) {
        add_unique(ids, f->id.str());
        const HostDevice* d = host.find(f->host);
        if (d && !d->driver.empty() && !is_vfio_driver(d->driver)) add_unique(drivers, d->driver);
        bool display = d ? d->is_display() : (f->role == "gpu" || f->role == "igd");
        bool audio = d ? d->class16() == kClassHdAudio : f->role == "audio";
        for (const auto& drv : usual_drivers(f->id.vendor, display, audio)) add_unique(drivers, drv);
    }
    for (const auto& d : host.devices) {
        bool passed = std::any_of(functions.begin(), functions.end(), [&](const PassedFunction* f) { return f->host == d.address; });
        if (!passed && std::find(ids.begin(), ids.end(), d.id.str()) != ids.end()) {
            kept.push_back(d.address.str());
            c.warnings.push_back("ids=" + d.id.str() + " would also claim " + d.address.str() + " (" +
                                 (d.driver.empty() ? "no driver" : d.driver) +
                                 "), which the VM does not pass: vfio.conf claims the VM's functions by address "
                                 "with driver_override instead");
        }
    }
    std::ostringstream modprobe;
    modprobe << "# Written by vfiogen host config for VM '" << vm.name << "': claim its functions for vfio-pci at boot.\n";
    if (kept.empty()) {
        modprobe << "options vfio-pci ids=" << join(ids, ",") << (vga ? " disable_vga=1" : "") << "\n";
    } else {
        std::vector<std::string> addresses;
        for (const PassedFunction* f : functions) addresses.push_back(f->host.str());
        modprobe << "# ids= would also claim " << join(kept, ", ") << ", which the host keeps: set driver_override\n"
                 << "# for the VM's functions only, when vfio-pci is loaded.\n"
                 << "install vfio-pci for d in " << join(addresses, " ")
                 << "; do echo vfio-pci > /sys/bus/pci/devices/$d/driver_override; done; "
                    "/sbin/modprobe --ignore-install vfio-pci $CMDLINE_OPTS\n";
        if (vga) modprobe << "options vfio-pci disable_vga=1\n";
    }
    modprobe << "# Load vfio-pci before the host drivers these functions would otherwise get.\n";
    for (const auto& d : drivers) modprobe << "softdep " << d << " pre: vfio-pci\n";
    c.files.push_back({"/etc/modprobe.d/vfio.conf", modprobe.str()});

}

void plan_modules_load(HostConfig& c, const Host& host) {
    std::string modules = "# Written by vfiogen host config: load VFIO at boot.\nvfio\nvfio_iommu_type1\nvfio_pci\n";
    if (!host.kernel_release.empty() && !host.kernel_at_least(6, 2))
        modules += "# Kernel " + host.kernel_release + ": vfio_virqfd is separate before 6.2.\nvfio_virqfd\n";
    c.files.push_back({"/etc/modules-load.d/vfio.conf", modules});

}

// Boot loader: where the kernel command line additions go and what applies them.
void plan_boot_loader(HostConfig& c, const Host& host, Distro distro, Boot boot) {
    std::string params = join(c.cmdline, " ");
    // Boot loader.
    if (boot == Boot::Grub) {
        if (distro == Distro::Debian || distro == Distro::Proxmox) {
            c.files.push_back({"/etc/default/grub.d/vfio.cfg",
                               "# Written by vfiogen host config: read by update-grub after /etc/default/grub.\n"
                               "GRUB_CMDLINE_LINUX_DEFAULT=\"$GRUB_CMDLINE_LINUX_DEFAULT " + params + "\"\n"});
            c.cmdline_how = "/etc/default/grub.d/vfio.cfg appends them to GRUB_CMDLINE_LINUX_DEFAULT; update-grub applies it.";
            c.commands.push_back("update-grub");
        } else if (distro == Distro::Arch) {
            c.cmdline_how = "Add them to GRUB_CMDLINE_LINUX_DEFAULT in /etc/default/grub, then regenerate grub.cfg.";
            c.commands.push_back("grub-mkconfig -o /boot/grub/grub.cfg");
        } else {
            c.cmdline_how = "Add them to GRUB_CMDLINE_LINUX in /etc/default/grub and to the boot entries (grubby).";
            c.commands.push_back("grubby --update-kernel=ALL --args=\"" + params + "\"");
            c.commands.push_back("grub2-mkconfig -o /boot/grub2/grub.cfg");
        }
    } else if (distro == Distro::Proxmox || distro == Distro::Debian || distro == Distro::Fedora) {
        // /etc/kernel/cmdline holds the whole command line (root= included) on its first line.
        if (auto current = read_text(host.root.file("/etc/kernel/cmdline"))) {
            refuse_control_characters(*current, host.root.file("/etc/kernel/cmdline"));
            c.files.push_back({"/etc/kernel/cmdline", add_kernel_parameters(*current, c.cmdline, c.warnings)});
            c.cmdline_how = "/etc/kernel/cmdline is the current one with them appended to its first line.";
        } else {
            c.cmdline_how = "Append them to the first line of /etc/kernel/cmdline.";
        }
        c.commands.push_back(distro == Distro::Proxmox ? "proxmox-boot-tool refresh"
                                                       : "kernel-install add \"$(uname -r)\" \"/lib/modules/$(uname -r)/vmlinuz\"");
    } else {
        c.cmdline_how = "Append them to the `options` line of each entry in /boot/loader/entries/*.conf.";
    }

}

void plan_initramfs(HostConfig& c, Distro distro) {
    // Initramfs: vfio-pci must be in it to win against drivers loaded from the initramfs.
    switch (distro) {
    case Distro::Debian:
    case Distro::Proxmox: c.commands.push_back("update-initramfs -u -k all"); break;
    case Distro::Arch:
        c.files.push_back({"/etc/mkinitcpio.conf.d/vfio.conf",
                           "# Written by vfiogen host config: VFIO in the initramfs (HOOKS must keep modconf).\n"
                           "MODULES+=(vfio_pci vfio vfio_iommu_type1)\n"});
        c.commands.push_back("mkinitcpio -P");
        break;
    case Distro::Fedora:
        c.files.push_back({"/etc/dracut.conf.d/vfio.conf",
                           "# Written by vfiogen host config: VFIO in the initramfs.\n"
                           "force_drivers+=\" vfio_pci vfio vfio_iommu_type1 \"\n"});
        c.commands.push_back("dracut -f --regenerate-all");
        break;
    }
}

HostConfig host_config(const Vm& vm, const Host& host, Distro distro, Boot boot) {
    require_host_addresses(vm, "host config");
    HostConfig c;
    std::vector<const PassedFunction*> functions = passed_functions(vm);
    plan_cmdline(c, functions, host);
    plan_modprobe(c, vm, functions, host);
    plan_modules_load(c, host);
    plan_boot_loader(c, host, distro, boot);
    plan_initramfs(c, distro);
    add_looking_glass(c, vm, distro);
    c.commands.push_back("reboot");
    return c;
}

std::string format_host_config(const HostConfig& config, const Vm& vm, Distro distro, Boot boot) {
    std::ostringstream out;
    out << "# vfiogen host config for VM '" << vm.name << "' (" << vm.file << "): " << distro_name(distro) << ", "
        << (boot == Boot::Grub ? "grub" : "systemd-boot") << "\n\n";
    out << "## Kernel command line: add\n" << join(config.cmdline, " ") << "\n" << config.cmdline_how << "\n";
    for (const auto& f : config.files) out << "\n## " << f.path << "\n" << f.text;
    out << "\n## Then run as root\n";
    for (const auto& c : config.commands) out << c << "\n";
    return out.str();
}

}  // namespace vfiogen
