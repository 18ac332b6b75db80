#include "base/strings.h"
#include "host/host_scan.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

#include <nlohmann/json.hpp>

#include "base/text_escape.h"

namespace vfiogen {
namespace {

bool driver_allows_passthrough(const HostDevice& d) {
    return d.driver.empty() || is_vfio_driver(d.driver) || d.driver == "pci-stub";
}

std::string driver_text(const HostDevice& d) { return d.driver.empty() ? "(no driver)" : escape_control(d.driver); }

std::string iommu_summary(const Host& host) {
    std::string units;
    for (const auto& u : host.iommu_units) units += (units.empty() ? "" : ", ") + escape_control(u.name);
    std::string tables = host.acpi_dmar ? "ACPI DMAR" : host.acpi_ivrs ? "ACPI IVRS" : "no ACPI DMAR/IVRS table";
    if (host.iommu_groups.empty())
        return "IOMMU: off (no IOMMU groups; " + tables + ")";
    return "IOMMU: on (" + (units.empty() ? std::string("no unit in /sys/class/iommu") : units) + "; " + tables + "), " +
           std::to_string(host.iommu_groups.size()) + " groups";
}

}  // namespace

GroupViability group_viability(const Host& host, const HostDevice& device, const std::vector<PciAddress>& passed) {
    GroupViability v;
    if (!device.iommu_group) return v;
    v.has_group = true;
    v.group = *device.iommu_group;
    v.members = host.group_of(device);
    for (const HostDevice* m : v.members) {
        bool is_passed = std::find(passed.begin(), passed.end(), m->address) != passed.end();
        if (!is_passed && !m->is_bridge() && !driver_allows_passthrough(*m)) v.blockers.push_back(m);
    }
    return v;
}

std::vector<const HostDevice*> scan_selection(const Host& host, bool all) {
    std::vector<const HostDevice*> out;
    for (const auto& d : host.devices) {
        bool show = all || d.class16() == kClassHdAudio ||
                    std::any_of(host.devices.begin(), host.devices.end(), [&](const HostDevice& g) {
                        return g.is_display() && g.address.same_device(d.address);
                    });
        if (show) out.push_back(&d);
    }
    return out;
}

std::string describe_device(const HostDevice& d, PciNames& names) {
    std::string cls = names.class_name(d.class16());
    std::string vendor = names.vendor(d.id.vendor), device = names.device(d.id.vendor, d.id.device);
    std::string text = (cls.empty() ? "Class" : cls) + " [" + hex_digits(d.class16(), 4) + "]: ";
    text += vendor.empty() ? "Vendor" : vendor;
    text += " " + (device.empty() ? "Device" : device) + " [" + d.id.str() + "]";
    return text;
}

// "  SR-IOV: 7 of 7 VFs enabled: 0000:00:02.1, ..." for a PF, "  SR-IOV VF of 0000:00:02.0" for a VF.
std::string sriov_text(const HostDevice& d) {
    std::string out;
    if (d.physfn) out += "  SR-IOV VF of " + d.physfn->str() + "\n";
    if (!d.sriov_totalvfs) return out;
    out += "  SR-IOV: " + std::to_string(d.sriov_numvfs.value_or(0)) + " of " + std::to_string(*d.sriov_totalvfs) +
           " VFs enabled";
    std::vector<std::string> vfs;
    for (const auto& vf : d.virtfns) vfs.push_back(vf.str());
    return out + (vfs.empty() ? " (sriov_numvfs is 0)" : ": " + join(vfs, ", ")) + "\n";
}

// "  mdev type i915-GVTg_V5_4 (GVTg_V5_4): 1 available, 0 created; low_gm_size: 128MB, ..." per
// mediated device type the function offers.
std::string mdev_text(const HostDevice& d) {
    std::string out;
    for (const auto& t : d.mdev_types) {
        out += "  mdev type " + t.type + (t.name.empty() ? "" : " (" + t.name + ")") + ": " +
               std::to_string(t.available) + " available, " + std::to_string(t.instances.size()) + " created";
        out += (t.description.empty() ? "" : "; " + t.description) + "\n";
    }
    return out;
}

nlohmann::json mdev_json(const HostDevice& d) {
    auto types = nlohmann::json::array();
    for (const auto& t : d.mdev_types)
        types.push_back({{"type", t.type}, {"name", t.name}, {"description", t.description},
                         {"available_instances", t.available}, {"instances", t.instances}});
    return types;
}

std::string host_scan_text(const Host& host, PciNames& names, bool all) {
    std::ostringstream out;
    out << iommu_summary(host) << "\n";
    auto selection = scan_selection(host, all);
    if (selection.empty()) out << "\nNo display-class PCI device found (use --all to list every PCI device).\n";
    for (const HostDevice* d : selection) {
        // Names from pci.ids and strings from sysfs reach the terminal: control characters escaped.
        out << "\n" << d->address.str() << " " << escape_control(describe_device(*d, names)) << "\n";
        std::string sub = names.subsystem(d->id.vendor, d->id.device, d->subsystem.vendor, d->subsystem.device);
        out << "  subsystem: " << (sub.empty() ? "" : escape_control(sub) + " ") << "[" << d->subsystem.str() << "]\n";
        out << "  driver: " << driver_text(*d);
        if (d->boot_vga) out << "  boot_vga: " << (*d->boot_vga ? 1 : 0);
        out << "  reset_method: " << (d->reset_method ? escape_control(*d->reset_method) : "(none)") << "\n";
        out << sriov_text(*d) << mdev_text(*d);
        GroupViability v = group_viability(host, *d);
        if (!v.has_group) {
            out << "  IOMMU group: none\n";
            continue;
        }
        out << "  IOMMU group " << v.group << ": ";
        if (v.viable()) {
            out << "viable\n";
        } else {
            out << "not viable while host drivers hold ";
            for (size_t i = 0; i < v.blockers.size(); ++i) {
                const HostDevice* b = v.blockers[i];
                out << (i ? ", " : "") << b->address.str() << " (" << driver_text(*b)
                    << (b->address.same_device(d->address) ? "" : ", another device") << ")";
            }
            out << "\n";
        }
        for (const HostDevice* m : v.members)
            out << "    " << m->address.str() << " [" << hex_digits(m->class16(), 4) << "] " << m->id.str() << " "
                << driver_text(*m) << (m->is_bridge() ? " (bridge)" : "") << "\n";
    }
    return out.str();
}

std::string host_scan_json(const Host& host, PciNames& names, bool all) {
    using nlohmann::json;
    json units = json::array();
    for (const auto& u : host.iommu_units) units.push_back(u.name);
    json doc;
    doc["iommu"] = {{"enabled", !host.iommu_groups.empty()}, {"units", units}, {"acpi_dmar", host.acpi_dmar},
                    {"acpi_ivrs", host.acpi_ivrs}, {"groups", host.iommu_groups.size()}};
    doc["devices"] = json::array();
    for (const HostDevice* d : scan_selection(host, all)) {
        json dev = {
            {"bdf", d->address.str()},
            {"id", d->id.str()},
            {"subsystem_id", d->subsystem.str()},
            {"class", "0x" + hex_digits(d->class_code, 6)},
            {"class_name", names.class_name(d->class16())},
            {"vendor_name", names.vendor(d->id.vendor)},
            {"device_name", names.device(d->id.vendor, d->id.device)},
            {"subsystem_name", names.subsystem(d->id.vendor, d->id.device, d->subsystem.vendor, d->subsystem.device)},
            {"driver", d->driver.empty() ? json(nullptr) : json(d->driver)},
            {"boot_vga", d->boot_vga ? json(*d->boot_vga) : json(nullptr)},
            {"reset_method", d->reset_method ? json(*d->reset_method) : json(nullptr)},
            {"sriov", d->sriov_totalvfs ? json{{"totalvfs", *d->sriov_totalvfs},
                                               {"numvfs", d->sriov_numvfs.value_or(0)},
                                               {"vfs", [&] {
                                                    json vfs = json::array();
                                                    for (const auto& vf : d->virtfns) vfs.push_back(vf.str());
                                                    return vfs;
                                                }()}}
                                        : json(nullptr)},
            {"physfn", d->physfn ? json(d->physfn->str()) : json(nullptr)},
            {"mdev_types", mdev_json(*d)},
        };
        GroupViability v = group_viability(host, *d);
        if (v.has_group) {
            json members = json::array();
            for (const HostDevice* m : v.members)
                members.push_back({{"bdf", m->address.str()}, {"id", m->id.str()}, {"class", "0x" + hex_digits(m->class_code, 6)},
                                   {"driver", m->driver.empty() ? json(nullptr) : json(m->driver)},
                                   {"bridge", m->is_bridge()}});
            json blockers = json::array();
            for (const HostDevice* b : v.blockers) blockers.push_back(b->address.str());
            dev["iommu_group"] = {{"number", v.group}, {"viable", v.viable()}, {"members", members}, {"blockers", blockers}};
        } else {
            dev["iommu_group"] = nullptr;
        }
        doc["devices"].push_back(dev);
    }
    return doc.dump(2, ' ', false, json::error_handler_t::replace) + "\n";  // not UTF-8: U+FFFD
}

}  // namespace vfiogen
