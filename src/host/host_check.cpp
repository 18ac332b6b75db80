#include "host/host_check.h"

#include <fnmatch.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "base/bounded_read.h"
#include "base/color.h"
#include "base/strings.h"
#include "base/suggest.h"
#include "base/text_escape.h"
#include "host/host_config.h"
#include "host/host_scan.h"

namespace vfiogen {
namespace {

const char* status_word(CheckStatus s) {
    switch (s) {
    case CheckStatus::Pass: return "PASS";
    case CheckStatus::Info: return "INFO";
    case CheckStatus::Warn: return "WARN";
    case CheckStatus::Fail: return "FAIL";
    }
    return "?";
}


// "0000:01:00.0 (gpu of nvidia-gt1030)"
std::string subject(const PassedFunction& f, const PassthroughDevice& dev) {
    return f.host.str() + " (" + f.role + " of " + dev.profile + ")";
}

std::string vm_line(const Mark& mark) { return format_mark(mark); }

// The host's distribution (host config's detect_distro), with the package that ships OVMF there
// and where its files go.
struct HostDistro {
    std::string id;        // debian, fedora, arch, pve, or "" when unknown
    std::string name;      // "Debian/Ubuntu", ...
    std::string install;   // the command that installs OVMF
    std::string code_dir;  // where that package puts OVMF_CODE*
};

HostDistro host_distro(const HostRoot& root) {
    std::optional<Distro> d = detect_distro(root);
    if (!d) return {};
    switch (*d) {
    case Distro::Proxmox:
        return {"pve", "Proxmox VE", "apt-get install pve-edk2-firmware", "/usr/share/pve-edk2-firmware/"};
    case Distro::Debian: return {"debian", "Debian/Ubuntu", "apt-get install ovmf", "/usr/share/OVMF/"};
    case Distro::Fedora: return {"fedora", "Fedora/RHEL", "dnf install edk2-ovmf", "/usr/share/edk2/ovmf/"};
    case Distro::Arch: return {"arch", "Arch", "pacman -S edk2-ovmf", "/usr/share/edk2/x64/"};
    }
    return {};
}

std::string ovmf_fix(const HostDistro& d) {
    if (d.id.empty())
        return "install OVMF: `apt-get install ovmf` (Debian/Ubuntu), `dnf install edk2-ovmf` (Fedora/RHEL), "
               "`pacman -S edk2-ovmf` (Arch), `apt-get install pve-edk2-firmware` (Proxmox VE)";
    return "install OVMF on " + d.name + ": `" + d.install + "`";
}

// One QEMU firmware descriptor (QEMU docs/interop/firmware.json), as libvirt reads it for
// <os firmware='efi'> autoselection.
struct FirmwareDescriptor {
    std::string path;                   // the descriptor file, as on the host
    bool uefi = false;                  // interface-types holds "uefi"
    std::string executable;             // mapping.executable.filename
    std::vector<std::string> machines;  // x86_64 targets' machine globs, e.g. "pc-q35-*"
    bool secure_boot = false, enrolled_keys = false;

    bool offers_machine(const std::string& machine) const {
        for (const auto& glob : machines)
            if (fnmatch(glob.c_str(), machine.c_str(), 0) == 0) return true;
        return false;
    }
};

FirmwareDescriptor descriptor_of(const nlohmann::json& j, const std::string& path);

// The descriptors libvirt would read, by file name with /etc/qemu/firmware overriding
// /usr/share/qemu/firmware, in name order; files that are not descriptors are skipped.
// Bounded: 64 files per directory, 64 KiB per file.
std::vector<FirmwareDescriptor> read_firmware_descriptors(const HostRoot& root) {
    std::map<std::string, std::string> by_name;  // file name -> host path
    for (const char* dir : {"/usr/share/qemu/firmware", "/etc/qemu/firmware"}) {
        std::error_code ec;
        int n = 0;
        for (const auto& e : std::filesystem::directory_iterator(root.file(dir), ec)) {
            if (++n > 64) break;
            std::string name = e.path().filename().string();
            if (e.path().extension() == ".json") by_name[name] = std::string(dir) + "/" + name;
        }
    }
    std::vector<FirmwareDescriptor> out;
    for (const auto& [name, path] : by_name) {
        std::ifstream in(root.file(path), std::ios::binary);
        std::string text(64 * 1024, '\0');
        in.read(text.data(), static_cast<std::streamsize>(text.size()));
        text.resize(static_cast<size_t>(in.gcount()));
        nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
        if (!j.is_object()) continue;
        try {
            out.push_back(descriptor_of(j, path));
        } catch (const nlohmann::json::exception&) {
            continue;  // a field of another type than the schema's: not a descriptor libvirt would use either
        }
        if (out.back().executable.empty() || out.back().executable[0] != '/') out.pop_back();
    }
    return out;
}

FirmwareDescriptor descriptor_of(const nlohmann::json& j, const std::string& path) {
    FirmwareDescriptor d;
    d.path = path;
    auto strings = [](const nlohmann::json& a) {
        std::vector<std::string> v;
        if (a.is_array())
            for (const auto& x : a)
                if (x.is_string()) v.push_back(x.get<std::string>());
        return v;
    };
    auto contains = [](const std::vector<std::string>& v, const char* s) {
        return std::find(v.begin(), v.end(), s) != v.end();
    };
    d.uefi = contains(strings(j.value("interface-types", nlohmann::json())), "uefi");
    const nlohmann::json& exe =
        j.value("mapping", nlohmann::json::object()).value("executable", nlohmann::json::object());
    if (exe.is_object() && exe.value("filename", nlohmann::json()).is_string())
        d.executable = exe["filename"].get<std::string>();
    for (const auto& t : j.value("targets", nlohmann::json::array()))
        if (t.is_object() && t.value("architecture", std::string()) == "x86_64")
            for (auto& m : strings(t.value("machines", nlohmann::json()))) d.machines.push_back(m);
    std::vector<std::string> features = strings(j.value("features", nlohmann::json()));
    d.secure_boot = contains(features, "secure-boot");
    d.enrolled_keys = contains(features, "enrolled-keys");
    return d;
}

class Checker {
public:
    Checker(const Host& host, const Vm& vm, PciNames& names)
        : host_(host), vm_(vm), names_(names), distro_(host_distro(host.root)) {}

