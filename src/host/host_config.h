// `vfiogen host config`: the host-side VFIO set-up for a VM file: kernel command line,
// /etc/modprobe.d/vfio.conf, /etc/modules-load.d/vfio.conf, the distribution's initramfs
// configuration and the commands that apply them. Pure: it returns text, the CLI writes it.
#pragma once

#include <string>
#include <vector>

#include "model/vm.h"
#include "sysfs/host.h"

namespace vfiogen {

enum class Distro { Debian, Proxmox, Arch, Fedora };
enum class Boot { Grub, SystemdBoot };

// Every file host config writes holds this text, except /etc/kernel/cmdline (no comments there);
// `host config -o` keeps a file without it as NAME.vfiogen-old before replacing it.
inline constexpr const char* kHostConfigMarker = "Written by vfiogen host config";

// One file to write, by its absolute path on the host (written under -o DIR as DIR + path).
struct ConfigFile {
    std::string path;  // "/etc/modprobe.d/vfio.conf"
    std::string text;
};

struct HostConfig {
    std::vector<std::string> cmdline;         // parameters to add, e.g. "intel_iommu=on"
    std::string cmdline_how;                  // where they go and how to apply them (one paragraph)
    std::vector<ConfigFile> files;
    std::vector<std::string> commands;        // to run as root afterwards, in order
    std::vector<std::string> warnings;        // e.g. ids= would also claim a device the host keeps
};

// Builds the configuration for `vm` on `host` (drivers in use, boot_vga, kernel release, other
// devices with the same IDs). Rules and sources (DOMAIN.md, seeds 001-004): intel_iommu=on on
// Intel, iommu=pt, initcall_blacklist=sysfb_init (video=efifb:off before 5.15) for a boot VGA
// function; `options vfio-pci ids=` (+ disable_vga=1 with a VGA function) and `softdep DRIVER pre:
// vfio-pci`; vfio_virqfd only before kernel 6.2; driver_override by address when ids= would
// also claim a device that stays with the host (seed 004).
HostConfig host_config(const Vm& vm, const Host& host, Distro distro, Boot boot);

// The printed form: every file with its path as a heading, then the commands.
std::string format_host_config(const HostConfig& config, const Vm& vm, Distro distro, Boot boot);

// The default boot loader: systemd-boot on Proxmox when <files>/etc/kernel/cmdline exists
// (proxmox-boot-tool set-ups), GRUB otherwise.
Boot default_boot(Distro distro, const Host& host);

}  // namespace vfiogen
