// DomainSchema: libvirt's RelaxNG domain schema through libxml2, with the offending node found
// by re-validation (see libvirt_xml.h).
#include <libxml/parser.h>
#include <libxml/relaxng.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <map>
#include <optional>
#include <set>

#include "base/suggest.h"
#include "base/bounded_read.h"
#include "libvirt/libvirt_xml.h"

namespace vfiogen {

namespace {

constexpr size_t kMaxSchemaFindings = 20;
// Re-validations per document: at most 400, and at most 64 MiB of document validated in all, so
// that a 4 MiB hostile file costs 16 validations, not 400.
constexpr int kMaxValidations = 400;
constexpr size_t kMaxValidatedBytes = size_t{64} << 20;

// Every name a schema and the .rng files it includes define.
struct Vocabulary {
    std::set<std::string> elements;
    std::set<std::string> attributes;
    // Attribute name -> the <value>s written inside its <attribute> definitions (refs not followed).
    std::map<std::string, std::set<std::string>> values;
};

std::string dir_of(const std::string& path) {
    size_t slash = path.rfind('/');
    return slash == std::string::npos ? "." : path.substr(0, slash);
}

void read_vocabulary(const std::string& path, Vocabulary& v, std::set<std::string>& seen) {
    if (seen.size() > 64 || !seen.insert(path).second) return;
    pugi::xml_document rng;
    if (!rng.load_file(path.c_str())) return;
    auto local = [](const char* name) {
        const char* colon = std::strchr(name, ':');
        return std::string(colon ? colon + 1 : name);
    };
    for (pugi::xpath_node x : rng.select_nodes("//*")) {
        pugi::xml_node n = x.node();
        std::string kind = local(n.name());
        if (kind == "include" || kind == "externalRef") {
            std::string href = n.attribute("href").value();
            if (!href.empty() && href.find('/') == std::string::npos)
                read_vocabulary(dir_of(path) + "/" + href, v, seen);
            continue;
        }
        if (kind != "element" && kind != "attribute") continue;
        std::string name = n.attribute("name").value();
        if (name.empty())
            for (auto child : n.children())
                if (local(child.name()) == "name") name = child.child_value();
        if (name.empty()) continue;
        name = local(name.c_str());
        if (kind == "element") {
            v.elements.insert(name);
            continue;
        }
        v.attributes.insert(name);
        for (pugi::xpath_node value : n.select_nodes(".//*[local-name()='value']"))
            v.values[name].insert(value.node().child_value());
    }
}

void ignore_errors(void*, const xmlError*) {}

// The first libxml2 error of a validation, kept for a failure no re-validation pinpoints.
struct FirstError {
    std::string message;
    const xmlNode* node = nullptr;
};

void keep_first_error(void* ctx, const xmlError* error) {
    auto* first = static_cast<FirstError*>(ctx);
    if (!error || !error->message || !first->message.empty()) return;
    first->message = error->message;
    while (!first->message.empty() && (first->message.back() == '\n' || first->message.back() == ' '))
        first->message.pop_back();
    first->node = static_cast<const xmlNode*>(error->node);
}

std::string name_of(const xmlNode* node) {
    if (!node || !node->name) return "";
    std::string name = reinterpret_cast<const char*>(node->name);
    if (node->ns && node->ns->prefix) name = reinterpret_cast<const char*>(node->ns->prefix) + (":" + name);
    return name;
}

std::string value_of(const xmlAttr* attr) {
    xmlChar* v = xmlNodeListGetString(attr->doc, attr->children, 1);
    std::string out = v ? reinterpret_cast<const char*>(v) : "";
    xmlFree(v);
    return out;
}

std::vector<std::string> as_vector(const std::set<std::string>& s) { return {s.begin(), s.end()}; }

// A node (an element, or one attribute of it) left out of the document and put back.
struct Removal {
    xmlNode* node;
    xmlNode* parent;
    xmlNode* next;
    explicit Removal(xmlNode* n) : node(n), parent(n->parent), next(n->next) { xmlUnlinkNode(node); }
    void restore() {
        if (node->type == XML_ATTRIBUTE_NODE || !next)
            xmlAddChild(parent, node);
        else
            xmlAddPrevSibling(next, node);
    }
};

struct SchemaData {
    xmlRelaxNGPtr schema = nullptr;
    xmlRelaxNGValidCtxtPtr validator = nullptr;  // reused for every document (about 10% faster)
    Vocabulary vocabulary;
    std::vector<std::string> element_names, attribute_names;
    std::string label;
};

// One validate() run: the document in libxml2's tree, the findings, the validation budget.
class Validation {
  public:
    Validation(const SchemaData& schema, std::string_view text, const XmlDocument& doc, xmlDocPtr xdoc,
               Findings& out)
        : s_(schema), text_(text), doc_(doc), xdoc_(xdoc), out_(out) {
        budget_ = static_cast<int>(std::clamp<size_t>(kMaxValidatedBytes / std::max<size_t>(text.size(), 1), 4, kMaxValidations));
        size_t pos = 0;
        line_starts_.push_back(0);
        while ((pos = text_.find('\n', pos)) != std::string_view::npos) line_starts_.push_back(++pos);
    }