    // Each finding is marked with what it is about (at_): the host file a host-wide rule reads,
    // the VM file's key for a function or a VM setting.
    std::vector<HostFinding> run() {
        at_ = host_file(host_.root.proc + "/cpuinfo");
        check_cpu();
        at_ = host_file(host_.root.sysfs + "/kernel/iommu_groups");
        check_iommu();
        at_ = host_file(host_.root.proc + "/cmdline");
        check_cmdline();
        at_ = host_file(host_.root.sysfs + "/class/iommu");
        check_interrupt_remapping();
        at_ = host_file(host_.root.proc + "/modules");
        check_modules();
        for (const auto& dev : vm_.passthrough)
            for (const auto& f : dev.functions) {
                at_ = vm_mark(f.mark);
                check_function(dev, f);
            }
        check_groups();
        at_ = vm_mark(vm_.firmware_mark);
        check_ovmf();
        if (vm_.looking_glass) at_ = vm_mark(vm_.looking_glass->mark);
        check_looking_glass();
        at_ = vm_mark(vm_.tpm_mark);
        check_tpm();
        return std::move(findings_);
    }

private:
    static Mark host_file(const std::string& path) { return Mark{path, 0, 0}; }
    // A key's mark, or the VM file when the key is not written (a default).
    Mark vm_mark(const Mark& key) const { return key.file.empty() ? vm_.file_mark() : key; }

    void add(CheckStatus s, const char* rule, std::string message, std::string fix = "") {
        findings_.push_back({s, rule, std::move(message), std::move(fix), at_});
    }

    bool iommu_on() const { return !host_.iommu_groups.empty(); }

    void check_cpu() {
        if (host_.cpu_flags.count("vmx")) add(CheckStatus::Pass, "cpu-virt", "vmx (Intel VT-x) in /proc/cpuinfo");
        else if (host_.cpu_flags.count("svm")) add(CheckStatus::Pass, "cpu-virt", "svm (AMD-V) in /proc/cpuinfo");
        else
            add(CheckStatus::Fail, "cpu-virt", "no vmx or svm flag in /proc/cpuinfo: hardware virtualization is off",
                "enable Intel VT-x or AMD SVM in the firmware setup, then reboot");
    }

    void check_iommu() {
        if (host_.acpi_dmar) add(CheckStatus::Pass, "iommu-firmware", "ACPI DMAR table present (Intel VT-d enabled in firmware)");
        else if (host_.acpi_ivrs) add(CheckStatus::Pass, "iommu-firmware", "ACPI IVRS table present (AMD-Vi enabled in firmware)");
        else
            add(CheckStatus::Fail, "iommu-firmware", "no ACPI DMAR or IVRS table in /sys/firmware/acpi/tables: the firmware offers no IOMMU",
                "enable VT-d (Intel) or IOMMU/AMD-Vi (AMD) in the firmware setup, then reboot");

        if (iommu_on()) {
            std::vector<std::string> units;
            for (const auto& u : host_.iommu_units) units.push_back(u.name);
            add(CheckStatus::Pass, "iommu-enabled",
                "IOMMU on: " + std::to_string(host_.iommu_groups.size()) + " IOMMU groups, /sys/class/iommu: " +
                    (units.empty() ? "(empty)" : join(units, ", ")));
            return;
        }
        std::string fix;
        for (const char* off : {"intel_iommu=off", "amd_iommu=off", "iommu=off"})
            if (std::find(host_.cmdline.begin(), host_.cmdline.end(), off) != host_.cmdline.end())
                fix = cmdline_fix(host_, std::string("remove ") + off + " from");
        if (fix.empty() && host_.intel()) fix = cmdline_fix(host_, "add intel_iommu=on to");
        if (fix.empty()) fix = "AMD-Vi is on by default: enable IOMMU in the firmware setup and check `dmesg | grep AMD-Vi`";
        add(CheckStatus::Fail, "iommu-enabled", "IOMMU off: /sys/kernel/iommu_groups is empty", fix);
    }

