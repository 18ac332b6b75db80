#include "libvirt/domain_edit.h"

#include "base/strings.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

#include <pugixml.hpp>

namespace vfiogen {
namespace {

constexpr unsigned kPrintFlags =
    pugi::format_indent | pugi::format_attribute_single_quote | pugi::format_no_declaration;

void parse(pugi::xml_document& doc, const std::string& xml, const char* what) {
    auto result = doc.load_string(xml.c_str());
    if (!result || !doc.child("domain"))
        throw std::runtime_error(std::string(what) + " is not domain XML: " + result.description());
}

// libvirt's own layout as far as pugixml goes: pugixml ends empty elements with " />" where
// libvirt writes "/>"; the space is dropped so a diff against libvirt's XML shows only real
// changes (" />" cannot occur in escaped text or attribute values: '>' is written as &gt;).
std::string print(const pugi::xml_document& doc) {
    std::ostringstream out;
    doc.save(out, "  ", kPrintFlags);
    std::string text = out.str();
    for (size_t pos = 0; (pos = text.find(" />", pos)) != std::string::npos;) text.erase(pos, 1);
    return text;
}

unsigned number(const pugi::xml_node& n, const char* attr) {
    return static_cast<unsigned>(std::strtoul(n.attribute(attr).as_string("0"), nullptr, 0));
}

// libvirt's PCI address attribute form, "0x01".

// What a hostdev passes: a PCI hostdev's host function as "dddd:bb:ss.f", an mdev hostdev's
// instance as "mdev UUID"; "" for anything else.
std::string source_key(const pugi::xml_node& hostdev) {
    std::string type = hostdev.attribute("type").as_string();
    if (type == "mdev") {
        std::string uuid = hostdev.child("source").child("address").attribute("uuid").as_string();
        return uuid.empty() ? "" : "mdev " + uuid;
    }
    if (type != "pci") return "";
    pugi::xml_node a = hostdev.child("source").child("address");
    if (!a) return "";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04x:%02x:%02x.%x", number(a, "domain"), number(a, "bus"), number(a, "slot"),
                  number(a, "function"));
    return buf;
}

pugi::xml_node guest_address(const pugi::xml_node& device) {
    return device.find_child_by_attribute("address", "type", "pci");
}

struct Slot {
    unsigned bus = 0, slot = 0;
    bool operator<(const Slot& o) const { return bus != o.bus ? bus < o.bus : slot < o.slot; }
    bool operator==(const Slot& o) const { return bus == o.bus && slot == o.slot; }
};

// The description of what holds a guest slot, for messages: "<video>" or "<disk> vda".
std::string describe(const pugi::xml_node& device) {
    std::string out = "<" + std::string(device.name()) + ">";
    if (auto target = device.child("target").attribute("dev")) out += " " + std::string(target.as_string());
    if (auto model = device.child("model").attribute("type")) out += " " + std::string(model.as_string());
    else if (auto attr = device.attribute("model")) out += " " + std::string(attr.as_string());
    return out;
}

bool is_q35(const std::string& machine) { return machine.find("q35") != std::string::npos; }

class Attach {
public:
    Attach(const std::string& existing_xml, const std::string& rendered_xml, const Vm& vm) : vm_(vm) {
        parse(doc_, existing_xml, "the domain's XML");
        parse(want_, rendered_xml, "the rendered XML");
        dom_ = doc_.child("domain");
        devices_ = dom_.child("devices") ? dom_.child("devices") : dom_.append_child("devices");
        for (const auto& dev : vm.passthrough)
            for (const auto& f : dev.functions) functions_[f.host.str()] = &f;
    }

