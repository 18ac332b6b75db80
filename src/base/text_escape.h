// Untrusted text (sysfs strings, pci.ids names, file names, quoted input lines, VM-file values)
// checked or made safe for where it goes: strict UTF-8 and XML 1.0 characters for output files,
// escaped control characters for terminals and CI logs, replaced bytes for JSON.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace vfiogen {

// What is wrong at byte `offset` of a text, e.g. "U+FFFE (a Unicode non-character)".
struct TextProblem {
    size_t offset = 0;
    std::string what;
};

// The first byte that does not begin a well-formed UTF-8 sequence (Unicode 15 §3.9 table 3-7:
// no overlong forms, no surrogates D800-DFFF, nothing above U+10FFFF, no truncated sequence).
std::optional<TextProblem> utf8_problem(std::string_view text);

// The first character that XML 1.0 (5th ed.) production [2] `Char` does not allow: C0 controls
// other than tab, LF and CR, the surrogates, U+FFFE and U+FFFF; invalid UTF-8 counts too.
// libxml2, and so libvirt, refuses a document holding one.
std::optional<TextProblem> xml_char_problem(std::string_view text);

// `text` made safe to print on a terminal or in a CI log line: C0 controls (tab included), DEL
// and C1 controls U+0080-U+009F become \n, \r, \t, \e or \xNN / \u00NN; the Unicode line and
// paragraph separators and bidirectional overrides (U+2028/2029, U+202A-202E, U+2066-2069)
// become \uNNNN; bytes that are not UTF-8 become \xNN. Everything else is kept as it is, so
// ordinary text (names, paths, UTF-8 letters) prints unchanged.
std::string escape_control(std::string_view text);

// `text` as valid UTF-8: every byte that does not begin a well-formed sequence becomes U+FFFD
// (the Unicode "substitution of maximal subparts" is not needed here: one U+FFFD per bad byte).
std::string to_valid_utf8(std::string_view text);

}  // namespace vfiogen
