// Proxmox VE resource mappings for PCI devices: /etc/pve/mapping/pci.cfg (PVE 8.0+).
//
// Source: proxmox/pve-guest-common src/PVE/Mapping/PCI.pm at 4a8f6cbf (2025-07-30), a
// PVE::SectionConfig file: a section is a line holding only the mapping id (pve-configid,
// [a-z][a-z0-9_-]+, case-insensitive), then its properties one per line, each indented
// ("\tmap node=pve1,path=0000:01:00.0,id=10de:1d01,subsystem-id=1458:3771,iommugroup=14",
// "\tmdev 1", "\tdescription ..."), with a blank line between sections. A VM uses a section
// with `hostpciN: mapping=<id>`.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/diagnostic.h"

namespace vfiogen {

// One `map` line: where the device sits on one node.
struct PciMap {
    std::string node;          // PVE node name
    std::string path;          // dddd:bb:dd[.f] (the domain is required), several joined by ';'
    std::string id;            // vendor:device, 4 hex digits each
    std::string subsystem_id;  // subsystem vendor:device, or ""
    std::optional<long long> iommugroup;
    Mark mark;
};

struct PciMapping {
    std::string id;  // the section's mapping id
    Mark mark;
    std::vector<PciMap> maps;
    bool mdev = false;
};

struct PciMappingFile {
    std::string file;
    std::vector<PciMapping> mappings;
    std::vector<std::pair<Mark, std::string>> problems;  // lines pve-guest-common rejects or ignores

    const PciMapping* find(std::string_view id) const;
};

// Reads a pci.cfg held in memory; `file` labels the marks. Never throws on content.
PciMappingFile parse_pci_mapping(std::string_view text, const std::string& file);

// True when `path` is a file name PVE uses for PCI mappings ("pci.cfg", any directory).
bool is_pci_mapping_path(std::string_view path);

}  // namespace vfiogen
