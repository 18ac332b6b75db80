// The host as vfiogen sees it: PCI functions, IOMMU groups and units, kernel command line, CPU
// flags and modules, read from sysfs and procfs. Read-only: nothing here writes to the host.
//
// Every path goes through a HostRoot, so tests point the readers at a fixture tree
// (tests/data/hosts/NAME/{sys,proc,usr}) instead of the running machine.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "model/pci_address.h"

namespace vfiogen {

// Where the host's files are: `sysfs` ("/sys"), `proc` ("/proc") and `files`, the root under
// which absolute file paths (ROMs in /usr/share/kvm, OVMF in /usr/share/OVMF) are looked up ("/").
// `vfiogen host ... --root DIR` sets all three to DIR/sys, DIR/proc and DIR.
struct HostRoot {
    std::string sysfs = "/sys";
    std::string proc = "/proc";
    std::string files = "/";

    static HostRoot under(const std::string& dir);
    // `absolute` ("/usr/share/kvm/x.rom") resolved under `files`.
    std::string file(const std::string& absolute) const;
};

// PCI class codes (the 24-bit `class` file: base class, subclass, programming interface).
constexpr unsigned kClassBaseDisplay = 0x03;    // 0x0300 VGA, 0x0302 3D controller
constexpr unsigned kClassVga = 0x0300;          // VGA compatible controller (class16)
constexpr unsigned kClassPciBridge = 0x0604;    // PCI-to-PCI bridge (root and switch ports)
constexpr unsigned kClassHdAudio = 0x0403;      // HD audio (HDMI/DP audio of GPUs, PCH audio)

// One mediated device type a PCI function offers: <BDF>/mdev_supported_types/<type>/ (Linux
// Documentation/driver-api/vfio-mediated-device.rst). Intel GVT-g (5th to 10th gen iGPUs, i915
// with enable_gvt=1 and kvmgt) offers i915-GVTg_V5_1 .. _V5_8.
struct MdevType {
    std::string type;                  // the directory name, what PVE's mdev= and mdevctl take
    std::string name;                  // `name` ("GVTg_V5_4"); "" when missing
    std::string description;           // `description`, one line per property, control characters escaped
    unsigned available = 0;            // `available_instances`: how many more can be created
    std::vector<std::string> instances;  // `devices/`: UUIDs of the instances that exist
};

// One PCI function from <sysfs>/bus/pci/devices/BDF.
struct HostDevice {
    PciAddress address;                       // always with a function
    PciId id;                                 // vendor, device files
    PciId subsystem;                          // subsystem_vendor, subsystem_device files
    unsigned class_code = 0;                  // 24 bits, e.g. 0x030000
    std::string driver;                       // basename of the `driver` link; "" when unbound
    std::optional<unsigned> iommu_group;      // number the `iommu_group` link points to
    std::optional<bool> boot_vga;             // `boot_vga` exists only for VGA-class devices
    std::optional<std::string> reset_method;  // `reset_method` ("flr bus"); absent = no reset method
    // SR-IOV (PCI-SIG; Linux Documentation/PCI/pci-iov-howto.rst): a physical function has
    // sriov_totalvfs (the most VFs it can offer) and sriov_numvfs (how many are enabled now), and
    // a virtfnN link to each enabled VF; a VF has a physfn link to its PF. Intel iGPUs offer VFs
    // from 12th gen on with i915-sriov-dkms or xe.
    std::optional<unsigned> sriov_totalvfs;
    std::optional<unsigned> sriov_numvfs;
    std::vector<PciAddress> virtfns;          // enabled VFs, in virtfnN order
    std::optional<PciAddress> physfn;         // for a VF: its PF
    std::vector<MdevType> mdev_types;         // sorted by type; empty when it offers none

    const MdevType* find_mdev_type(const std::string& type) const;

    unsigned class16() const { return class_code >> 8; }  // 0x0300
    bool is_display() const { return (class_code >> 16) == kClassBaseDisplay; }
    bool is_bridge() const { return class16() == kClassPciBridge; }
};

// One IOMMU unit from <sysfs>/class/iommu: dmarN (Intel VT-d) or ivhdN (AMD-Vi).
struct IommuUnit {
    std::string name;
    std::optional<uint64_t> intel_ecap;       // intel-iommu/ecap (VT-d extended capability register)
};

struct Host {
    HostRoot root;
    std::vector<HostDevice> devices;          // sorted by address
    std::map<unsigned, std::vector<PciAddress>> iommu_groups;  // <sysfs>/kernel/iommu_groups/N/devices
    std::vector<IommuUnit> iommu_units;       // sorted by name
    bool acpi_dmar = false;                   // <sysfs>/firmware/acpi/tables/DMAR exists (Intel VT-d)
    bool acpi_ivrs = false;                   // <sysfs>/firmware/acpi/tables/IVRS exists (AMD-Vi)
    std::vector<std::string> cmdline;         // <proc>/cmdline split on spaces
    std::string cpu_vendor;                   // vendor_id of the first CPU: GenuineIntel, AuthenticAMD
    std::set<std::string> cpu_flags;          // flags of the first CPU
    std::set<std::string> modules;            // <proc>/modules names plus <sysfs>/module/* (built-ins)
    std::string kernel_release;               // <proc>/sys/kernel/osrelease, e.g. 6.2.16-3-pve

    const HostDevice* find(const PciAddress& address) const;
    // Members of `device`'s IOMMU group, itself included; empty when it has no group.
    std::vector<const HostDevice*> group_of(const HostDevice& device) const;
    // The value of `key=` on the command line ("" for a bare `key`), or nothing.
    std::optional<std::string> cmdline_value(const std::string& key) const;
    bool intel() const { return cpu_vendor == "GenuineIntel" || (acpi_dmar && !acpi_ivrs); }
    bool amd() const { return cpu_vendor == "AuthenticAMD" || (acpi_ivrs && !acpi_dmar); }
    // True when the kernel release is at least major.minor (false when unknown).
    bool kernel_at_least(int major, int minor) const;
};

// Reads the host under `root`. Throws InputError (Unreadable, mark = the directory) when
// <sysfs>/bus/pci/devices cannot be read; files that are missing elsewhere are left empty, as
// on a kernel without that feature. Symlinks are read with readlink only, so dangling driver
// links (fixture trees have no driver directories) are fine. Values that reach generated files
// must be what a kernel writes, or the host is refused with InputError (Unreadable) marked with
// the file: vendor/device/subsystem IDs "0x" + 4 hex digits, class "0x" + 6, a `driver` link to
// a name of [A-Za-z0-9_-] (at most 64), an `iommu_group` link to a number, boot_vga 0 or 1,
// proc/sys/kernel/osrelease of [A-Za-z0-9._+~-] (at most 64), sriov_totalvfs/sriov_numvfs a
// number up to 65535 (the SR-IOV capability's 16-bit TotalVFs), physfn/virtfnN links to a BDF,
// mdev type directories named [A-Za-z0-9_-] (at most 64 characters, at most 64 types) with a
// decimal available_instances; instance names that are no UUID are left out.
Host read_host(const HostRoot& root);

// The driver whose name `driver` (sysfs) means "claimed for passthrough".
inline bool is_vfio_driver(const std::string& driver) { return driver == "vfio-pci"; }

}  // namespace vfiogen
