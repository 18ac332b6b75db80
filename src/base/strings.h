// Small string helpers every layer uses.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace vfiogen {

// `words` with `sep` between each two of them: join({"a", "", "b"}, ",") == "a,,b".
std::string join(const std::vector<std::string>& words, std::string_view sep);

// `value` as "0x" and at least `width` lowercase hex digits: hex(0x1f, 4) == "0x001f".
std::string hex(unsigned value, int width);
// The same without "0x": hex_digits(0x1f, 4) == "001f".
std::string hex_digits(unsigned value, int width);

// The directory part of `path` as dirname(1) gives it for these cases: "a/b" -> "a", "/a" -> "/",
// "a" -> ".".
std::string dirname_of(const std::string& path);

}  // namespace vfiogen
