// `vfiogen host scan`: the host's GPUs (or every PCI function), their sibling functions,
// names, drivers and IOMMU groups, and whether each group can be given to a guest.
#pragma once

#include <string>
#include <vector>

#include "sysfs/host.h"
#include "sysfs/pci_names.h"

namespace vfiogen {

// Whether an IOMMU group can be handed to a guest. Rule from Linux drivers/vfio (a group is
// viable when every device in it is unbound, bound to a vfio driver or to pci-stub) and the
// VFIO documentation (PCI bridges may stay with the host): every member that is not in
// `passed`, not a PCI bridge (class 0x0604), and bound to any other driver blocks the group.
struct GroupViability {
    bool has_group = false;                   // false: the device has no IOMMU group (IOMMU off)
    unsigned group = 0;
    std::vector<const HostDevice*> members;   // the whole group, in address order
    std::vector<const HostDevice*> blockers;  // members that keep a host driver
    bool viable() const { return has_group && blockers.empty(); }
};

GroupViability group_viability(const Host& host, const HostDevice& device,
                               const std::vector<PciAddress>& passed = {});

// Functions shown by `host scan`: every display-class function (class 0x03xxxx), every
// function in the same PCI device (bus:slot) as one, and every HD audio function (class 0x0403:
// an Intel iGPU's HDMI audio is the PCH's, at 00:1f.3, seeds 002/003), or every function when `all`.
std::vector<const HostDevice*> scan_selection(const Host& host, bool all);

// The readable report (one block per function, `lspci -nnk`-like, plus its IOMMU group).
std::string host_scan_text(const Host& host, PciNames& names, bool all);
// The same as a JSON document ({"iommu": {...}, "devices": [...]}), newline-terminated.
std::string host_scan_json(const Host& host, PciNames& names, bool all);

// "VGA compatible controller [0300]: Intel Corporation Alder Lake-S GT1 [UHD Graphics 730] [8086:4692]"
std::string describe_device(const HostDevice& device, PciNames& names);

}  // namespace vfiogen