    void check_cmdline() {
        if (host_.intel() && iommu_on()) {
            if (host_.cmdline_value("intel_iommu") == std::optional<std::string>("on"))
                add(CheckStatus::Pass, "cmdline-intel-iommu", "intel_iommu=on on the kernel command line");
            else
                add(CheckStatus::Info, "cmdline-intel-iommu",
                    "the IOMMU is on by the kernel's build default (CONFIG_INTEL_IOMMU_DEFAULT_ON), not by intel_iommu=on",
                    cmdline_fix(host_, "to keep it on with any kernel, add intel_iommu=on to"));
        }
        if (host_.cmdline_value("amd_iommu") == std::optional<std::string>("on"))
            add(CheckStatus::Info, "cmdline-amd-iommu",
                "amd_iommu=on has no effect: the kernel knows no value 'on' for amd_iommu (AMD-Vi is on by default)",
                cmdline_fix(host_, "remove amd_iommu=on from"));
        if (iommu_on()) {
            if (host_.cmdline_value("iommu") == std::optional<std::string>("pt"))
                add(CheckStatus::Pass, "cmdline-iommu-pt", "iommu=pt: host devices skip IOMMU translation");
            else
                add(CheckStatus::Info, "cmdline-iommu-pt",
                    "iommu=pt is not set: optional, it spares devices the host keeps the cost of IOMMU translation",
                    cmdline_fix(host_, "add iommu=pt to"));
        }
        if (auto acs = host_.cmdline_value("pcie_acs_override"))
            add(CheckStatus::Warn, "cmdline-acs-override",
                "pcie_acs_override=" + *acs +
                    " (an out-of-tree patch) splits IOMMU groups the hardware does not isolate: a passed device may "
                    "still reach its old group mates by peer-to-peer DMA",
                cmdline_fix(host_, "if the groups are acceptable without it, remove pcie_acs_override=" + *acs + " from"));
    }

    void check_interrupt_remapping() {
        if (!iommu_on()) return;
        if (host_.cmdline_value("intremap") == std::optional<std::string>("off")) {
            add(CheckStatus::Fail, "interrupt-remapping", "intremap=off turns interrupt remapping off",
                cmdline_fix(host_, "remove intremap=off from"));
            return;
        }
        std::vector<std::string> with, without;
        for (const auto& u : host_.iommu_units) {
            if (!u.intel_ecap) continue;
            ((*u.intel_ecap >> 3) & 1 ? with : without).push_back(u.name);
        }
        if (!without.empty())
            add(CheckStatus::Fail, "interrupt-remapping",
                "no interrupt remapping on " + join(without, ", ") +
                    " (VT-d ecap bit 3 clear): vfio_iommu_type1 refuses to assign devices",
                "add the line `options vfio_iommu_type1 allow_unsafe_interrupts=1` to "
                "/etc/modprobe.d/iommu_unsafe_interrupts.conf (a security trade-off: a guest can forge interrupts)");
        else if (!with.empty())
            add(CheckStatus::Pass, "interrupt-remapping",
                "interrupt remapping supported by " + join(with, ", ") + " (VT-d ecap bit 3)");
        else
            add(CheckStatus::Info, "interrupt-remapping",
                "cannot tell from sysfs whether interrupt remapping is on (no VT-d ecap register)",
                "run `dmesg | grep -e 'AMD-Vi: Interrupt remapping enabled' -e 'DMAR-IR: Enabled IRQ remapping'`");
    }

    void check_modules() {
        std::vector<std::string> wanted = {"vfio", "vfio_iommu_type1", "vfio_pci"};
        std::vector<std::string> missing;
        for (const auto& m : wanted)
            if (!host_.modules.count(m)) missing.push_back(m);
        if (missing.empty()) {
            add(CheckStatus::Pass, "vfio-modules", "vfio, vfio_iommu_type1 and vfio_pci are loaded");
            return;
        }
        std::vector<std::string> lines = vfio_boot_modules(host_);
        add(CheckStatus::Warn, "vfio-modules",
            "not loaded: " + join(missing, ", ") +
                " (PVE and libvirt load vfio-pci when a VM starts, but `ids=` only claims devices at boot when "
                "the modules load early)",
            "add the lines " + join(lines, ", ") + " to /etc/modules-load.d/vfio.conf (one per line)" +
                (host_.kernel_at_least(6, 2) ? "; vfio_virqfd is part of vfio since kernel 6.2" : ""));
    }

    void check_function(const PassthroughDevice& dev, const PassedFunction& f) {
        std::string who = subject(f, dev);
        const HostDevice* d = host_.find(f.host);
        if (!d) {
            add(CheckStatus::Fail, "function-present", who + ": no such PCI function on this host", missing_fix(f));
            return;
        }
        check_vf(who, *d);
        if (d->id.vendor != f.id.vendor || d->id.device != f.id.device) {
            std::string name = names_.device(d->id.vendor, d->id.device);
            add(CheckStatus::Fail, "function-id",
                who + ": is " + d->id.str() + (name.empty() ? "" : " " + name) + ", but profile " + dev.profile +
                    " expects " + f.id.str() + " for role " + f.role,
                "bind role " + f.role + " to the function with ID " + f.id.str() + " at " + vm_line(f.mark) +
                    ", or use a profile for " + d->id.str());
        } else {
            std::string name = names_.device(d->id.vendor, d->id.device);
            add(CheckStatus::Pass, "function-id", who + ": " + d->id.str() + (name.empty() ? "" : " " + name));
        }
        if (f.mdev) {
            check_mdev(who, *d, f);  // the function stays with its host driver: no driver, ROM or reset checks
            return;
        }
        check_driver(who, *d);
        check_boot_vga(who, *d);
        if (f.romfile) check_rom(dev, f, who);
        if (!d->reset_method)
            add(CheckStatus::Warn, "reset-method",
                who + ": no reset method (sysfs has no reset_method): the device cannot be reset between VM starts "
                      "(the AMD reset bug)",
                "start the VM once per host boot, or for an AMD GPU load the vendor-reset module "
                "(github.com/gnif/vendor-reset) and run RadeonResetBugFixService in a Windows guest (seed 003)");
        else
            add(CheckStatus::Pass, "reset-method", who + ": reset_method " + *d->reset_method);
    }