    AttachResult run() {
        AttachResult result;
        result.before = print(doc_);
        machine_and_firmware();
        features();
        video();
        hostdevs();
        overrides();
        looking_glass();
        tpm();
        result.after = print(doc_);
        result.warnings = std::move(warnings_);
        return result;
    }

private:
    // --- machine type and firmware ---------------------------------------------------------
    void machine_and_firmware() {
        pugi::xml_node os = dom_.child("os");
        pugi::xml_node want_os = want_.child("domain").child("os");
        pugi::xml_attribute machine = os.child("type").attribute("machine");
        std::string have = machine.as_string(), want = want_os.child("type").attribute("machine").as_string();
        // A <type> without machine= gets libvirt's default machine type for x86_64, "pc" (i440fx).
        std::string uses = have.empty() ? "has no machine type (libvirt's default, i440fx)"
                                        : "uses machine type '" + have + "'";
        if (is_q35(have) != is_q35(want))
            throw InputError(vm_.machine_mark,
                             "domain '" + name() + "' " + uses + " but this VM file needs " + machine_type_name(vm_.machine_type) +
                                 "; attach cannot move a domain between i440fx and q35 (its device "
                                 "addresses differ): define a new domain with 'vfiogen define'");
        if (!vm_.machine_version.empty() && have != want) {
            if (!machine) machine = os.child("type").append_attribute("machine");
            machine.set_value(want.c_str());
        }

        bool have_efi = std::string(os.attribute("firmware").as_string()) == "efi" ||
                        std::string(os.child("loader").attribute("type").as_string()) == "pflash";
        bool want_efi = vm_.firmware == Firmware::Ovmf;
        if (have_efi == want_efi) return;
        for (const char* child : {"loader", "nvram", "firmware"})
            while (os.child(child)) os.remove_child(os.child(child));
        os.remove_attribute("firmware");
        if (want_efi) {
            if (auto fw = want_os.attribute("firmware")) os.append_attribute("firmware") = fw.value();
            pugi::xml_node anchor = os.child("type");
            for (const char* child : {"firmware", "loader", "nvram"}) {
                pugi::xml_node from = want_os.child(child);
                if (!from) continue;
                anchor = os.insert_copy_after(from, anchor);
                // Without an explicit nvram path libvirt names the file after this domain.
                if (std::string(child) == "nvram" && !vm_.nvram)
                    while (anchor.first_child()) anchor.remove_child(anchor.first_child());
            }
        }
        warnings_.push_back({vm_.firmware_mark, Severity::Warning,
                             "domain '" + name() + "' switches from " + (have_efi ? "UEFI (OVMF)" : "BIOS (SeaBIOS)") +
                                 " to " + (want_efi ? "UEFI (OVMF)" : "BIOS (SeaBIOS)") +
                                 " firmware; an installed guest OS may not boot until it is converted"});
    }

    // --- <kvm><hidden/> and <hyperv><vendor_id/> -------------------------------------------
    void features() {
        pugi::xml_node want_features = want_.child("domain").child("features");
        pugi::xml_node hidden = want_features.child("kvm").child("hidden");
        pugi::xml_node vendor = want_features.child("hyperv").child("vendor_id");
        if (!hidden && !vendor) return;
        pugi::xml_node features = dom_.child("features");
        if (!features) features = dom_.insert_child_after("features", dom_.child("os"));
        if (hidden) replace_child(ensure(features, "kvm"), hidden);
        if (vendor) {
            pugi::xml_node hyperv = features.child("hyperv");
            if (!hyperv) {
                hyperv = features.append_child("hyperv");
                hyperv.append_attribute("mode") = "custom";
            }
            replace_child(hyperv, vendor);
        }
    }

    static pugi::xml_node ensure(pugi::xml_node parent, const char* name) {
        pugi::xml_node n = parent.child(name);
        return n ? n : parent.append_child(name);
    }

    // Puts a copy of `from` in `parent` in place of its child of the same name.
    static void replace_child(pugi::xml_node parent, const pugi::xml_node& from) {
        pugi::xml_node old = parent.child(from.name());
        if (old) {
            parent.insert_copy_before(from, old);
            parent.remove_child(old);
        } else {
            parent.append_copy(from);
        }
    }

