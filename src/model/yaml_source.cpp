#include "model/yaml_source.h"

#include <cerrno>
#include <cstring>
#include <map>
#include <sstream>

#include <yaml-cpp/eventhandler.h>

#include "base/bounded_read.h"

namespace vfiogen {
namespace {

InputError unreadable(const std::string& path, const std::string& message, int line = 0, int column = 0) {
    return InputError(Mark{path, line, column}, message, InputError::Kind::Unreadable);
}

// True when the bytes are valid UTF-8 (what YAML text must be, as this tool reads it).
bool valid_utf8(const std::string& s) {
    size_t i = 0;
    while (i < s.size()) {
        auto c = static_cast<unsigned char>(s[i]);
        size_t extra = c < 0x80 ? 0 : (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xe ? 2 : (c >> 3) == 0x1e ? 3 : 9;
        if (extra == 9 || i + extra >= s.size()) return false;
        for (size_t k = 1; k <= extra; ++k)
            if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return false;
        i += extra + 1;
    }
    return true;
}

// One pass over the parser's events, building nothing: where each document's first node starts,
// and the size of the document as if every alias were a copy of its anchor's node. yaml-cpp
// shares an aliased node, but everything after it (validation, rendering) walks each copy, so
// a few KiB of nested aliases would otherwise expand to millions of nodes or gigabytes of text.
class DocumentScan : public YAML::EventHandler {
public:
    explicit DocumentScan(const std::string& path) : path_(path) {}

    std::vector<YAML::Mark> starts;

    void OnDocumentStart(const YAML::Mark&) override { pending_ = true; }
    void OnDocumentEnd() override {}
    void OnAnchor(const YAML::Mark&, const std::string& name) override { anchor_name_ = name; }
    void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override { leaf(mark, anchor, 0); }
    void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor, const std::string& value) override {
        leaf(mark, anchor, value.size());
    }
    void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
        start(mark);
        auto it = anchors_.find(anchor);
        std::string alias = "alias *" + names_[anchor];
        if (it == anchors_.end()) throw error(mark, alias + " refers to the node that contains it");
        add(mark, it->second, alias);
    }
    void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor, YAML::EmitterStyle::value) override {
        open(mark, anchor);
    }
    void OnSequenceEnd() override { close(); }
    void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor, YAML::EmitterStyle::value) override {
        open(mark, anchor);
    }
    void OnMapEnd() override { close(); }

private:
    struct Size {
        size_t nodes = 0, bytes = 0;
    };
    struct Open {
        YAML::anchor_t anchor;
        Size before;
    };

    InputError error(const YAML::Mark& mark, const std::string& message) const {
        return InputError(Mark{path_, mark.line + 1, mark.column + 1}, message, InputError::Kind::Unreadable);
    }
    void start(const YAML::Mark& mark) {
        if (pending_) starts.push_back(mark);
        pending_ = false;
    }
    void name(YAML::anchor_t anchor) {
        if (anchor) names_[anchor] = anchor_name_;
    }
    // `alias`: the alias's own words ("alias *x"), or "" for a node written out.
    void add(const YAML::Mark& mark, Size size, const std::string& alias = "") {
        total_.nodes += size.nodes;
        total_.bytes += size.bytes;
        std::string limit = total_.nodes > kMaxYamlNodes        ? std::to_string(kMaxYamlNodes) + " nodes"
                            : total_.bytes > kMaxYamlScalarBytes ? std::to_string(kMaxYamlScalarBytes) + " bytes of values"
                                                                 : "";
        if (limit.empty()) return;
        if (alias.empty()) throw error(mark, "the document has more than " + limit);
        throw error(mark, alias + " expands the document past " + limit + " (each alias counts as a copy of its anchor)");
    }
    void leaf(const YAML::Mark& mark, YAML::anchor_t anchor, size_t bytes) {
        start(mark);
        name(anchor);
        add(mark, Size{1, bytes});
        if (anchor) anchors_[anchor] = Size{1, bytes};
    }
    void open(const YAML::Mark& mark, YAML::anchor_t anchor) {
        start(mark);
        name(anchor);
        open_.push_back(Open{anchor, total_});
        add(mark, Size{1, 0});
    }
    void close() {
        if (open_.empty()) return;
        Open o = open_.back();
        open_.pop_back();
        if (o.anchor) anchors_[o.anchor] = Size{total_.nodes - o.before.nodes, total_.bytes - o.before.bytes};
    }

    const std::string& path_;
    bool pending_ = false;
    Size total_;
    std::vector<Open> open_;
    std::map<YAML::anchor_t, Size> anchors_;  // finished anchored nodes, by yaml-cpp's anchor id
    std::map<YAML::anchor_t, std::string> names_;
    std::string anchor_name_;
};

