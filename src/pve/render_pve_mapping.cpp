#include "pve/render_pve_mapping.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "base/bounded_read.h"
#include "model/yaml_source.h"

namespace vfiogen {
namespace {

// pve-common pve-node: a host name label, [a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?
bool valid_node_name(const std::string& n) {
    if (n.empty() || n.size() > 63 || n.front() == '-' || n.back() == '-') return false;
    return std::all_of(n.begin(), n.end(),
                       [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-'; });
}

ScannedFunction scanned_function(const nlohmann::json& d, const std::string& file) {
    auto fail = [&](const std::string& why) {
        throw InputError(Mark{file, 0, 0}, "host scan device " + why);
    };
    if (!d.is_object() || !d.contains("bdf") || !d["bdf"].is_string() || !d.contains("id") ||
        !d["id"].is_string())
        fail("entry without string 'bdf' and 'id'");
    std::string err;
    ScannedFunction f;
    auto address = parse_pci_address(d["bdf"].get<std::string>(), &err);
    if (!address || !address->function)
        fail("'bdf' is not dddd:bb:dd.f: " + d["bdf"].get<std::string>().substr(0, 40));
    f.address = *address;
    auto id = parse_pci_id(d["id"].get<std::string>(), &err);
    if (!id) fail("'id' of " + f.address.str() + ": " + err);
    f.id = *id;
    if (d.contains("subsystem_id") && d["subsystem_id"].is_string()) {
        auto sub = parse_pci_id(d["subsystem_id"].get<std::string>(), &err);
        if (!sub) fail("'subsystem_id' of " + f.address.str() + ": " + err);
        f.subsystem = *sub;
    }
    if (d.contains("iommu_group") && d["iommu_group"].is_object() && d["iommu_group"].contains("number")) {
        const auto& n = d["iommu_group"]["number"];
        if (!n.is_number_unsigned()) fail("IOMMU group of " + f.address.str() + " is not a number");
        f.iommu_group = n.get<long long>();
    }
    return f;
}

// Function 0's address and the profile functions' IDs at their function numbers: every slot of
// `scan` where each function of the device is present with its ID.
std::vector<const ScannedFunction*> matching_slots(const PassthroughDevice& dev, const NodeScan& scan) {
    std::vector<const ScannedFunction*> out;
    for (const auto& head : scan.functions) {
        if (head.address.function != 0u && dev.functions.size() > 1) continue;
        bool all = true;
        for (size_t i = 0; i < dev.functions.size() && all; ++i) {
            unsigned fn = dev.functions.size() > 1 ? static_cast<unsigned>(i) : *head.address.function;
            all = std::any_of(scan.functions.begin(), scan.functions.end(), [&](const ScannedFunction& f) {
                return f.address.same_device(head.address) && f.address.function == fn &&
                       f.id.str() == dev.functions[i].id.str();
            });
        }
        if (all) out.push_back(&head);
    }
    return out;
}

std::string map_line(const PassthroughDevice& dev, const NodeScan& scan, const ScannedFunction& head) {
    PciAddress path = head.address;
    if (dev.functions.size() > 1) path.function.reset();  // the whole device, by its slot
    std::string v = "id=" + head.id.str();
    if (head.iommu_group) v += ",iommugroup=" + std::to_string(*head.iommu_group);
    v += ",node=" + scan.node + ",path=" + path.str();
    if (head.subsystem) v += ",subsystem-id=" + head.subsystem->str();
    return "\tmap " + v + "\n";
}

}  // namespace

std::pair<std::string, std::string> split_node_argument(const std::string& argument) {
    size_t eq = argument.find('=');
    std::string node = argument.substr(0, eq);
    if (eq == std::string::npos || eq + 1 == argument.size() || !valid_node_name(node))
        throw UsageError("--node '" + argument +
                         "': give NODE=SCAN.json, NODE a PVE node name (letters, digits, inner '-')");
    return {node, argument.substr(eq + 1)};
}

NodeScan read_node_scan(const std::string& node, const std::string& json_text, const std::string& file) {
    NodeScan scan{node, file, {}};
    nlohmann::json doc = nlohmann::json::parse(json_text, nullptr, false);
    if (doc.is_discarded() || !doc.is_object() || !doc.contains("devices") || !doc["devices"].is_array())
        throw InputError(Mark{file, 0, 0},
                         "not the output of 'vfiogen host scan --json' (a JSON object with a devices array)",
                         InputError::Kind::Unreadable);
    for (const auto& d : doc["devices"]) scan.functions.push_back(scanned_function(d, file));
    return scan;
}

NodeScan read_node_scan_file(const std::string& node, const std::string& path) {
    // Bounded, and checked to be a regular file on the open descriptor (a FIFO neither blocks
    // nor is read): base/bounded_read.h.
    return read_node_scan(node, read_regular_file(path, kMaxInputBytes), path);
}

std::string render_pve_mapping(const Vm& vm, const std::vector<NodeScan>& nodes) {
    std::string out;
    std::set<std::string> ids;
    for (const auto& dev : vm.passthrough) {
        if (dev.mapping.empty()) continue;
        if (!ids.insert(dev.mapping).second)
            throw InputError(dev.mapping_mark,
                             "mapping '" + dev.mapping + "' is named by two passthrough entries");
        std::string section = dev.mapping + "\n";
        for (const auto& scan : nodes) {
            auto found = matching_slots(dev, scan);
            std::string what = "profile '" + dev.profile + "' (" + dev.functions.front().id.str() +
                               (dev.functions.size() > 1
                                    ? " and " + std::to_string(dev.functions.size() - 1) + " more function(s)"
                                    : "") +
                               ")";
            if (found.empty())
                throw InputError(dev.mapping_mark, "node '" + scan.node + "' (" + scan.file +
                                                       ") has no device matching " + what + " for mapping '" +
                                                       dev.mapping + "'");
            if (found.size() > 1)
                throw InputError(dev.mapping_mark,
                                 "node '" + scan.node + "' (" + scan.file + ") has two devices matching " +
                                     what + " for mapping '" + dev.mapping + "': " + found[0]->address.str() +
                                     " and " + found[1]->address.str() +
                                     "; write that node's map line by hand");
            section += map_line(dev, scan, *found.front());
        }
        out += (out.empty() ? "" : "\n") + section;
    }
    if (out.empty())
        throw InputError(vm.file_mark(), "no passthrough entry names a 'mapping': nothing to write");
    return out;
}

}  // namespace vfiogen
