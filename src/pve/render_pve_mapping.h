// `vfiogen pve mapping`: PVE PCI resource mapping sections (/etc/pve/mapping/pci.cfg) for the
// passthrough entries of a VM file that say `mapping: ID`, from `host scan --json` of each node.
//
// Format from pve-guest-common src/PVE/Mapping/PCI.pm at 4a8f6cbf (see pve_mapping.h): one
// section per id, one `map` line per node, its sub-keys sorted as PVE's print_property_string
// writes them (id, iommugroup, node, path, subsystem-id). A whole device is mapped by its slot
// (dddd:bb:dd) with the attributes of its function 0, as PCI.pm describes `path`.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "model/pci_address.h"
#include "model/vm.h"

namespace vfiogen {

// One PCI function of a node, from `vfiogen host scan --json` (its devices[] array).
struct ScannedFunction {
    PciAddress address;
    PciId id;
    std::optional<PciId> subsystem;
    std::optional<long long> iommu_group;
};

struct NodeScan {
    std::string node;  // PVE node name
    std::string file;  // the scan's file, for messages
    std::vector<ScannedFunction> functions;
};

// Reads one node's scan. Throws InputError (Unreadable) naming `file` when it is not JSON of
// host scan's shape, and (Invalid) when a BDF, ID or group is not what sysfs gives.
NodeScan read_node_scan(const std::string& node, const std::string& json_text, const std::string& file);

// Reads the scan from `path`: a regular file of at most kMaxInputBytes (InputError Unreadable else).
NodeScan read_node_scan_file(const std::string& node, const std::string& path);

// "NAME=FILE" of --node: the node name (a host name, as pve-common's pve-node) and the file.
// Throws UsageError on a malformed argument.
std::pair<std::string, std::string> split_node_argument(const std::string& argument);

// The pci.cfg text for every passthrough entry of `vm` bound by mapping. Throws InputError at the
// entry's `mapping` key when a node has no device matching its profile, or more than one (naming
// the node, its scan file and the devices), when an id is used twice, or when no entry names a mapping.
std::string render_pve_mapping(const Vm& vm, const std::vector<NodeScan>& nodes);

}  // namespace vfiogen
