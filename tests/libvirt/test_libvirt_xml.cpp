// libvirt_xml as a module: marks, refusal of ill-formed XML, what it leaves alone. The rules one
// by one are the case files under tests/data/check/rules (lv-*).
#include <doctest/doctest.h>

#include "libvirt/libvirt_xml.h"
#include "test_helpers.h"

using namespace vfiogen;

TEST_CASE("XmlDocument: marks are 1-based line:col of each node's '<'") {
    XmlDocument doc("<domain type='kvm'>\n  <name>t</name>\n    <devices/>\n</domain>\n", "d.xml");
    pugi::xml_node domain = doc.doc().child("domain");
    CHECK(format_mark(doc.mark_of(domain)) == "d.xml:1:1");
    CHECK(format_mark(doc.mark_of(domain.child("name"))) == "d.xml:2:3");
    CHECK(format_mark(doc.mark_of(domain.child("devices"))) == "d.xml:3:5");
    CHECK(format_mark(doc.mark_at(0)) == "d.xml:1:1");
    CHECK(format_mark(doc.mark_at(22)) == "d.xml:2:3");  // "<domain type='kvm'>\n" is 20 bytes
}

TEST_CASE("ill-formed XML is unreadable input at the line:col pugixml stops") {
    InputError::Kind kind = InputError::Kind::Invalid;
    std::string error = test::input_error_text([] { XmlDocument("<domain>\n  <name>t</nam>\n</domain>\n", "d.xml"); }, &kind);
    CHECK(error.rfind("d.xml:2:", 0) == 0);
    CHECK(kind == InputError::Kind::Unreadable);
}

TEST_CASE("a root other than <domain> gets no passthrough findings (the schema says what it is)") {
    XmlDocument network("<network><name>x</name><hostdev/></network>", "n.xml");
    CHECK(check_libvirt_domain(network).empty());
}

TEST_CASE("an mdev hostdev is not a PCI hostdev: no PCI rules on it, display='on' needs graphics") {
    std::string mdev = "<hostdev mode='subsystem' type='mdev' model='vfio-pci' display='DISPLAY'>"
                       "<source><address uuid='ceb56547-d6da-5fac-b257-a755270359c2'/></source></hostdev>";
    auto domain = [&](const std::string& display, const std::string& graphics) {
        std::string h = mdev;
        h.replace(h.find("DISPLAY"), 7, display);
        return "<domain type='kvm'><name>t</name><os><type arch='x86_64' machine='q35'>hvm</type></os><devices>" +
               graphics + h + "</devices></domain>";
    };
    auto rules = [](const std::string& text) {
        std::vector<std::string> out;
        for (const auto& f : check_libvirt_domain(XmlDocument(text, "d.xml"))) out.push_back(f.rule);
        return out;
    };
    CHECK(rules(domain("off", "")).empty());
    CHECK(rules(domain("on", "")) == std::vector<std::string>{"lv-mdev-display"});
    CHECK(rules(domain("on", "<graphics type='spice'><gl enable='yes'/></graphics>")).empty());
}

TEST_CASE("DomainSchema names its release, or its path") {
    CHECK(DomainSchema(DomainSchema::kDefaultPath, "9.0.0").label() == "libvirt 9.0.0's schema");
    CHECK(DomainSchema().label() == std::string("the schema ") + DomainSchema::kDefaultPath);
    CHECK(test::input_error_text([] { DomainSchema("/nonexistent/domain.rng"); }).rfind("/nonexistent/domain.rng", 0) == 0);
}