    void run() {
        xmlNode* root = xmlDocGetRootElement(xdoc_);
        if (!root) return;
        unknown_names(root);
        while (out_.size() < kMaxSchemaFindings) {
            FirstError first;
            if (valid(&first)) return;
            if (budget_ <= 0) return report_unlocated(first);
            Culprit c = locate(root);
            if (!c.node || c.node == root) return report_unlocated(first);
            report(c);
            if (!c.valid_value.empty()) {  // a required attribute: keep it, with a value the schema takes
                xmlSetProp(c.node->parent, c.node->name,
                           reinterpret_cast<const xmlChar*>(c.valid_value.c_str()));
                continue;
            }
            xmlNode* gone = c.node;
            xmlUnlinkNode(gone);
            if (gone->type == XML_ATTRIBUTE_NODE)
                xmlFreeProp(reinterpret_cast<xmlAttr*>(gone));
            else
                xmlFreeNode(gone);
        }
    }

  private:
    struct Culprit {
        xmlNode* node = nullptr;  // an element or an attribute (XML_ATTRIBUTE_NODE)
        int depth = 0;
        std::string
            valid_value;  // for an attribute: a value of the schema's with which the document validates
    };

    bool valid(FirstError* first = nullptr) {
        --budget_;
        xmlRelaxNGSetValidStructuredErrors(s_.validator,
                                           first ? reinterpret_cast<xmlStructuredErrorFunc>(keep_first_error)
                                                 : reinterpret_cast<xmlStructuredErrorFunc>(ignore_errors),
                                           first);
        int rc = xmlRelaxNGValidateDoc(s_.validator, xdoc_);
        xmlRelaxNGSetValidStructuredErrors(s_.validator,
                                           reinterpret_cast<xmlStructuredErrorFunc>(ignore_errors), nullptr);
        return rc == 0;
    }

    bool valid_without(xmlNode* node) {
        if (budget_ <= 0) return false;
        Removal r(node);
        bool ok = valid();
        r.restore();
        return ok;
    }

    // Lookup of each name before validation: a name the schema never defines is a newer
    // libvirt's or a misspelling; it is reported and left out. <metadata> holds any XML.
    void unknown_names(xmlNode* element) {
        std::vector<xmlNode*> unknown;
        for (xmlNode* child = element->children; child; child = child->next) {
            if (child->type != XML_ELEMENT_NODE) continue;
            std::string local = reinterpret_cast<const char*>(child->name);
            if (!s_.vocabulary.elements.count(local)) {
                add(mark_of(child), "lv-schema-unknown",
                    "element <" + name_of(child) + "> inside <" + name_of(element) + "> is not known to " +
                        s_.label + did_you_mean(local, s_.element_names) +
                        ": a newer libvirt's, or misspelt; libvirt ignores it");
                unknown.push_back(child);
                continue;
            }
            if (local == "metadata" && !child->ns) continue;
            unknown_attributes(child);
            unknown_names(child);
        }
        for (xmlNode* n : unknown) {
            xmlUnlinkNode(n);
            xmlFreeNode(n);
        }
    }

