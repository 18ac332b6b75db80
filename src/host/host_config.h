// `vfiogen host config`: the host-side VFIO set-up for a VM file: kernel command line,
// /etc/modprobe.d/vfio.conf, /etc/modules-load.d/vfio.conf, the distribution's initramfs
// configuration and the commands that apply them. Pure: it returns text, the CLI writes it.
//
// It is also the one planner of host fixes: `host check` quotes plan_vfio_claim's lines and
// kernel_cmdline_place's commands in its `fix:` lines, so the two commands cannot disagree.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/templates.h"
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

// The distribution of the host tree: Proxmox when /usr/share/pve-edk2-firmware or /etc/pve exists,
// else from <files>/etc/os-release (ID, then ID_LIKE: debian/ubuntu, fedora/rhel/centos, arch);
// nothing when it cannot tell. Reads at most kMaxHostFileBytes, only a regular file.
std::optional<Distro> detect_distro(const HostRoot& root);

// "debian", "proxmox", "arch", "fedora" (the --distro values).
const char* distro_name(Distro distro);

// Where the kernel command line is edited on `distro` booted by `boot`, and what applies an edit
// (before the reboot). GRUB: GRUB_CMDLINE_LINUX_DEFAULT (Fedora: GRUB_CMDLINE_LINUX and grubby's
// boot entries) in /etc/default/grub; systemd-boot: the first line of /etc/kernel/cmdline
// (proxmox-boot-tool on PVE, kernel-install elsewhere), on Arch each loader entry's options line.
struct KernelCmdlinePlace {
    std::string where;                 // "GRUB_CMDLINE_LINUX_DEFAULT in /etc/default/grub"
    std::vector<std::string> apply;    // {"update-grub"}; empty when nothing regenerates it
};
KernelCmdlinePlace kernel_cmdline_place(Distro distro, Boot boot);

// One PCI function to hand to vfio-pci at boot.
struct FunctionToClaim {
    PciAddress address;
    PciId id;
    std::string role;  // the profile's role ("gpu", "audio", "igd"); "" for a group mate
};

// How /etc/modprobe.d/vfio.conf hands functions to vfio-pci at boot: `options vfio-pci ids=` when
// no function the host keeps has one of their vendor:device IDs, else a driver_override `install`
// line for their addresses only (seed 004: two identical GPUs, one stays with the host);
// disable_vga=1 when one is a VGA controller; `softdep DRIVER pre: vfio-pci` for each host driver
// that would otherwise take one (the bound driver and the vendor's usual ones).
struct VfioClaim {
    std::vector<std::string> ids;        // "10de:1e37", in order of first use
    std::vector<std::string> addresses;  // "0000:d8:00.0", the functions claimed
    std::vector<std::string> kept;       // functions the host keeps that share an ID
    std::vector<std::string> drivers;    // softdep targets, in order
    bool vga = false;

    bool by_address() const { return !kept.empty(); }
    // The modprobe.d directives, one per element, without comments.
    std::vector<std::string> directives() const;
};
VfioClaim plan_vfio_claim(const std::vector<FunctionToClaim>& functions, const Host& host);

// The functions `vm` passes whole that vfio-pci can claim at boot on `host`, in VM file order: not
// those that host a mediated device (they stay with their host driver), nor SR-IOV VFs (they
// do not exist at boot; PVE and libvirt bind vfio-pci at VM start; see sriov_pf_of).
std::vector<FunctionToClaim> functions_to_claim(const Vm& vm, const Host& host);

// The PF whose SR-IOV VF `address` is: the `physfn` of an existing VF, or, for a function that
// does not exist yet, function 0 of its slot when that offers VFs (an iGPU's VFs are 00:02.1 ..
// 00:02.7); nullptr for any other function. `vf_number`, when given, receives the VF's number
// (virtfnN + 1, or the function number).
const HostDevice* sriov_pf_of(const Host& host, const PciAddress& address, unsigned* vf_number = nullptr);

// The kernel parameters i915-sriov-dkms asks for on a 12th-gen or later iGPU (its README, release
// 2024.12.02): GuC submission with SR-IOV, up to 7 VFs, and xe kept off the device.
inline constexpr const char* kI915SriovParameters[] = {"i915.enable_guc=3", "i915.max_vfs=7", "module_blacklist=xe"};

// Intel GVT-g's mdev types (i915-GVTg_V5_*): i915 offers them only when booted with
// i915.enable_gvt=1 and with the kvmgt module loaded (Intel's gvt-linux GVTg_Setup_Guide;
// Linux drivers/gpu/drm/i915/intel_gvt.c, i915_params.c enable_gvt).
bool is_gvt_g_type(const std::string& mdev_type);
inline constexpr const char* kGvtGParameter = "i915.enable_gvt=1";
inline constexpr const char* kGvtGModule = "kvmgt";