    // A missing function that an SR-IOV PF in its slot could provide as a VF (the iGPU's 00:02.1
    // ... 00:02.7 with i915-sriov-dkms or xe): how to enable enough VFs; else: fix the address.
    std::string missing_fix(const PassedFunction& f) const {
        unsigned wanted = 0;
        const HostDevice* pf = sriov_pf_of(host_, f.host, &wanted);
        if (pf && wanted > *pf->sriov_totalvfs)
            return "the SR-IOV PF " + pf->address.str() + " offers at most " + std::to_string(*pf->sriov_totalvfs) +
                   " VFs (sriov_totalvfs), so there is no VF " + std::to_string(wanted) + ": correct the address at " +
                   vm_line(f.mark);
        if (pf) {
            // The kernel refuses a new count while VFs are enabled (EBUSY): 0 first.
            std::string file = "/sys/bus/pci/devices/" + pf->address.str() + "/sriov_numvfs";
            unsigned enabled = pf->sriov_numvfs.value_or(0);
            std::string command = (enabled ? "echo 0 > " + file + "; " : std::string()) + "echo " +
                                  std::to_string(wanted) + " > " + file;
            return "it is VF " + std::to_string(wanted) + " of the SR-IOV PF " + pf->address.str() + " (" +
                   std::to_string(enabled) + " of " + std::to_string(*pf->sriov_totalvfs) + " VFs enabled): enable them with `" +
                   command + "` once the PF's driver (" + (pf->driver.empty() ? std::string("none bound") : pf->driver) +
                   ") has loaded, and at every boot (sysfsutils' /etc/sysfs.conf or a udev rule)" +
                   (enabled ? "; writing 0 removes the " + std::to_string(enabled) +
                                  " VFs there are now: shut down the VMs that use them first"
                            : std::string());
        }
        return "correct the address at " + vm_line(f.mark) + " (`vfiogen host scan` lists the host's GPUs)";
    }

    // A mediated device: the function offers its type (mdev_supported_types) and an instance can
    // be had. PVE creates it at VM start (qemu-server PCI/Mdev.pm: it needs available_instances
    // >= 1); libvirt only opens the one with the domain's UUID, which must exist already.
    void check_mdev(const std::string& who, const HostDevice& d, const PassedFunction& f) {
        const std::string& type = *f.mdev;
        if (d.mdev_types.empty()) {
            add(CheckStatus::Fail, "mdev-type",
                who + ": offers no mediated device types (no mdev_supported_types; driver " +
                    (d.driver.empty() ? std::string("none") : d.driver) + ")",
                mdev_enable_fix(d, type));
            return;
        }
        const MdevType* t = d.find_mdev_type(type);
        if (!t) {
            std::vector<std::string> offered;
            for (const auto& o : d.mdev_types) offered.push_back(o.type);
            add(CheckStatus::Fail, "mdev-type",
                who + ": offers no mdev type '" + type + "'" + did_you_mean(type, offered) + "; it offers " + join(offered, ", "),
                "set mdev at " + vm_line(f.mdev_mark) + " to one of them");
            return;
        }
        std::string offered = who + ": offers " + type + " (" + std::to_string(t->available) + " more available)";
        if (distro_.id == "pve") {
            if (t->available == 0)
                add(CheckStatus::Fail, "mdev-type", offered + ": qemu-server cannot create the instance at VM start",
                    "stop a VM that holds a " + type + " instance, or pick a type with instances left (`vfiogen host scan`)");
            else
                add(CheckStatus::Pass, "mdev-type", offered + "; qemu-server creates the instance at VM start");
            return;
        }
        std::string uuid = mdev_uuid(vm_, f);
        if (std::find(t->instances.begin(), t->instances.end(), uuid) != t->instances.end()) {
            add(CheckStatus::Pass, "mdev-type", who + ": the " + type + " instance " + uuid + " the domain names exists");
        } else if (t->available == 0) {
            add(CheckStatus::Fail, "mdev-type",
                offered + ", and the instance " + uuid + " the domain names does not exist: libvirt refuses to start it",
                "remove an unused " + type + " instance (`mdevctl list`), or pick a type with instances left");
        } else {
            add(CheckStatus::Warn, "mdev-type",
                offered + ", but the instance " + uuid + " the domain names does not exist yet: libvirt does not create it",
                "run `" + mdevctl_define(vm_, f) + "` (package mdevctl) and `mdevctl start --uuid " + uuid + "`");
        }
    }

