#include "yaml_source.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <sys/stat.h>

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
    std::vector<YAML::Node> documents;
    try {
        documents = YAML::LoadAll(text);
    } catch (const YAML::Exception& e) {
        throw unreadable(path, "YAML syntax: " + e.msg, e.mark.line + 1, e.mark.column + 1);
    }
    if (documents.empty() || documents[0].IsNull()) throw unreadable(path, "empty file: no YAML document");
    if (documents.size() > 1)
        throw InputError(mark_of(path, documents[1]), "expected one YAML document, found " +
                                                          std::to_string(documents.size()));
    if (!documents[0].IsMap())
        throw InputError(mark_of(path, documents[0]), "expected a mapping of keys at the top level");
    return documents[0];
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