    void unknown_attributes(xmlNode* element) {
        std::vector<xmlAttr*> unknown;
        for (xmlAttr* a = element->properties; a; a = a->next) {
            if (a->ns) continue;  // xml:lang and other namespaced attributes
            std::string local = reinterpret_cast<const char*>(a->name);
            if (s_.vocabulary.attributes.count(local)) continue;
            add(mark_of(reinterpret_cast<xmlNode*>(a)), "lv-schema-unknown",
                "attribute '" + local + "' of <" + name_of(element) + "> is not known to " + s_.label +
                    did_you_mean(local, s_.attribute_names) +
                    ": a newer libvirt's, or misspelt; libvirt ignores it");
            unknown.push_back(a);
        }
        for (xmlAttr* a : unknown) {
            xmlUnlinkNode(reinterpret_cast<xmlNode*>(a));
            xmlFreeProp(a);
        }
    }

    // The deepest node under `n` whose removal alone makes the document valid; `n` itself when
    // none does (its own content is wrong: a value, a required part missing, or it is misplaced).
    Culprit locate(xmlNode* n, int depth = 0) {
        std::vector<xmlNode*> children;
        for (xmlNode* c = n->children; c; c = c->next)
            if (c->type == XML_ELEMENT_NODE) children.push_back(c);
        for (xmlNode* c : children)
            if (valid_without(c)) return locate(c, depth + 1);
        // Several children break the schema: leave children out one after another until the rest
        // validates; the last one left out holds a failure, looked for with the earlier ones still
        // out. Forward first, then backward (a domain's required <name> and <os> come first).
        for (bool forward : {true, false}) {
            std::vector<Removal> out;
            std::optional<Culprit> found;
            for (size_t i = 0; i < children.size() && budget_ > 0 && !found; ++i) {
                out.emplace_back(children[forward ? i : children.size() - 1 - i]);
                if (!valid()) continue;
                out.back().restore();
                xmlNode* last = out.back().node;
                out.pop_back();
                found = locate(last, depth + 1);
            }
            for (auto r = out.rbegin(); r != out.rend(); ++r) r->restore();
            if (found) return *found;
        }
        Culprit best{n, depth, ""};
        search(n, depth, best);
        if (best.node == n) probe_values(n, depth, best);
        return best;
    }

    static std::vector<xmlAttr*> attributes_of(xmlNode* n) {
        std::vector<xmlAttr*> out;  // copied: a removed and restored attribute goes to the end of the list
        for (xmlAttr* a = n->properties; a; a = a->next) out.push_back(a);
        return out;
    }

    // A required attribute with a wrong value cannot be left out; instead its value is replaced by
    // the schema's values for that name, closest first (at most 24 each): <audio type='pipewire'>.
    void probe_values(xmlNode* n, int depth, Culprit& best) {
        for (xmlAttr* a : attributes_of(n)) {
            std::string name = reinterpret_cast<const char*>(a->name), value = value_of(a);
            auto known = s_.vocabulary.values.find(name);
            if (known == s_.vocabulary.values.end() || known->second.count(value) || value.size() > 64)
                continue;
            std::vector<std::pair<size_t, std::string>> tries;
            for (const auto& v : known->second)
                if (v.size() <= 64) tries.emplace_back(edit_distance(value, v), v);
            std::sort(tries.begin(), tries.end());
            if (tries.size() > 24) tries.resize(24);
            for (const auto& [distance, v] : tries) {
                if (budget_ <= 0) return;
                xmlSetProp(n, a->name, reinterpret_cast<const xmlChar*>(v.c_str()));
                bool ok = valid();
                xmlSetProp(n, a->name, reinterpret_cast<const xmlChar*>(value.c_str()));
                if (ok) {
                    best = {reinterpret_cast<xmlNode*>(a), depth + 1, v};
                    return;
                }
            }
        }
        for (xmlNode* c = n->children; c && budget_ > 0; c = c->next)
            if (c->type == XML_ELEMENT_NODE && best.node == n) probe_values(c, depth + 1, best);
    }