// More documents than any VM file or profile has; reaching it means the parser is not advancing.
constexpr size_t kMaxDocuments = 64;

}  // namespace

Mark mark_of(const std::string& file, const YAML::Node& node) {
    YAML::Mark m = node.Mark();
    if (m.line < 0) return Mark{file, 0, 0};
    return Mark{file, m.line + 1, m.column + 1};
}

YAML::Node load_yaml_text(const std::string& text, const std::string& path) {
    if (text.find('\0') != std::string::npos || !valid_utf8(text))
        throw unreadable(path, "binary file: expected YAML text (UTF-8)");
    if (text.find_first_not_of(" \t\r\n") == std::string::npos) throw unreadable(path, "empty file");
    // Count the documents with a bounded event pass, then build only the first one. yaml-cpp 0.7's
    // LoadAll never returns on some malformed input (such as "- a\n, b"), pushing null documents
    // until memory runs out (jbeder/yaml-cpp#1040; fixed upstream in PR #1319, after Debian 12).
    // Without a "---" or "..." line there is at most one document, and YAML::Load alone is enough.
    YAML::Node document;
    DocumentScan counter(path);
    try {
        bool markers = text.rfind("---", 0) == 0 || text.rfind("...", 0) == 0 || text.find("\n---") != std::string::npos ||
                       text.find("\n...") != std::string::npos;
        // The scan also bounds what aliases expand to. A text without markers, without any '*'
        // (so without aliases) and of at most kMaxYamlNodes / 2 bytes (a node takes at least half
        // a byte: "a:" is a key and a null) cannot pass a bound, so it is parsed once, not twice:
        // the usual VM file.
        bool scan = markers || text.find('*') != std::string::npos || text.size() > kMaxYamlNodes / 2;
        if (scan) {
            std::istringstream in(text);
            YAML::Parser parser(in);
            while (counter.starts.size() < kMaxDocuments && parser.HandleNextDocument(counter) && markers) {
            }
            if (counter.starts.size() >= kMaxDocuments)
                throw unreadable(path, "YAML syntax: the document does not end (malformed input)",
                                 counter.starts.back().line + 1, counter.starts.back().column + 1);
        }
        document = YAML::Load(text);
        if (!scan && !document.IsNull()) counter.starts.push_back(document.Mark());
    } catch (const YAML::Exception& e) {
        throw unreadable(path, "YAML syntax: " + e.msg, e.mark.line + 1, e.mark.column + 1);
    }
    if (counter.starts.empty() || document.IsNull()) throw unreadable(path, "empty file: no YAML document");
    if (counter.starts.size() > 1)
        throw InputError(Mark{path, counter.starts[1].line + 1, counter.starts[1].column + 1},
                         "expected one YAML document, found " + std::to_string(counter.starts.size()));
    if (!document.IsMap()) throw InputError(mark_of(path, document), "expected a mapping of keys at the top level");
    return document;
}

YAML::Node load_yaml_file(const std::string& path) {
    if (is_directory(path)) throw unreadable(path, "is a directory, expected a YAML file");
    return load_yaml_text(read_regular_file(path, kMaxInputBytes), path);
}

}  // namespace vfiogen