    // How to make a function offer mediated device types: GVT-g on Intel iGPUs.
    std::string mdev_enable_fix(const HostDevice& d, const std::string& type) const {
        if (!is_gvt_g_type(type))
            return "load the host driver that offers " + type + " for this device";
        std::string fix;
        if (is_vfio_driver(d.driver))
            fix = "GVT-g needs the iGPU on i915, not vfio-pci: drop it from /etc/modprobe.d/vfio.conf, rebuild the initramfs; ";
        bool parameter = host_.cmdline_value("i915.enable_gvt") == std::optional<std::string>("1");
        if (!parameter) fix += cmdline_fix(host_, std::string("add ") + kGvtGParameter + " to") + "; ";
        if (!host_.modules.count(kGvtGModule))
            fix += std::string("load ") + kGvtGModule + " at boot (add it to /etc/modules-load.d/vfio.conf); ";
        return fix + "GVT-g covers 5th to 10th gen iGPUs only (`vfiogen host config` writes the set-up)";
    }

    // A VF lives only while its PF's driver keeps SR-IOV enabled (Linux pci-iov-howto.rst).
    void check_vf(const std::string& who, const HostDevice& d) {
        if (!d.physfn) return;
        const HostDevice* pf = host_.find(*d.physfn);
        std::string pf_driver = pf && !pf->driver.empty() ? pf->driver : "no driver";
        add(CheckStatus::Pass, "sriov-vf",
            who + ": an SR-IOV VF of " + d.physfn->str() + " (" + pf_driver + "); it exists while that driver keeps " +
                std::to_string(pf ? pf->sriov_numvfs.value_or(0) : 0) + " VFs enabled, so the PF stays with the host");
    }

    // The directives `host config` writes to /etc/modprobe.d/vfio.conf for `functions`, quoted.
    std::string claim_lines(const std::vector<FunctionToClaim>& functions) const {
        std::vector<std::string> quoted;
        for (const auto& line : plan_vfio_claim(functions, host_).directives()) quoted.push_back("`" + line + "`");
        return join(quoted, ", ");
    }

    void check_driver(const std::string& who, const HostDevice& d) {
        if (d.physfn && !d.driver.empty() && !is_vfio_driver(d.driver)) {
            // A VF is created after boot, so nothing claims it then; its host driver lets go.
            add(CheckStatus::Pass, "host-driver",
                who + ": a VF on " + d.driver + "; PVE binds vfio-pci at VM start, libvirt too for managed='yes' hostdevs");
        } else if (is_vfio_driver(d.driver)) {
            add(CheckStatus::Pass, "host-driver", who + ": on vfio-pci");
        } else if (d.driver.empty()) {
            add(CheckStatus::Pass, "host-driver",
                who + ": no driver; PVE binds vfio-pci at VM start, libvirt too for managed='yes' hostdevs");
        } else {
            add(CheckStatus::Warn, "host-driver",
                who + ": on " + d.driver +
                    "; PVE unbinds it and binds vfio-pci at VM start, libvirt does the same for managed='yes' "
                    "hostdevs (vfiogen's default; unmanaged ones need `virsh nodedev-detach pci_" +
                    [&] {
                        std::string s = d.address.str();
                        std::replace(s.begin(), s.end(), ':', '_');
                        std::replace(s.begin(), s.end(), '.', '_');
                        return s;
                    }() + "` first), but a host driver in use may not let go",
                "claim it at boot: /etc/modprobe.d/vfio.conf with " + claim_lines(functions_to_claim(vm_, host_)) +
                    ", then rebuild the initramfs (`vfiogen host config` writes it)");
        }
    }

    void check_boot_vga(const std::string& who, const HostDevice& d) {
        if (!d.boot_vga || !*d.boot_vga) return;
        bool sysfb = host_.cmdline_value("initcall_blacklist") &&
                     host_.cmdline_value("initcall_blacklist")->find("sysfb_init") != std::string::npos;
        auto video = host_.cmdline_value("video");
        bool efifb = video && (video->find("efifb:off") != std::string::npos);
        if (sysfb || efifb) {
            add(CheckStatus::Pass, "boot-vga",
                who + ": boot VGA device, the firmware framebuffer is off (" +
                    (sysfb ? "initcall_blacklist=sysfb_init" : "video=" + *video) + ")");
            return;
        }
        std::string param = host_.kernel_at_least(5, 15) || host_.kernel_release.empty()
                                ? "initcall_blacklist=sysfb_init"
                                : "video=efifb:off";
        add(CheckStatus::Warn, "boot-vga",
            who + ": the boot VGA device (boot_vga 1); the host console's firmware framebuffer keeps its memory "
                  "(\"BAR 0: can't reserve\" in the kernel log, a black screen in the guest)",
            cmdline_fix(host_, "add " + param + " to") +
                (param == "initcall_blacklist=sysfb_init" ? " (kernel 5.15 and later; video=efifb:off for older ones)" : ""));
    }

