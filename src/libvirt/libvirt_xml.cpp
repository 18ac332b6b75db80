#include "libvirt/libvirt_xml.h"

#include <libxml/parser.h>
#include <libxml/relaxng.h>
#include <libxml/xmlerror.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <map>
#include <optional>

#include "model/legacy_igd.h"
#include "rules/check_common.h"
#include "rules/qemu_args.h"

namespace vfiogen {

// ---- well-formedness ----

XmlDocument::XmlDocument(std::string_view text, std::string file) : file_(std::move(file)), text_(text) {
    line_starts_.push_back(0);
    for (size_t i = 0; i < text_.size(); ++i)
        if (text_[i] == '\n') line_starts_.push_back(i + 1);
    pugi::xml_parse_result r = doc_.load_buffer(text_.data(), text_.size(), pugi::parse_default, pugi::encoding_utf8);
    if (!r) {
        Mark m = mark_at(static_cast<size_t>(std::max<ptrdiff_t>(0, r.offset)));
        throw InputError(m, std::string("XML is not well-formed: ") + r.description(), InputError::Kind::Unreadable);
    }
    if (!doc_.document_element())
        throw InputError(Mark{file_, 0, 0}, "XML has no root element", InputError::Kind::Unreadable);
}

Mark XmlDocument::mark_at(size_t offset) const {
    offset = std::min(offset, text_.size());
    auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
    size_t line = static_cast<size_t>(it - line_starts_.begin());  // 1-based
    return Mark{file_, static_cast<int>(line), static_cast<int>(offset - line_starts_[line - 1]) + 1};
}

Mark XmlDocument::mark_of(const pugi::xml_node& node) const {
    ptrdiff_t offset = node.offset_debug();
    if (offset < 0) return Mark{file_, 0, 0};
    auto o = static_cast<size_t>(offset);
    // pugixml points at the element's name; step back to its '<'.
    if (node.type() == pugi::node_element && o > 0 && o <= text_.size() && text_[o - 1] == '<') --o;
    return mark_at(o);
}

// ---- passthrough rules ----

namespace {

constexpr const char* kQemuNs = "http://libvirt.org/schemas/domain/qemu/1.0";

std::optional<unsigned> number(const pugi::xml_attribute& a) {
    if (!a) return std::nullopt;
    const char* s = a.value();
    char* end = nullptr;
    unsigned long v = std::strtoul(s, &end, 0);
    if (end == s || *end != '\0' || v > 0xffff) return std::nullopt;
    return static_cast<unsigned>(v);
}

std::optional<PciAddress> address_of(const pugi::xml_node& a) {
    if (!a) return std::nullopt;
    auto domain = number(a.attribute("domain")), bus = number(a.attribute("bus")), slot = number(a.attribute("slot")),
         function = number(a.attribute("function"));
    if (!bus || !slot || !function) return std::nullopt;
    return PciAddress{domain.value_or(0), *bus, *slot, *function};
}

bool enabled(const char* v) { return std::strcmp(v, "yes") == 0 || std::strcmp(v, "on") == 0 || std::strcmp(v, "true") == 0; }

// A libvirt scaled size (<size unit='M'>64</size>) in bytes; libvirt reads no unit as bytes.
// nullopt when it is not a number with a unit libvirt knows.
std::optional<unsigned long long> scaled_bytes(const pugi::xml_node& size) {
    std::string text = size.child_value(), unit = size.attribute("unit").value();
    if (text.empty() || text.size() > 15 || text.find_first_not_of("0123456789") != std::string::npos)
        return std::nullopt;
    static const std::map<std::string, unsigned long long> kUnits = {{"", 1},
                                                                     {"b", 1},
                                                                     {"bytes", 1},
                                                                     {"k", 1ull << 10},
                                                                     {"KiB", 1ull << 10},
                                                                     {"M", 1ull << 20},
                                                                     {"MiB", 1ull << 20},
                                                                     {"G", 1ull << 30},
                                                                     {"GiB", 1ull << 30},
                                                                     {"KB", 1000},
                                                                     {"MB", 1000000},
                                                                     {"GB", 1000000000}};
    auto it = kUnits.find(unit);
    if (it == kUnits.end()) return std::nullopt;
    return std::stoull(text) * it->second;
}

// Secure Boot with an explicit loader needs SMM (libvirt src/qemu/qemu_validate.c: "Secure boot
// requires SMM feature enabled"; with <os firmware='efi'> libvirt turns SMM on itself). A shmem
// is a PCI BAR, a power of two (QEMU hw/pci/pci.c pci_register_bar); Looking Glass's docs ask for
// <memballoon model='none'/>, and libvirt adds a virtio balloon when there is no <memballoon>.
void check_firmware_and_shmem(const XmlDocument& xml, const pugi::xml_node& domain, Findings& out) {
    pugi::xml_node os = domain.child("os");
    pugi::xml_node loader = os.child("loader");
    pugi::xml_node smm = domain.child("features").child("smm");
    bool smm_on = smm && (!smm.attribute("state") || enabled(smm.attribute("state").value()));
    if (enabled(loader.attribute("secure").value()) && !os.attribute("firmware") && !smm_on)
        out.push_back(
            {xml.mark_of(loader), "lv-secboot-smm",
             "<loader secure='yes'> without <smm state='on'/> in <features>: libvirt refuses the domain "
             "(\"Secure boot requires SMM feature enabled\")"});
    pugi::xml_node devices = domain.child("devices");
    bool looking_glass = false;
    for (auto shmem : devices.children("shmem")) {
        looking_glass |= std::strcmp(shmem.attribute("name").value(), "looking-glass") == 0;
        pugi::xml_node size = shmem.child("size");
        auto bytes = size ? scaled_bytes(size) : std::nullopt;
        if (bytes && *bytes > 0 && (*bytes & (*bytes - 1)) != 0)
            out.push_back(
                {xml.mark_of(size), "lv-shmem-size",
                 "shmem '" + std::string(shmem.attribute("name").value()) + "' size " + size.child_value() +
                     (size.attribute("unit") ? std::string(" ") + size.attribute("unit").value() : " bytes") +
                     " is not a power of two; QEMU refuses the device"});
    }
    pugi::xml_node balloon = devices.child("memballoon");
    if (looking_glass && std::strcmp(balloon.attribute("model").value(), "none") != 0)
        out.push_back(
            {xml.mark_of(balloon ? balloon : devices), "lv-shmem-memballoon",
             balloon ? "memory balloon '" + std::string(balloon.attribute("model").value()) +
                           "' beside Looking Glass's shmem: set <memballoon model='none'/>"
                     : std::string("no <memballoon> beside Looking Glass's shmem: libvirt adds a virtio "
                                   "balloon; add <memballoon model='none'/>")});
}

}  // namespace

// OVMF: <os firmware='efi'>, or a loader that is an OVMF/edk2 image or of type pflash.
bool uses_ovmf(const pugi::xml_node& os) {
    if (std::strcmp(os.attribute("firmware").value(), "efi") == 0) return true;
    pugi::xml_node loader = os.child("loader");
    std::string path = loader.child_value();
    return std::strcmp(loader.attribute("type").value(), "pflash") == 0 || path.find("OVMF") != std::string::npos ||
           path.find("edk2") != std::string::npos;
}

namespace {

// What several rules of one domain read.
struct DomainFacts {
    std::string qemu;     // the prefix bound to libvirt's QEMU namespace ("qemu:" by convention), or ""
    std::string machine;  // <os><type machine=...>, as written
    bool i440fx = false;
    bool ovmf = false;
    std::map<std::string, bool> x_vga;  // hostdev aliases with an x-vga=on override