    // Tries each attribute and each element below `n` (children were tried by locate()).
    void search(xmlNode* n, int depth, Culprit& best) {
        for (xmlAttr* a : attributes_of(n))
            if (budget_ > 0 && depth + 1 > best.depth && valid_without(reinterpret_cast<xmlNode*>(a)))
                best = {reinterpret_cast<xmlNode*>(a), depth + 1, ""};
        for (xmlNode* c = n->children; c && budget_ > 0; c = c->next) {
            if (c->type != XML_ELEMENT_NODE) continue;
            for (xmlNode* g = c->children; g && budget_ > 0; g = g->next)
                if (g->type == XML_ELEMENT_NODE && depth + 2 > best.depth && valid_without(g))
                    best = {g, depth + 2, ""};
            search(c, depth + 1, best);
        }
    }

    void report(const Culprit& c) {
        if (c.node->type == XML_ATTRIBUTE_NODE)
            return report_attribute(reinterpret_cast<xmlAttr*>(c.node), c.valid_value);
        std::string where = c.node->parent && c.node->parent->type == XML_ELEMENT_NODE
                                ? " inside <" + name_of(c.node->parent) + ">"
                                : "";
        add(mark_of(c.node), "lv-schema",
            "<" + name_of(c.node) + ">" + where + " does not match " + s_.label +
                ": it is not allowed there, or its text or a required attribute or child is wrong");
    }

    // An attribute whose removal makes the document valid. When its name comes with a fixed set
    // of values and this value is none of them (a word, not a number), the value is unknown to this
    // release rather than wrong: a newer libvirt's (<audio type='pipewire'>) or misspelt.
    void report_attribute(xmlAttr* a, const std::string& valid_value) {
        std::string name = reinterpret_cast<const char*>(a->name), value = value_of(a);
        std::string element = name_of(a->parent);
        auto values = s_.vocabulary.values.find(name);
        bool word =
            !value.empty() && value.size() < 64 && std::isalpha(static_cast<unsigned char>(value[0])) &&
            value.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") ==
                std::string::npos;
        if (values != s_.vocabulary.values.end() && !values->second.empty() && !values->second.count(value) &&
            word) {
            std::string close =
                valid_value.empty() ? closest_match(value, as_vector(values->second)) : valid_value;
            bool near = !close.empty() && edit_distance(value, close) <=
                                              std::max<size_t>(1, std::max(value.size(), close.size()) / 3);
            add(mark_of(reinterpret_cast<xmlNode*>(a)), "lv-schema-unknown",
                "value '" + value + "' of <" + element + " " + name + "> is not known to " + s_.label +
                    (near ? " (did you mean '" + close + "'?)" : "") + ": a newer libvirt's, or misspelt");
            return;
        }
        add(mark_of(reinterpret_cast<xmlNode*>(a)), "lv-schema",
            "attribute " + name + "='" + value.substr(0, 60) + "' of <" + element + "> does not match " +
                s_.label + ": not allowed on this element, or not a value it accepts");
    }

    void report_unlocated(const FirstError& first) {
        const xmlNode* node = first.node && first.node->type == XML_ELEMENT_NODE ? first.node : nullptr;
        Mark mark = node ? mark_of(const_cast<xmlNode*>(node)) : Mark{doc_.file(), 0, 0};
        std::string message = first.message.empty() ? "the document does not validate" : first.message;
        if (node && message.find(name_of(node)) == std::string::npos)
            message = "at <" + name_of(node) + ">: " + message;
        add(mark, "lv-schema", s_.label + ": " + message);
    }

    void add(Mark mark, const char* rule, std::string message) {
        if (out_.size() >= kMaxSchemaFindings) return;
        out_.push_back({std::move(mark), rule, std::move(message)});
    }