    // --- <video> -----------------------------------------------------------------------------
    void video() {
        if (vm_.display != Display::None) return;
        pugi::xml_node want_video = want_.child("domain").child("devices").child("video");
        if (!want_video) return;
        std::vector<pugi::xml_node> old;
        for (auto v : devices_.children("video")) old.push_back(v);
        if (old.empty()) devices_.append_copy(want_video);
        else devices_.insert_copy_before(want_video, old.front());
        for (auto& v : old) devices_.remove_child(v);
    }

    // --- Looking Glass: <shmem>, SPICE pieces, <memballoon> -------------------------------------
    // The shmem of the same name is updated in place (its guest address kept); SPICE graphics,
    // the virtio mouse/keyboard and the agent channel are added only when missing.
    void looking_glass() {
        pugi::xml_node want_devices = want_.child("domain").child("devices");
        if (!vm_.looking_glass) return;
        if (pugi::xml_node shmem = want_devices.find_child_by_attribute("shmem", "name", "looking-glass")) {
            pugi::xml_node old = devices_.find_child_by_attribute("shmem", "name", "looking-glass");
            pugi::xml_node added =
                old ? devices_.insert_copy_before(shmem, old) : devices_.append_copy(shmem);
            if (old) {
                if (pugi::xml_node address = old.child("address")) added.append_copy(address);
                devices_.remove_child(old);
            }
        }
        auto add_missing = [&](const pugi::xml_node& want, const char* attr) {
            if (!devices_.find_child_by_attribute(want.name(), attr, want.attribute(attr).value()))
                devices_.append_copy(want);
        };
        for (auto input : want_devices.children("input")) {
            bool have = false;
            for (auto i : devices_.children("input"))
                have |= std::string(i.attribute("type").value()) == input.attribute("type").value() &&
                        std::string(i.attribute("bus").value()) == input.attribute("bus").value();
            if (!have) devices_.append_copy(input);
        }
        if (pugi::xml_node g = want_devices.child("graphics")) add_missing(g, "type");
        if (pugi::xml_node c = want_devices.child("channel")) add_missing(c, "type");
        if (pugi::xml_node balloon = want_devices.child("memballoon")) replace_child(devices_, balloon);
        if (vm_.looking_glass->kvmfr)
            warnings_.push_back(
                {vm_.looking_glass->kvmfr_mark, Severity::Warning,
                 "attach does not add kvmfr's <qemu:commandline> device; add it with 'virsh edit " + name() +
                     "' (see 'vfiogen render --target libvirt')"});
    }

    // --- <tpm>: added when the domain has none; an existing TPM (and its state) is kept --------
    void tpm() {
        pugi::xml_node want = want_.child("domain").child("devices").child("tpm");
        if (want && !devices_.child("tpm")) devices_.append_copy(want);
    }

    // --- PCI and mdev <hostdev>s -----------------------------------------------------------------
    void hostdevs() {
        // The rendering's hostdevs, grouped by the guest slot it gave them (one group per device).
        std::map<Slot, std::vector<pugi::xml_node>> groups;
        std::vector<Slot> order;
        for (auto h : want_.child("domain").child("devices").children("hostdev")) {
            if (source_key(h).empty()) continue;
            pugi::xml_node a = guest_address(h);
            Slot s{number(a, "bus"), number(a, "slot")};
            if (!groups.count(s)) order.push_back(s);
            groups[s].push_back(h);
        }

        // Where each group goes: the slot it already has, or a new one.
        std::map<std::string, pugi::xml_node> existing;
        for (auto h : devices_.children("hostdev"))
            if (!source_key(h).empty()) existing[source_key(h)] = h;
        std::vector<std::pair<std::vector<pugi::xml_node>, std::optional<Slot>>> placed;
        std::set<std::string> ours;
        for (const Slot& want_slot : order) {
            std::optional<Slot> keep;
            bool all = true;
            for (auto h : groups[want_slot]) {
                ours.insert(source_key(h));
                auto it = existing.find(source_key(h));
                pugi::xml_node a = it == existing.end() ? pugi::xml_node() : guest_address(it->second);
                if (!a) {
                    all = false;
                    continue;
                }
                Slot s{number(a, "bus"), number(a, "slot")};
                if (keep && !(*keep == s)) all = false;
                keep = s;
            }
            placed.push_back({groups[want_slot], all ? keep : std::nullopt});
        }

        // The new hostdevs go where the first replaced one was, else after the last hostdev or
        // video: a placeholder marks the spot while the replaced ones are removed.
        std::vector<pugi::xml_node> replaced;
        for (auto h : devices_.children("hostdev"))
            if (ours.count(source_key(h))) replaced.push_back(h);
        pugi::xml_node marker;
        pugi::xml_node after = last_child_named("hostdev") ? last_child_named("hostdev") : last_child_named("video");
        if (!replaced.empty()) marker = devices_.insert_child_before("vfiogen-placeholder", replaced.front());
        else if (after) marker = devices_.insert_child_after("vfiogen-placeholder", after);
        else marker = devices_.append_child("vfiogen-placeholder");
        for (auto& h : replaced) devices_.remove_child(h);

        collect_used_slots();
        for (auto& [nodes, slot] : placed) {
            Slot target = slot ? *slot : allocate(nodes);
            for (auto h : nodes) {
                pugi::xml_node copy = devices_.insert_copy_before(h, marker);
                pugi::xml_node a = guest_address(copy);
                a.attribute("bus").set_value(hex(target.bus, 2).c_str());
                a.attribute("slot").set_value(hex(target.slot, 2).c_str());
            }
        }
        devices_.remove_child(marker);
    }