    std::string q(const char* name) const { return qemu + name; }
};

DomainFacts domain_facts(const pugi::xml_node& domain) {
    DomainFacts d;
    for (const auto& a : domain.attributes()) {
        std::string name = a.name();
        if (name.rfind("xmlns:", 0) == 0 && std::strcmp(a.value(), kQemuNs) == 0) d.qemu = name.substr(6) + ":";
    }
    pugi::xml_node os = domain.child("os");
    d.machine = os.child("type").attribute("machine").value();
    d.i440fx = chipset_of(d.machine) == Chipset::I440fx;
    d.ovmf = uses_ovmf(os);
    if (d.qemu.empty()) return d;
    // Names kept alive here because pugixml's named ranges keep the pointer.
    const std::string q_override = d.q("override"), q_device = d.q("device"), q_frontend = d.q("frontend"),
                      q_property = d.q("property");
    for (auto dev : domain.child(q_override.c_str()).children(q_device.c_str()))
        for (auto prop : dev.child(q_frontend.c_str()).children(q_property.c_str()))
            if (std::strcmp(prop.attribute("name").value(), "x-vga") == 0 && enabled(prop.attribute("value").value()))
                d.x_vga[dev.attribute("alias").value()] = true;
    return d;
}

// Secure-boot firmware on i440fx.
void check_secboot_i440fx(const XmlDocument& xml, const pugi::xml_node& os, const DomainFacts& d, Findings& out) {
    if (!d.i440fx) return;
    pugi::xml_node loader = os.child("loader");
    bool secure = enabled(loader.attribute("secure").value()) ||
                  std::string(loader.child_value()).find("secboot") != std::string::npos;
    pugi::xml_node feature;
    for (auto f : os.child("firmware").children("feature"))
        if (std::strcmp(f.attribute("name").value(), "secure-boot") == 0 && enabled(f.attribute("enabled").value()))
            secure = true, feature = f;
    if (secure)
        out.push_back({xml.mark_of(feature ? feature : loader ? loader : os), "lv-secboot-i440fx",
                       "secure-boot OVMF needs machine type q35 with SMM; this domain uses '" +
                           (d.machine.empty() ? std::string("pc") : d.machine) + "'"});
}

// The IGD at host 00:02.0 is used in legacy mode only at guest 00:02.0 on i440fx (model/legacy_igd.h).
// Returns whether it is.
bool check_igd_address(const XmlDocument& xml, const pugi::xml_node& hostdev, const DomainFacts& d, Findings& out) {
    pugi::xml_node guest_node;
    for (auto a : hostdev.children("address"))
        if (std::strcmp(a.attribute("type").value(), "pci") == 0) guest_node = a;
    auto guest = address_of(guest_node);
    bool at_02 = guest && is_igd_address(*guest);
    if (at_02 && d.i440fx) return true;
    out.push_back({guest_node ? xml.mark_of(guest_node) : xml.mark_of(hostdev), "lv-igd-address",
                   std::string("the IGD (host 0000:00:02.0) is ") +
                       (!at_02 ? "not at guest 0000:00:02.0" : "on machine '" + d.machine + "'") +
                       (!at_02 && !d.i440fx ? " and not on an i440fx machine" : "") +
                       ", so QEMU does not use legacy IGD mode"});
    return false;
}

// One PCI hostdev's own rules; adds what it passes to `hosts`. Returns whether it is a primary GPU.
bool check_pci_hostdev(const XmlDocument& xml, const pugi::xml_node& hostdev, const DomainFacts& d,
                       std::vector<PassedHost>& hosts, Findings& out) {
    pugi::xml_node driver = hostdev.child("driver");
    if (std::strcmp(driver.attribute("name").value(), "kvm") == 0)
        out.push_back({xml.mark_of(driver), "lv-hostdev-driver",
                       "PCI hostdev uses driver 'kvm': legacy KVM device assignment was disabled in libvirt 5.7; "
                       "remove <driver> or use name='vfio'"});
    pugi::xml_node rom = hostdev.child("rom");
    if (rom && std::strcmp(rom.attribute("bar").value(), "off") == 0 && *rom.attribute("file").value() && d.ovmf)
        out.push_back({xml.mark_of(rom), "romfile-rombar-off",
                       std::string("<rom bar='off' file='") + rom.attribute("file").value() +
                           "'> under OVMF: QEMU then gives the ROM only to SeaBIOS (fw_cfg); OVMF never runs it"});
    auto host = address_of(hostdev.child("source").child("address"));
    if (!host) return false;
    bool gpu = d.x_vga.count(hostdev.child("alias").attribute("name").value()) > 0;
    PassedHost passed{*host, xml.mark_of(hostdev), gpu, "", {}, ""};
    if (rom && *rom.attribute("file").value())
        passed.romfile = passed.rom_path = rom.attribute("file").value(), passed.rom_mark = xml.mark_of(rom);
    hosts.push_back(passed);
    if (is_igd_address(*host)) gpu |= check_igd_address(xml, hostdev, d, out);
    return gpu;
}

void check_hostdevs(const XmlDocument& xml, const pugi::xml_node& devices, const DomainFacts& d,
                    const CheckContext& ctx, Findings& out) {
    std::vector<PassedHost> hosts;
    bool primary_gpu = false;
    for (auto hostdev : devices.children("hostdev")) {
        if (std::strcmp(hostdev.attribute("type").value(), "pci") == 0)
            primary_gpu |= check_pci_hostdev(xml, hostdev, d, hosts, out);
        // qemu_validate.c: display='on' needs a <graphics> in the domain.
        else if (std::strcmp(hostdev.attribute("type").value(), "mdev") == 0 &&
                 std::strcmp(hostdev.attribute("display").value(), "on") == 0 && !devices.child("graphics"))
            out.push_back({xml.mark_of(hostdev), "lv-mdev-display",
                           "mdev hostdev with display='on' but the domain has no <graphics>: libvirt refuses to start it"});
    }
    if (primary_gpu)
        for (auto video : devices.children("video")) {
            pugi::xml_node model = video.child("model");
            std::string type = model.attribute("type").value();
            if (type != "none")
                out.push_back({xml.mark_of(model ? model : video), "lv-video-primary-gpu",
                               "emulated video model '" + type + "' beside a passed-through primary GPU"});
        }
    check_passed_hosts(hosts, out, ctx);
}

// <qemu:commandline> arguments: QEMU's option table, isolation switches and broken -set device.
void check_commandline(const XmlDocument& xml, const pugi::xml_node& domain, const DomainFacts& d,
                       const CheckContext& ctx, Findings& out) {
    if (d.qemu.empty()) return;
    const std::string q_commandline = d.q("commandline"), q_arg = d.q("arg");
    std::vector<pugi::xml_node> args;
    std::vector<QemuArg> words;
    for (auto cmd : domain.children(q_commandline.c_str()))
        for (auto arg : cmd.children(q_arg.c_str())) {
            args.push_back(arg);
            words.push_back({arg.attribute("value").value(), xml.mark_of(arg)});
        }
    check_qemu_args(words, ctx.qemu, out);
    for (size_t i = 0; i < args.size(); ++i) {
        std::string v = args[i].attribute("value").value();
        check_isolation_text(v, xml.mark_of(args[i]), out, false);
        std::string target = v.rfind("-set ", 0) == 0                  ? v.substr(5)
                             : v == "-set" && i + 1 < args.size() ? args[i + 1].attribute("value").value()
                                                                  : "";
        if (target.rfind("device.", 0) == 0)
            out.push_back({xml.mark_of(args[i]), "lv-commandline-set",
                           "'-set " + target + "' in <qemu:commandline> is broken on current libvirt (devices are passed as JSON)"});
    }
}

}  // namespace

Findings check_libvirt_domain(const XmlDocument& xml, const CheckContext& ctx) {
    Findings out;
    pugi::xml_node domain = xml.doc().document_element();
    if (std::strcmp(domain.name(), "domain") != 0) return out;
    DomainFacts d = domain_facts(domain);
    check_secboot_i440fx(xml, domain.child("os"), d, out);
    check_hostdevs(xml, domain.child("devices"), d, ctx, out);
    check_commandline(xml, domain, d, ctx, out);
    if (pugi::xml_node description = domain.child("description"))
        check_isolation_text(description.child_value(), xml.mark_of(description), out, false);
    check_firmware_and_shmem(xml, domain, out);
    std::stable_sort(out.begin(), out.end(), [](const Finding& a, const Finding& b) {
        return a.mark.line != b.mark.line ? a.mark.line < b.mark.line : a.mark.column < b.mark.column;
    });
    return out;
}

}  // namespace vfiogen