    // Where an element's '<' or an attribute's name is, from libxml2's line and the text.
    Mark mark_of(xmlNode* node) {
        bool attribute = node->type == XML_ATTRIBUTE_NODE;
        xmlNode* element = attribute ? node->parent : node;
        long line = xmlGetLineNo(element);
        if (line <= 0 || static_cast<size_t>(line) > line_starts_.size()) return Mark{doc_.file(), 0, 0};
        size_t start = line_starts_[static_cast<size_t>(line) - 1];
        size_t at = text_.find("<" + name_of(element), start);
        if (at == std::string_view::npos) return Mark{doc_.file(), static_cast<int>(line), 1};
        if (attribute) {
            size_t end = text_.find('>', at);
            std::string name = name_of(node);
            for (size_t p = text_.find(name, at); p != std::string_view::npos && p < end;
                 p = text_.find(name, p + 1)) {
                size_t after = p + name.size();
                while (after < text_.size() && std::isspace(static_cast<unsigned char>(text_[after])))
                    ++after;
                if (std::isspace(static_cast<unsigned char>(text_[p - 1])) && after < text_.size() &&
                    text_[after] == '=')
                    return doc_.mark_at(p);
            }
        }
        return doc_.mark_at(at);
    }

    const SchemaData& s_;
    std::string_view text_;
    const XmlDocument& doc_;
    xmlDocPtr xdoc_;
    Findings& out_;
    std::vector<size_t> line_starts_;
    int budget_ = kMaxValidations;
};

}  // namespace

struct DomainSchema::Impl : SchemaData {};

DomainSchema::DomainSchema(const std::string& path, std::string libvirt_version)
    : impl_(std::make_unique<Impl>()) {
    if (!is_regular_file(path))
        throw InputError(
            Mark{path, 0, 0},
            "cannot read the libvirt RelaxNG schema (missing or not RelaxNG); install libvirt-common",
            InputError::Kind::Unreadable);
    xmlRelaxNGParserCtxtPtr parser = xmlRelaxNGNewParserCtxt(path.c_str());
    if (!parser)
        throw InputError(Mark{path, 0, 0}, "cannot read the libvirt RelaxNG schema",
                         InputError::Kind::Unreadable);
    xmlRelaxNGSetParserStructuredErrors(parser, reinterpret_cast<xmlStructuredErrorFunc>(ignore_errors),
                                        nullptr);
    impl_->schema = xmlRelaxNGParse(parser);
    xmlRelaxNGFreeParserCtxt(parser);
    if (!impl_->schema)
        throw InputError(
            Mark{path, 0, 0},
            "cannot read the libvirt RelaxNG schema (missing or not RelaxNG); install libvirt-common",
            InputError::Kind::Unreadable);
    impl_->validator = xmlRelaxNGNewValidCtxt(impl_->schema);
    if (!impl_->validator) {
        xmlRelaxNGFree(impl_->schema);
        throw std::bad_alloc();
    }
    std::set<std::string> seen;
    read_vocabulary(path, impl_->vocabulary, seen);
    impl_->element_names = as_vector(impl_->vocabulary.elements);
    impl_->attribute_names = as_vector(impl_->vocabulary.attributes);
    impl_->label =
        libvirt_version.empty() ? "the schema " + path : "libvirt " + libvirt_version + "'s schema";
}

DomainSchema::~DomainSchema() {
    if (impl_ && impl_->validator) xmlRelaxNGFreeValidCtxt(impl_->validator);
    if (impl_ && impl_->schema) xmlRelaxNGFree(impl_->schema);
}

const std::string& DomainSchema::label() const { return impl_->label; }

Findings DomainSchema::validate(std::string_view text, const XmlDocument& doc) const {
    Findings out;
    xmlDocPtr xdoc =
        xmlReadMemory(text.data(), static_cast<int>(text.size()), doc.file().c_str(), nullptr,
                      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_BIG_LINES);
    if (!xdoc) {
        out.push_back({Mark{doc.file(), 0, 0}, "lv-schema",
                       "libxml2 could not read the document for schema validation"});
        return out;
    }
    Validation(*impl_, text, doc, xdoc, out).run();
    xmlFreeDoc(xdoc);
    std::stable_sort(out.begin(), out.end(), [](const Finding& a, const Finding& b) {
        return a.mark.line != b.mark.line ? a.mark.line < b.mark.line : a.mark.column < b.mark.column;
    });
    return out;
}

}  // namespace vfiogen
