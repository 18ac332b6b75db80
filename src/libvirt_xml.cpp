#include "libvirt_xml.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <map>
#include <sys/stat.h>

#include <libxml/parser.h>
#include <libxml/relaxng.h>
#include <libxml/xmlerror.h>

#include "check_common.h"

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

// ---- RelaxNG schema ----

struct DomainSchema::Impl {
    xmlRelaxNGPtr schema = nullptr;
    xmlRelaxNGValidCtxtPtr validator = nullptr;  // reused for every document (about 10% faster)
};

namespace {

void ignore_errors(void*, const xmlError*) {}

constexpr size_t kMaxSchemaFindings = 20;

struct SchemaErrors {
    const XmlDocument* doc;
    std::string_view text;
    Findings* out;
};

// The element's name, with its namespace prefix, from a libxml2 node.
std::string node_name(const xmlNode* node) {
    if (!node || !node->name) return "";
    std::string name = reinterpret_cast<const char*>(node->name);
    if (node->ns && node->ns->prefix) name = reinterpret_cast<const char*>(node->ns->prefix) + (":" + name);
    return name;
}

void collect_schema_error(void* ctx, const xmlError* error) {
    auto* errors = static_cast<SchemaErrors*>(ctx);
    if (!error || !error->message) return;
    // One broken element makes libxml2 report every enclosing one; beyond a screenful they add nothing.
    if (errors->out->size() >= kMaxSchemaFindings) return;
    std::string message = error->message;
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
    const auto* node = static_cast<const xmlNode*>(error->node);
    std::string name = node && node->type == XML_ELEMENT_NODE ? node_name(node) : "";
    int line = node && node->type == XML_ELEMENT_NODE ? static_cast<int>(xmlGetLineNo(node)) : error->line;
    Mark mark{errors->doc->file(), std::max(line, 0), 0};
    if (!name.empty()) {
        if (message.find(name) == std::string::npos) message = "at <" + name + ">: " + message;
        // Column: the element's '<' on its line.
        if (line > 0) {
            size_t pos = 0;
            for (int l = 1; l < line && pos != std::string_view::npos; ++l) {
                pos = errors->text.find('\n', pos);
                if (pos != std::string_view::npos) ++pos;
            }
            if (pos != std::string_view::npos) {
                size_t end = errors->text.find('\n', pos);
                std::string_view text_line = errors->text.substr(pos, end == std::string_view::npos ? end : end - pos);
                size_t at = text_line.find("<" + name);
                if (at != std::string_view::npos) mark.column = static_cast<int>(at) + 1;
            }
        }
    }
    if (mark.line <= 0) {
        // No node (libxml2's interleave errors): find the element the message names, "... element NAME ...".
        size_t at = message.find("element ");
        if (at != std::string::npos) {
            std::string named = message.substr(at + 8, message.find(' ', at + 8) - (at + 8));
            pugi::xml_node found = errors->doc->doc().find_node(
                [&](const pugi::xml_node& n) { return n.type() == pugi::node_element && named == n.name(); });
            if (found) mark = errors->doc->mark_of(found);
        }
    }
    if (mark.line > 0 && mark.column == 0) mark.column = 1;
    for (const auto& f : *errors->out)
        if (f.mark.line == mark.line && f.message == message) return;
    errors->out->push_back({mark, "lv-schema", "libvirt schema: " + message});
}

}  // namespace

