// Reading and checking libvirt domain XML without libvirt: well-formedness (pugixml, with
// byte offsets turned into line:col), libvirt's own RelaxNG schema (libxml2, in-process), and
// the passthrough rules (rule ids lv-*, plus the shared duplicate-host-function,
// gpu-without-audio, pcie-acs-override and unsafe-interrupts).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <pugixml.hpp>

#include "rules/check_common.h"
#include "rules/check_rules.h"

namespace vfiogen {

// A parsed XML document that can say where each of its nodes starts.
class XmlDocument {
public:
    // Parses `text`; `file` labels the marks. Throws InputError (Unreadable) at the failing
    // line:col with pugixml's description when the text is not well-formed XML.
    XmlDocument(std::string_view text, std::string file);

    const pugi::xml_document& doc() const { return doc_; }
    const std::string& file() const { return file_; }
    // The 1-based line:col of `node`'s '<' (of the node's text for text nodes).
    Mark mark_of(const pugi::xml_node& node) const;
    // The 1-based line:col of byte `offset` of the text.
    Mark mark_at(size_t offset) const;

private:
    pugi::xml_document doc_;
    std::string file_;
    std::vector<size_t> line_starts_;  // byte offset of each line's first character
    std::string text_;
};

// libvirt's RelaxNG schema for domain XML, parsed once (libxml2) and reused for every document,
// with one validation context: an instance is not for use from two threads at once.
//
// A schema is one libvirt release's: XML from a newer libvirt may use names it does not know.
// validate() therefore reads the document in two steps. First every element and attribute name
// is looked up in the schema's vocabulary (each name any .rng file reachable from domain.rng
// defines): an unknown one is a warning (lv-schema-unknown) naming it, the release and a close
// known name, and is left out of the second step. Then libxml2 validates the rest; libxml2's
// RelaxNG reports a broken child of an interleave only at its parent ("Extra element devices in
// interleave"), so the offending node is found by validating the document again without one
// node at a time, descending into the node whose removal makes it valid. Each failure is
// reported once, at that node (lv-schema), and then left out to find the next.
class DomainSchema {
public:
    // The default schema path: /usr/share/libvirt/schemas/domain.rng (Debian libvirt-common).
    static constexpr const char* kDefaultPath = "/usr/share/libvirt/schemas/domain.rng";

    // Parses the schema at `path` (and the .rng files it includes, from its directory).
    // `libvirt_version` names the release the schema belongs to in findings ("9.0.0"); empty:
    // findings name the schema's path. Throws InputError (Unreadable) naming `path` when it is
    // missing or not a RelaxNG schema.
    explicit DomainSchema(const std::string& path = kDefaultPath, std::string libvirt_version = "");
    ~DomainSchema();
    DomainSchema(const DomainSchema&) = delete;
    DomainSchema& operator=(const DomainSchema&) = delete;

    // "libvirt 9.0.0's schema" or "the schema /path/domain.rng".
    const std::string& label() const;

    // Validates `text` (already known to be well-formed, see XmlDocument): lv-schema-unknown
    // warnings and lv-schema errors at the offending node's line:col, at most 20, in line order.
    // Time is bounded: at most a few hundred re-validations per document.
    Findings validate(std::string_view text, const XmlDocument& doc) const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// The passthrough rules on a domain (sources: libvirt formatdomain.rst, QEMU docs/igd-assign.txt,
// DOMAIN.md). Nothing is reported when the root element is not <domain> (the schema says so).
// `ctx` gives the host (ROM and chipset rules) and the target QEMU (<qemu:arg>).
Findings check_libvirt_domain(const XmlDocument& doc, const CheckContext& ctx = {});

}  // namespace vfiogen
