#include "base/text_diff.h"

#include <sstream>
#include <vector>

#include <dtl/dtl.hpp>

namespace vfiogen {
namespace {

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

}  // namespace

std::string unified_diff(const std::string& a, const std::string& b, const std::string& label_a,
                         const std::string& label_b) {
    if (a == b) return "";
    dtl::Diff<std::string> diff(lines_of(a), lines_of(b));
    diff.compose();
    diff.composeUnifiedHunks();
    std::ostringstream out;
    out << "--- " << label_a << "\n+++ " << label_b << "\n";
    diff.printUnifiedFormat(out);
    return out.str();
}

}  // namespace vfiogen