// The command that makes the mediated device `f` of `vm` (f.mdev set) exist at every boot for
// libvirt, which does not create the instance a <hostdev type='mdev'> names: mdevctl's persistent
// definition with automatic start (mdevctl(8) define --auto; Debian package mdevctl), with the
// UUID the libvirt rendering uses (mdev_uuid). PVE needs none: qemu-server creates and removes its
// instances at VM start and stop (PCI/Mdev.pm).
std::string mdevctl_define(const Vm& vm, const PassedFunction& f);

// The modules /etc/modules-load.d/vfio.conf loads at boot: vfio, vfio_iommu_type1, vfio_pci, and
// vfio_virqfd on a kernel before 6.2 (merged into vfio in 6.2).
std::vector<std::string> vfio_boot_modules(const Host& host);

// Builds the configuration for `vm` on `host` (drivers in use, boot_vga, kernel release, other
// devices with the same IDs). A function that hosts an mdev is not claimed; GVT-g types add
// i915.enable_gvt=1 and kvmgt, and off PVE the mdevctl commands; with no function to claim,
// no vfio.conf is written. An SR-IOV VF is not claimed at boot either (it does not exist then; PVE
// and libvirt bind vfio-pci at VM start): /etc/udev/rules.d/70-vfiogen-sriov.rules writes the PF's
// sriov_numvfs when its driver binds (Linux pci-iov-howto.rst), and an Intel iGPU PF with no VFs
// enabled yet gets i915-sriov-dkms's parameters and a warning naming the module. Rules and sources (DOMAIN.md, seeds 001-004): intel_iommu=on on
// Intel, iommu=pt, initcall_blacklist=sysfb_init (video=efifb:off before 5.15) for a boot VGA
// function; `options vfio-pci ids=` (+ disable_vga=1 with a VGA function) and `softdep DRIVER pre:
// vfio-pci`; vfio_virqfd only before kernel 6.2; driver_override by address when ids= would
// also claim a device that stays with the host (seed 004).
// Each file is laid out by a template (templates/host-*.mustache, overridable with --templates;
// an override must keep kHostConfigMarker, or InputError names the template). Throws InputError
// for a host tree's /etc/kernel/cmdline that is not a command line.
HostConfig host_config(const Vm& vm, const Host& host, Distro distro, Boot boot,
                       const TemplateSet& templates = TemplateSet());

// The same for several VMs on one host: the kernel command line and vfio.conf for all their
// functions together (one vfio.conf serves every VM; a run for one VM alone would drop the
// others' claims), Looking Glass files once (InputError when two VMs need different ones).
HostConfig host_config(const std::vector<Vm>& vms, const Host& host, Distro distro, Boot boot,
                       const TemplateSet& templates = TemplateSet());

// "VM 'a'" or "VMs 'a', 'b'", as the vfio.conf header names them.
std::string vms_label(const std::vector<Vm>& vms);

// The VM names in the header of a vfio.conf host config wrote ("# Written by vfiogen host config
// for VMs 'a', 'b': ..."); empty for any other file.
std::vector<std::string> vms_claimed_in(const std::string& vfio_conf);

// The printed form: every file with its path as a heading, then the commands.
std::string format_host_config(const HostConfig& config, const std::vector<Vm>& vms, Distro distro, Boot boot);

// The default boot loader: systemd-boot on Proxmox when <files>/etc/kernel/cmdline exists
// (proxmox-boot-tool set-ups), GRUB otherwise.
Boot default_boot(Distro distro, const Host& host);

// --distro and --boot as written: the distribution `name` names ("debian", as distro_name spells
// it) or, when empty, the host tree's (detect_distro); the loader `boot` names ("grub",
// "systemd-boot") or, when empty, default_boot. Throws UsageError (with did-you-mean) for an
// unknown name, and when the distribution is not given and cannot be told.
std::pair<Distro, Boot> choose_distro_and_boot(const std::string& name, const std::string& boot, const Host& host);

// `host config -o DIR`: writes `config`'s files under DIR (DIR + each path), all or none, never
// through a symlink below DIR; a file without kHostConfigMarker is kept as NAME.vfiogen-old
// (base/output_file.h StagedTree). Refuses first (UsageError, nothing written) to replace a
// DIR/etc/modprobe.d/vfio.conf that host config wrote for a VM `vms` does not name, unless
// `force`: those VMs' functions would go back to the host at the next boot. Returns what it did,
// as lines for the user ("wrote /etc/...", then the command line and the commands to run).
std::string write_host_config(const HostConfig& config, const std::vector<Vm>& vms, const std::string& dir, bool force);

}  // namespace vfiogen
