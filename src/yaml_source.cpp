#include "yaml_source.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <sys/stat.h>

#include <yaml-cpp/eventhandler.h>

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

// Records where each document's first node starts; builds nothing.
class DocumentCounter : public YAML::EventHandler {
public:
    std::vector<YAML::Mark> starts;

    void OnDocumentStart(const YAML::Mark&) override { pending_ = true; }
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark& mark, YAML::anchor_t) override { node(mark); }
    void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { node(mark); }
    void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t, const std::string&) override { node(mark); }
    void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
        node(mark);
    }
    void OnSequenceEnd() override {}
    void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
        node(mark);
    }
    void OnMapEnd() override {}

private:
    void node(const YAML::Mark& mark) {
        if (pending_) starts.push_back(mark);
        pending_ = false;
    }
    bool pending_ = false;
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
    DocumentCounter counter;
    try {
        bool markers = text.rfind("---", 0) == 0 || text.rfind("...", 0) == 0 || text.find("\n---") != std::string::npos ||
                       text.find("\n...") != std::string::npos;
        if (markers) {
            std::istringstream in(text);
            YAML::Parser parser(in);
            while (counter.starts.size() < kMaxDocuments && parser.HandleNextDocument(counter)) {
            }
            if (counter.starts.size() >= kMaxDocuments)
                throw unreadable(path, "YAML syntax: the document does not end (malformed input)",
                                 counter.starts.back().line + 1, counter.starts.back().column + 1);
        }
        document = YAML::Load(text);
        if (!markers && document.IsDefined() && !document.IsNull()) counter.starts.push_back(document.Mark());
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
    struct stat st {};
    if (stat(path.c_str(), &st) != 0) throw unreadable(path, std::string("cannot open: ") + std::strerror(errno));
    if (S_ISDIR(st.st_mode)) throw unreadable(path, "is a directory, expected a YAML file");
    if (!S_ISREG(st.st_mode)) throw unreadable(path, "not a regular file");
    if (static_cast<size_t>(st.st_size) > kMaxInputBytes)
        throw unreadable(path, "file too large (" + std::to_string(st.st_size) + " bytes, limit " +
                                   std::to_string(kMaxInputBytes) + ")");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw unreadable(path, std::string("cannot open: ") + std::strerror(errno));
    std::ostringstream buffer;
    buffer << in.rdbuf();
    return load_yaml_text(buffer.str(), path);
}

}  // namespace vfiogen