DomainSchema::DomainSchema(const std::string& path) : impl_(std::make_unique<Impl>()) {
    struct stat st {};
    if (stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
        throw InputError(Mark{path, 0, 0}, "cannot read the libvirt RelaxNG schema (missing or not RelaxNG); install libvirt-common",
                         InputError::Kind::Unreadable);
    xmlRelaxNGParserCtxtPtr parser = xmlRelaxNGNewParserCtxt(path.c_str());
    if (!parser) throw InputError(Mark{path, 0, 0}, "cannot read the libvirt RelaxNG schema", InputError::Kind::Unreadable);
    xmlRelaxNGSetParserStructuredErrors(parser, reinterpret_cast<xmlStructuredErrorFunc>(ignore_errors), nullptr);
    impl_->schema = xmlRelaxNGParse(parser);
    xmlRelaxNGFreeParserCtxt(parser);
    if (!impl_->schema)
        throw InputError(Mark{path, 0, 0}, "cannot read the libvirt RelaxNG schema (missing or not RelaxNG); install libvirt-common",
                         InputError::Kind::Unreadable);
    impl_->validator = xmlRelaxNGNewValidCtxt(impl_->schema);
    if (!impl_->validator) {
        xmlRelaxNGFree(impl_->schema);
        throw std::bad_alloc();
    }
}

DomainSchema::~DomainSchema() {
    if (impl_ && impl_->validator) xmlRelaxNGFreeValidCtxt(impl_->validator);
    if (impl_ && impl_->schema) xmlRelaxNGFree(impl_->schema);
}

Findings DomainSchema::validate(std::string_view text, const XmlDocument& doc) const {
    Findings out;
    xmlDocPtr xdoc = xmlReadMemory(text.data(), static_cast<int>(text.size()), doc.file().c_str(), nullptr,
                                   XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_BIG_LINES);
    if (!xdoc) {
        out.push_back({Mark{doc.file(), 0, 0}, "lv-schema", "libxml2 could not read the document for schema validation"});
        return out;
    }
    SchemaErrors errors{&doc, text, &out};
    xmlRelaxNGSetValidStructuredErrors(impl_->validator, reinterpret_cast<xmlStructuredErrorFunc>(collect_schema_error),
                                       &errors);
    int rc = xmlRelaxNGValidateDoc(impl_->validator, xdoc);
    xmlRelaxNGSetValidStructuredErrors(impl_->validator, reinterpret_cast<xmlStructuredErrorFunc>(ignore_errors), nullptr);
    xmlFreeDoc(xdoc);
    if (rc != 0 && out.empty())
        out.push_back({Mark{doc.file(), 0, 0}, "lv-schema", "libvirt schema: the document does not validate"});
    return out;
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

}  // namespace

Findings check_libvirt_domain(const XmlDocument& xml) {
    Findings out;
    pugi::xml_node domain = xml.doc().document_element();
    if (std::strcmp(domain.name(), "domain") != 0) return out;

    // The prefix bound to libvirt's QEMU namespace ("qemu" by convention).
    std::string qemu;
    for (const auto& a : domain.attributes()) {
        std::string name = a.name();
        if (name.rfind("xmlns:", 0) == 0 && std::strcmp(a.value(), kQemuNs) == 0) qemu = name.substr(6) + ":";
    }

    pugi::xml_node os = domain.child("os");
    std::string machine = os.child("type").attribute("machine").value();
    bool q35 = machine.find("q35") != std::string::npos;
    bool i440fx = !q35 && (machine.empty() || machine.rfind("pc", 0) == 0);

    // Secure-boot firmware on i440fx.
    if (i440fx) {
        pugi::xml_node loader = os.child("loader");
        bool secure = enabled(loader.attribute("secure").value()) ||
                      std::string(loader.child_value()).find("secboot") != std::string::npos;
        pugi::xml_node feature;
        for (auto f : os.child("firmware").children("feature"))
            if (std::strcmp(f.attribute("name").value(), "secure-boot") == 0 && enabled(f.attribute("enabled").value()))
                secure = true, feature = f;
        if (secure)
            out.push_back({xml.mark_of(feature ? feature : loader ? loader : os), "lv-secboot-i440fx",
                           "secure-boot OVMF needs machine type q35 with SMM; this domain uses '" + (machine.empty() ? std::string("pc") : machine) + "'"});
    }

    // Element names in the QEMU namespace; kept alive here because pugixml's named ranges keep the pointer.
    const std::string q_override = qemu + "override", q_device = qemu + "device", q_frontend = qemu + "frontend",
                      q_property = qemu + "property", q_commandline = qemu + "commandline", q_arg = qemu + "arg";

    // x-vga overrides by alias.
    std::map<std::string, bool> x_vga;
    if (!qemu.empty())
        for (auto dev : domain.child(q_override.c_str()).children(q_device.c_str()))
            for (auto prop : dev.child(q_frontend.c_str()).children(q_property.c_str()))
                if (std::strcmp(prop.attribute("name").value(), "x-vga") == 0 && enabled(prop.attribute("value").value()))
                    x_vga[dev.attribute("alias").value()] = true;

    std::vector<PassedHost> hosts;
    bool primary_gpu = false;
    pugi::xml_node devices = domain.child("devices");
    for (auto hostdev : devices.children("hostdev")) {
        if (std::strcmp(hostdev.attribute("type").value(), "pci") != 0) continue;
        Mark mark = xml.mark_of(hostdev);
        pugi::xml_node driver = hostdev.child("driver");
        if (!driver)
            out.push_back({mark, "lv-hostdev-driver", "PCI hostdev has no <driver name='vfio'/>"});
        else if (std::strcmp(driver.attribute("name").value(), "vfio") != 0)
            out.push_back({xml.mark_of(driver), "lv-hostdev-driver",
                           std::string("PCI hostdev uses driver '") + driver.attribute("name").value() + "', not 'vfio'"});
        auto host = address_of(hostdev.child("source").child("address"));
        if (!host) continue;
        bool gpu = x_vga.count(hostdev.child("alias").attribute("name").value()) > 0;
        bool igd = host->domain == 0 && host->bus == 0 && host->device == 2 && host->function == 0u;
        hosts.push_back({*host, mark, gpu});
        if (igd) {
            pugi::xml_node guest_node;
            for (auto a : hostdev.children("address"))
                if (std::strcmp(a.attribute("type").value(), "pci") == 0) guest_node = a;
            auto guest = address_of(guest_node);
            bool at_02 = guest && guest->domain == 0 && guest->bus == 0 && guest->device == 2 && guest->function == 0u;
            if (!at_02 || !i440fx)
                out.push_back({guest_node ? xml.mark_of(guest_node) : mark, "lv-igd-address",
                               std::string("the IGD (host 0000:00:02.0) is ") +
                                   (!at_02 ? "not at guest 0000:00:02.0" : "on machine '" + machine + "'") +
                                   (!at_02 && !i440fx ? " and not on an i440fx machine" : "") +
                                   ", so QEMU does not use legacy IGD mode"});
            else
                gpu = true;
        }
        primary_gpu |= gpu;
    }
    if (primary_gpu)
        for (auto video : devices.children("video")) {
            pugi::xml_node model = video.child("model");
            std::string type = model.attribute("type").value();
            if (type != "none")
                out.push_back({xml.mark_of(model ? model : video), "lv-video-primary-gpu",
                               "emulated video model '" + type + "' beside a passed-through primary GPU"});
        }
    check_passed_hosts(hosts, out);

    if (!qemu.empty()) {
        std::vector<pugi::xml_node> args;
        for (auto cmd : domain.children(q_commandline.c_str()))
            for (auto arg : cmd.children(q_arg.c_str())) args.push_back(arg);
        for (size_t i = 0; i < args.size(); ++i) {
            std::string v = args[i].attribute("value").value();
            check_isolation_text(v, xml.mark_of(args[i]), out, false);
            std::string target = v.rfind("-set ", 0) == 0 ? v.substr(5) : v == "-set" && i + 1 < args.size() ? args[i + 1].attribute("value").value() : "";
            if (target.rfind("device.", 0) == 0)
                out.push_back({xml.mark_of(args[i]), "lv-commandline-set",
                               "'-set " + target + "' in <qemu:commandline> is broken on current libvirt (devices are passed as JSON)"});
        }
    }
    if (pugi::xml_node description = domain.child("description"))
        check_isolation_text(description.child_value(), xml.mark_of(description), out, false);

    std::stable_sort(out.begin(), out.end(), [](const Finding& a, const Finding& b) {
        return a.mark.line != b.mark.line ? a.mark.line < b.mark.line : a.mark.column < b.mark.column;
    });
    return out;
}

}  // namespace vfiogen