    pugi::xml_node last_child_named(const char* name) const {
        pugi::xml_node last;
        for (auto n : devices_.children(name)) last = n;
        return last;
    }

    void collect_used_slots() {
        used_.clear();
        max_controller_ = 0;
        for (auto device : devices_.children()) {
            if (pugi::xml_node a = guest_address(device)) used_[{number(a, "bus"), number(a, "slot")}] = device;
            if (std::string(device.name()) == "controller" && std::string(device.attribute("type").as_string()) == "pci")
                max_controller_ = std::max(max_controller_, number(device, "index"));
        }
    }

    // A guest slot for a device new to the domain, following the rendering's choice of place.
    Slot allocate(const std::vector<pugi::xml_node>& nodes) {
        pugi::xml_node a = guest_address(nodes.front());
        Slot want{number(a, "bus"), number(a, "slot")};
        const PassedFunction* f = functions_[source_key(nodes.front())];
        Mark mark = f ? f->mark : vm_.file_mark();
        if (f && f->legacy_igd) {
            auto it = used_.find(want);
            if (it != used_.end())
                throw InputError(mark, "legacy IGD needs guest address 0000:00:02.0, but domain '" + name() +
                                           "' has " + describe(it->second) + " there; remove it from the domain first");
            used_[want] = nodes.front();
            return want;
        }
        if (want.bus != 0) {  // the rendering used a PCIe root port: add one after the last controller
            unsigned index = ++max_controller_;
            pugi::xml_node last;
            for (auto c : devices_.children("controller")) last = c;
            pugi::xml_node c = last ? devices_.insert_child_after("controller", last) : devices_.prepend_child("controller");
            c.append_attribute("type") = "pci";
            c.append_attribute("index") = index;
            c.append_attribute("model") = "pcie-root-port";
            return {index, 0};
        }
        for (unsigned slot : {0x10u, 0x11u, 0x12u, 0x13u, 0x14u, 0x15u, 0x16u, 0x17u, 0x18u, 0x19u, 0x1au, 0x1bu, 0x1cu,
                              0x1du, 0x1eu, 0x1fu, 0x03u, 0x04u, 0x05u, 0x06u, 0x07u, 0x08u, 0x09u, 0x0au, 0x0bu, 0x0cu,
                              0x0du, 0x0eu, 0x0fu}) {
            if (used_.count({0, slot})) continue;
            used_[{0, slot}] = nodes.front();
            return {0, slot};
        }
        throw InputError(mark, "domain '" + name() + "' has no free slot on PCI bus 0 for " + source_key(nodes.front()));
    }