    void check_rom(const PassthroughDevice& dev, const PassedFunction& f, const std::string& who) {
        std::vector<std::pair<std::string, std::string>> places = {{"PVE", "/usr/share/kvm/" + *f.romfile}};
        std::string dir = vm_.rom_dir.empty() ? "/usr/share/kvm" : vm_.rom_dir;
        std::string libvirt_path = dir + (dir.back() == '/' ? "" : "/") + *f.romfile;
        if (libvirt_path == places[0].second) places[0].first = "PVE and libvirt";
        else places.push_back({"libvirt", libvirt_path});
        for (const auto& [target, path] : places) {
            // Only the signature is read, and only from a regular file: a FIFO or device there
            // (a host tree from elsewhere) is a failed check, not a hang.
            std::optional<std::string> head;
            try {
                head = read_regular_file_if_present(host_.root.file(path), 2, Excess::Truncate);
            } catch (const InputError& e) {
                add(CheckStatus::Fail, "romfile", who + ": romfile " + path + " (" + target + "): " + e.diagnostic().message,
                    "replace " + path + " with a ROM image (a VBIOS or an EfiRom-built GOP ROM)");
                continue;
            }
            if (!head) {
                add(CheckStatus::Fail, "romfile", who + ": romfile " + path + " (" + target + ") does not exist",
                    "copy the ROM to " + path + (target == "libvirt" ? " (rom_dir in the VM file)" : ""));
                continue;
            }
            unsigned char sig[2] = {0, 0};
            std::copy_n(head->begin(), std::min<size_t>(head->size(), sizeof sig), sig);
            bool whole = head->size() == 2;
            if (whole && sig[0] == 0x55 && sig[1] == 0xaa) {
                add(CheckStatus::Pass, "romfile", who + ": romfile " + path + " has the option ROM signature 55 AA");
                continue;
            }
            const PassedFunction* gpu = &f;
            for (const auto& other : dev.functions)
                if (other.role == "gpu" || other.role == "igd") gpu = &other;
            std::string start = whole ? hex_digits(sig[0], 2) + " " + hex_digits(sig[1], 2) : "(too short)";
            bool efi = whole && sig[0] == 'M' && sig[1] == 'Z';
            add(CheckStatus::Fail, "romfile",
                who + ": romfile " + path + " starts with " + start + ", not the option ROM signature 55 AA" +
                    (efi ? " (\"MZ\": an EFI driver, not a ROM)" : ""),
                efi ? "convert the .efi with edk2's `EfiRom -f 0x" + hex_digits(gpu->id.vendor, 4) + " -i 0x" +
                          hex_digits(gpu->id.device, 4) + " -e FILE.efi` and copy the .rom to " + path
                    : "replace " + path + " with a ROM image (a VBIOS or an EfiRom-built GOP ROM)");
        }
    }

    // Each IOMMU group holding a passed function, once: everything in it is passed, a bridge,
    // unbound or on vfio-pci, or QEMU refuses it ("group N is not viable").
    void check_groups() {
        std::vector<PciAddress> passed;  // a function hosting an mdev stays with the host: its group too
        std::map<unsigned, std::pair<const HostDevice*, Mark>> groups;  // each group's first passed function
        for (const auto& dev : vm_.passthrough)
            for (const auto& f : dev.functions) {
                if (f.mdev) continue;
                passed.push_back(f.host);
                if (const HostDevice* d = host_.find(f.host); d && d->iommu_group)
                    groups.emplace(*d->iommu_group, std::pair{d, vm_mark(f.mark)});
            }
        for (const auto& [number, first] : groups) {
            const HostDevice* d = first.first;
            at_ = first.second;
            GroupViability v = group_viability(host_, *d, passed);
            std::vector<std::string> members;
            for (const HostDevice* m : v.members) members.push_back(m->address.str());
            if (v.viable()) {
                add(CheckStatus::Pass, "iommu-group",
                    "IOMMU group " + std::to_string(number) + " (" + join(members, ", ") +
                        ") holds only passed functions, bridges and unbound or vfio-pci devices");
                continue;
            }
            std::vector<std::string> blockers;
            std::vector<FunctionToClaim> claim = functions_to_claim(vm_, host_);
            for (const HostDevice* b : v.blockers) {
                blockers.push_back(b->address.str() + " [" + hex_digits(b->class16(), 4) + "] " + b->id.str() + " on " + b->driver);
                if (!sriov_pf_of(host_, b->address)) claim.push_back({b->address, b->id, ""});  // a VF: none at boot
            }
            const char* them = v.blockers.size() == 1 ? "it" : "them";
            add(CheckStatus::Fail, "iommu-group",
                "IOMMU group " + std::to_string(number) + " also holds " + join(blockers, ", ") +
                    ", which the VM does not pass: QEMU refuses a group that is not viable",
                std::string("pass ") + them + " to the VM as well, or take " + them +
                    " from the host too: /etc/modprobe.d/vfio.conf with " + claim_lines(claim) +
                    " (`vfiogen host config` claims only the VM's own functions); a slot with its own group "
                    "avoids this");
        }
    }

