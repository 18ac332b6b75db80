// Unified diffs of two texts, through dtl (Debian libdtl-dev), for `attach --diff`.
#pragma once

#include <string>

namespace vfiogen {

// The unified diff (3 lines of context, "--- label_a" / "+++ label_b" header) that turns `a` into
// `b`, line by line; "" when they are equal.
std::string unified_diff(const std::string& a, const std::string& b, const std::string& label_a,
                         const std::string& label_b);

}  // namespace vfiogen