    // --- <qemu:override> -----------------------------------------------------------------------
    void overrides() {
        std::set<std::string> aliases;
        for (auto h : want_.child("domain").child("devices").children("hostdev"))
            aliases.insert(h.child("alias").attribute("name").as_string());
        pugi::xml_node want_override = want_.child("domain").child("qemu:override");
        pugi::xml_node override = dom_.child("qemu:override");
        if (override) {
            std::vector<pugi::xml_node> stale;
            for (auto d : override.children("qemu:device"))
                if (aliases.count(d.attribute("alias").as_string())) stale.push_back(d);
            for (auto& d : stale) override.remove_child(d);
        }
        if (want_override && want_override.child("qemu:device")) {
            if (!dom_.attribute("xmlns:qemu"))
                dom_.append_attribute("xmlns:qemu") = want_.child("domain").attribute("xmlns:qemu").value();
            if (!override) override = dom_.append_child("qemu:override");
            for (auto d : want_override.children("qemu:device")) override.append_copy(d);
        }
        if (override && !override.first_child()) dom_.remove_child(override);
    }

    std::string name() const { return dom_.child("name").text().as_string(); }

    const Vm& vm_;
    pugi::xml_document doc_, want_;
    pugi::xml_node dom_, devices_;
    std::map<std::string, const PassedFunction*> functions_;
    std::map<Slot, pugi::xml_node> used_;
    unsigned max_controller_ = 0;
    Warnings warnings_;
};

}  // namespace

std::string with_uuid(const std::string& xml, const std::string& uuid) {
    pugi::xml_document doc;
    parse(doc, xml, "the rendered XML");
    pugi::xml_node domain = doc.child("domain");
    while (domain.child("uuid")) domain.remove_child("uuid");
    pugi::xml_node name = domain.child("name");
    pugi::xml_node node = name ? domain.insert_child_after("uuid", name) : domain.prepend_child("uuid");
    node.text().set(uuid.c_str());
    return print(doc);
}

namespace {

// The element of vfiogen's namespace among <metadata>'s children (pugixml does not resolve
// namespaces: the element itself declares it, as libvirt writes it back).
pugi::xml_node find_mark(const pugi::xml_node& metadata) {
    for (pugi::xml_node child : metadata.children())
        for (pugi::xml_attribute a : child.attributes())
            if (std::string(a.name()).rfind("xmlns", 0) == 0 && std::string(a.value()) == kVfiogenMetadataNs)
                return child;
    return {};
}

}  // namespace

std::string with_vfiogen_mark(const std::string& xml, const std::string& vm_file) {
    pugi::xml_document doc;
    parse(doc, xml, "the rendered XML");
    pugi::xml_node domain = doc.child("domain");
    pugi::xml_node metadata = domain.child("metadata");
    if (!metadata) {
        pugi::xml_node after;
        for (const char* name : {"name", "uuid", "genid", "title", "description"})
            if (domain.child(name)) after = domain.child(name);
        metadata = after ? domain.insert_child_after("metadata", after) : domain.prepend_child("metadata");
    }
    while (pugi::xml_node old = find_mark(metadata)) metadata.remove_child(old);
    pugi::xml_node mark = metadata.append_child("vfiogen:vm");
    mark.append_attribute("xmlns:vfiogen") = kVfiogenMetadataNs;
    std::string file = vm_file;
    for (char& c : file)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
    mark.append_attribute("file") = file.c_str();
    return print(doc);
}

std::optional<std::string> vfiogen_mark(const std::string& xml) {
    pugi::xml_document doc;
    parse(doc, xml, "the domain XML");
    pugi::xml_node mark = find_mark(doc.child("domain").child("metadata"));
    if (!mark) return std::nullopt;
    return std::string(mark.attribute("file").as_string());
}

std::string canonical_domain_xml(const std::string& xml) {
    pugi::xml_document doc;
    parse(doc, xml, "the domain XML");
    return print(doc);
}

AttachResult attach_passthrough(const std::string& existing_xml, const std::string& rendered_xml, const Vm& vm) {
    return Attach(existing_xml, rendered_xml, vm).run();
}

}  // namespace vfiogen
