// "Did you mean" suggestions for misspelt keys, commands, profiles and roles.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace vfiogen {

// Optimal string alignment distance (Levenshtein plus adjacent transposition); quadratic in
// the lengths, so callers bound them.
size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word` by edit distance, or "" when none is close enough
// (distance at most a third of the longer word, and at least 1 edit allowed).
std::string closest_match(std::string_view word, const std::vector<std::string>& candidates);

// " (did you mean 'x'?)" when a close candidate exists, else "".
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace vfiogen