    // OVMF as the VM's target will look for it: PVE's own package on a PVE host; else libvirt's
    // autoselection through QEMU's firmware descriptors, or the explicit files of the VM file.
    void check_ovmf() {
        if (vm_.firmware != Firmware::Ovmf) return;
        const HostDistro& distro = distro_;
        if (distro.id == "pve") return check_pve_ovmf();
        bool q35 = vm_.machine_type == MachineType::Q35;
        std::string chipset = machine_type_name(vm_.machine_type);
        std::string want =
            vm_.secure_boot ? "UEFI with Secure Boot and enrolled keys" : "UEFI without Secure Boot";
        std::vector<FirmwareDescriptor> descriptors = read_firmware_descriptors(host_.root);
        const FirmwareDescriptor *match = nullptr, *without_file = nullptr;
        std::string machine = (q35 ? "pc-q35-" : "pc-i440fx-") +
                              (vm_.machine_version.empty() ? std::string("7.2") : vm_.machine_version);
        for (const auto& d : descriptors) {
            if (match || !d.uefi || !d.offers_machine(machine) || d.secure_boot != vm_.secure_boot ||
                d.enrolled_keys != vm_.secure_boot)
                continue;
            if (is_regular_file(host_.root.file(d.executable)))
                match = &d;
            else if (!without_file)
                without_file = &d;
        }
        if (vm_.firmware_autoselect) {
            if (match)
                add(CheckStatus::Pass, "ovmf",
                    "firmware autoselection finds " + want + " for " + chipset + ": " + match->path +
                        " (" + match->executable + ")");
            else
                add(CheckStatus::Fail, "ovmf",
                    "no QEMU firmware descriptor in /etc/qemu/firmware or /usr/share/qemu/firmware offers " +
                        want + " for " + chipset + " (" + std::to_string(descriptors.size()) +
                        " read" +
                        (without_file ? "; " + without_file->path + " names " + without_file->executable +
                                            ", which is missing"
                                      : std::string()) +
                        "); libvirt's autoselection will fail",
                    ovmf_fix(distro) +
                        (vm_.secure_boot && !q35 ? "; Secure Boot firmware needs machine type q35" : ""));
            return;
        }
        std::vector<std::string> missing;
        for (const auto& p : {vm_.loader, vm_.nvram_template})
            if (!is_regular_file(host_.root.file(p))) missing.push_back(p);
        if (missing.empty()) {
            add(CheckStatus::Pass, "ovmf", "OVMF present for libvirt: " + vm_.loader + ", " + vm_.nvram_template);
            return;
        }
        std::string fix = ovmf_fix(distro);
        if (!distro.code_dir.empty()) fix += " (its files are in " + distro.code_dir + ")";
        fix += match ? ", or drop firmware.loader and firmware.nvram_template: autoselection would use " +
                           match->executable
                     : ", or set firmware.loader and firmware.nvram_template to the host's files";
        add(CheckStatus::Fail, "ovmf", "OVMF files missing: " + join(missing, ", "), fix);
    }

    // qemu-server OVMF.pm: OVMF_CODE_4M.secboot.fd with SMM (q35), OVMF_CODE_4M.fd without;
    // OVMF_VARS_4M.ms.fd when the efidisk enrolls keys.
    void check_pve_ovmf() {
        const std::string dir = "/usr/share/pve-edk2-firmware/";
        std::vector<std::string> want = {
            dir + (vm_.machine_type == MachineType::Q35 ? "OVMF_CODE_4M.secboot.fd" : "OVMF_CODE_4M.fd"),
            dir + (vm_.secure_boot ? "OVMF_VARS_4M.ms.fd" : "OVMF_VARS_4M.fd")};
        std::vector<std::string> missing;
        for (const auto& p : want)
            if (!is_regular_file(host_.root.file(p))) missing.push_back(p);
        if (missing.empty())
            add(CheckStatus::Pass, "ovmf", "OVMF present for PVE: " + join(want, ", "));
        else
            add(CheckStatus::Fail, "ovmf", "OVMF files missing for PVE: " + join(missing, ", "),
                "install PVE's OVMF: `apt-get install pve-edk2-firmware`");
    }

    // The emulated TPM is swtpm, which libvirt and qemu-server start beside QEMU ("Unable to find
    // 'swtpm' binary" otherwise); PVE depends on it, the distributions ship it as swtpm (+ tools).
    void check_tpm() {
        if (!vm_.tpm) return;
        for (const char* bin : {"/usr/bin/swtpm", "/usr/sbin/swtpm"})
            if (is_regular_file(host_.root.file(bin))) {
                add(CheckStatus::Pass, "tpm", std::string("swtpm for the emulated TPM 2.0: ") + bin);
                return;
            }
        const HostDistro& distro = distro_;
        std::string install = distro.id == "fedora" ? "dnf install swtpm swtpm-tools"
                              : distro.id == "arch" ? "pacman -S swtpm"
                                                    : "apt-get install swtpm swtpm-tools";
        add(CheckStatus::Fail, "tpm", "the VM has a TPM (tpm, or ostype win11) but swtpm is not installed",
            "install it: `" + install + "`");
    }

