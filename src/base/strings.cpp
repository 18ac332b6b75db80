#include "base/strings.h"

#include <cstdio>

namespace vfiogen {

std::string join(const std::vector<std::string>& words, std::string_view sep) {
    std::string out;
    for (size_t i = 0; i < words.size(); ++i) {
        if (i > 0) out += sep;
        out += words[i];
    }
    return out;
}

std::string hex(unsigned value, int width) { return "0x" + hex_digits(value, width); }

std::string hex_digits(unsigned value, int width) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%0*x", width, value);
    return buf;
}

std::string dirname_of(const std::string& path) {
    size_t slash = path.rfind('/');
    if (slash == std::string::npos) return ".";
    return slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace vfiogen