    // Looking Glass B7 docs: kvmfr loaded with static_size_mb at least the VM's size, or a
    // tmpfiles.d rule that gives the shared memory file to the client's user.
    void check_looking_glass() {
        if (!vm_.looking_glass) return;
        const LookingGlass& lg = *vm_.looking_glass;
        std::string size = std::to_string(lg.size_mib);
        if (lg.kvmfr) {
            if (!host_.modules.count("kvmfr")) {
                add(CheckStatus::Fail, "looking-glass",
                    "the kvmfr module is not loaded (no /sys/module/kvmfr)",
                    "build kvmfr with DKMS from Looking Glass's module/ directory, then `modprobe kvmfr "
                    "static_size_mb=" +
                        size + "`; `vfiogen host config` writes the files that load it at boot");
                return;
            }
            std::ifstream in(host_.root.sysfs + "/module/kvmfr/parameters/static_size_mb");
            std::string sizes;
            std::getline(in, sizes);
            long long first = 0;
            try {
                first = sizes.empty() ? 0 : std::stoll(sizes.substr(0, sizes.find(',')));
            } catch (const std::exception&) {
                first = 0;
            }
            if (first >= lg.size_mib)
                add(CheckStatus::Pass, "looking-glass",
                    "kvmfr is loaded and /dev/kvmfr0 has " + std::to_string(first) + " MiB (the VM needs " +
                        size + ")");
            else
                add(CheckStatus::Fail, "looking-glass",
                    "kvmfr is loaded but /dev/kvmfr0 has " +
                        (sizes.empty() ? std::string("no size") : sizes + " MiB") +
                        " (static_size_mb); the VM needs " + size + " MiB",
                    "set `options kvmfr static_size_mb=" + size +
                        "` in /etc/modprobe.d/kvmfr.conf and reload kvmfr");
            return;
        }
        // PVE hosts keep their OVMF in /usr/share/pve-edk2-firmware; qemu-server adds the pve-shm- prefix.
        bool pve = is_regular_file(host_.root.file("/usr/share/pve-edk2-firmware/OVMF_CODE_4M.fd")) ||
                   is_regular_file(host_.root.file("/usr/share/perl5/PVE/QemuServer.pm"));
        std::string file = pve ? "/dev/shm/pve-shm-looking-glass" : "/dev/shm/looking-glass";
        std::string rule = tmpfiles_rule_for(file);
        if (rule.empty())
            add(CheckStatus::Warn, "looking-glass",
                "no tmpfiles.d rule for " + file +
                    ": QEMU creates it for its own user, and the Looking Glass client " + "cannot open it",
                "add `f " + file + " " + lg.mode + " " + (lg.user.empty() ? "USER" : lg.user) + " " +
                    lg.group +
                    " -` to /etc/tmpfiles.d/10-looking-glass.conf (`vfiogen host config` writes it)");
        else
            add(CheckStatus::Pass, "looking-glass", "tmpfiles.d rule for " + file + ": " + rule);
    }

    // The first line of /etc/tmpfiles.d/*.conf (under the host root) that creates `path`, or "".
    std::string tmpfiles_rule_for(const std::string& path) const {
        std::error_code ec;
        std::vector<std::filesystem::path> confs;
        for (const auto& e : std::filesystem::directory_iterator(host_.root.file("/etc/tmpfiles.d"), ec))
            if (e.path().extension() == ".conf" && confs.size() < 256) confs.push_back(e.path());
        std::sort(confs.begin(), confs.end());
        for (const auto& conf : confs) {
            std::ifstream in(conf);
            std::string line;
            for (int n = 0; n < 4096 && std::getline(in, line); ++n) {
                std::istringstream fields(line);
                std::string type, p;
                if (fields >> type >> p && !type.empty() && type[0] != '#' && p == path) return line;
            }
        }
        return "";
    }

    const Host& host_;
    const Vm& vm_;
    PciNames& names_;
    const HostDistro distro_;  // read once: the OVMF, TPM and mdev checks all ask
    std::vector<HostFinding> findings_;
    Mark at_;
};

}  // namespace

std::string cmdline_fix(const Host& host, const std::string& action) {
    std::optional<Distro> distro = detect_distro(host.root);
    bool kernel_cmdline = is_regular_file(host.root.file("/etc/kernel/cmdline"));
    if (!distro && kernel_cmdline) distro = Distro::Debian;  // kernel-install
    if (!distro)
        return action + " GRUB_CMDLINE_LINUX_DEFAULT in /etc/default/grub, then run `update-grub` "
                        "(Fedora: `grub2-mkconfig -o /boot/grub2/grub.cfg`) and reboot";
    Boot boot = default_boot(*distro, host);
    if (*distro != Distro::Proxmox && kernel_cmdline) boot = Boot::SystemdBoot;
    KernelCmdlinePlace place = kernel_cmdline_place(*distro, boot);
    std::vector<std::string> commands;
    for (const auto& command : place.apply) commands.push_back("`" + command + "`");
    return action + " " + place.where + ", then " + (commands.empty() ? "" : "run " + join(commands, " and ") + " and ") +
           "reboot";
}

std::vector<HostFinding> check_host(const Host& host, const Vm& vm, PciNames& names) {
    require_host_addresses(vm, "host check");
    return Checker(host, vm, names).run();
}

std::string format_findings_text(const std::vector<HostFinding>& findings, bool color) {
    std::ostringstream out;
    int counts[4] = {0, 0, 0, 0};
    for (const auto& f : findings) {
        ++counts[static_cast<int>(f.status)];
        Tone tone = f.status == CheckStatus::Pass   ? Tone::Pass
                    : f.status == CheckStatus::Info ? Tone::Note
                    : f.status == CheckStatus::Warn ? Tone::Warning
                                                    : Tone::Error;
        out << paint(status_word(f.status), tone, color) << "  " << f.rule << ": " << escape_control(f.message) << "\n";
        if (!f.fix.empty()) out << "      fix: " << escape_control(f.fix) << "\n";
    }
    out << counts[0] << " passed, " << counts[1] << " notes, " << counts[2] << " warnings, " << counts[3] << " failed\n";
    return out.str();
}

int findings_exit_code(const std::vector<HostFinding>& findings, bool fail_on_warning) {
    for (const auto& f : findings)
        if (f.status == CheckStatus::Fail || (fail_on_warning && f.status == CheckStatus::Warn)) return kExitInvalid;
    return kExitOk;
}

}  // namespace vfiogen
