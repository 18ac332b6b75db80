#include "base/text_escape.h"

#include <cstdio>

namespace vfiogen {
namespace {

// One decoded character: its code point and how many bytes it took; `length` 0 when the bytes
// at the position are not a well-formed UTF-8 sequence (Unicode 15 table 3-7).
struct Decoded {
    char32_t code = 0;
    size_t length = 0;
};

Decoded decode(std::string_view s, size_t i) {
    auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
    unsigned char b0 = byte(i);
    if (b0 < 0x80) return {b0, 1};
    size_t length = 0;
    char32_t code = 0;
    unsigned char lo = 0x80, hi = 0xbf;  // allowed range of the second byte
    if (b0 >= 0xc2 && b0 <= 0xdf) {
        length = 2, code = b0 & 0x1f;
    } else if (b0 >= 0xe0 && b0 <= 0xef) {
        length = 3, code = b0 & 0x0f;
        if (b0 == 0xe0) lo = 0xa0;  // overlong
        if (b0 == 0xed) hi = 0x9f;  // surrogates
    } else if (b0 >= 0xf0 && b0 <= 0xf4) {
        length = 4, code = b0 & 0x07;
        if (b0 == 0xf0) lo = 0x90;  // overlong
        if (b0 == 0xf4) hi = 0x8f;  // above U+10FFFF
    } else {
        return {};  // continuation byte, C0/C1 overlong lead, F5-FF
    }
    if (i + length > s.size()) return {};
    for (size_t k = 1; k < length; ++k) {
        unsigned char b = byte(i + k);
        if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xbf)) return {};
        code = (code << 6) | (b & 0x3f);
    }
    return {code, length};
}

std::string code_name(char32_t c) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(c));
    return buf;
}

std::string byte_problem(std::string_view s, size_t i) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "the byte 0x%02X (not valid UTF-8)",
                  static_cast<unsigned>(static_cast<unsigned char>(s[i])));
    return buf;
}

bool needs_escape(char32_t c) {
    return c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f) || c == 0x2028 || c == 0x2029 ||
           (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

}  // namespace

std::optional<TextProblem> utf8_problem(std::string_view text) {
    for (size_t i = 0; i < text.size();) {
        Decoded d = decode(text, i);
        if (!d.length) return TextProblem{i, byte_problem(text, i)};
        i += d.length;
    }
    return std::nullopt;
}

std::optional<TextProblem> xml_char_problem(std::string_view text) {
    for (size_t i = 0; i < text.size();) {
        Decoded d = decode(text, i);
        if (!d.length) return TextProblem{i, byte_problem(text, i)};
        char32_t c = d.code;
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
            return TextProblem{i, code_name(c) + " (a control character)"};
        if (c == 0xfffe || c == 0xffff) return TextProblem{i, code_name(c) + " (a Unicode non-character)"};
        i += d.length;
    }
    return std::nullopt;
}

std::string escape_control(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    char buf[16];
    for (size_t i = 0; i < text.size();) {
        Decoded d = decode(text, i);
        if (!d.length) {
            std::snprintf(buf, sizeof buf, "\\x%02x",
                          static_cast<unsigned>(static_cast<unsigned char>(text[i])));
            out += buf;
            ++i;
            continue;
        }
        char32_t c = d.code;
        if (!needs_escape(c)) {
            out.append(text.substr(i, d.length));
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else if (c == '\t') {
            out += "\\t";
        } else if (c == 0x1b) {
            out += "\\e";
        } else {
            std::snprintf(buf, sizeof buf, c < 0x80 ? "\\x%02x" : "\\u%04x", static_cast<unsigned>(c));
            out += buf;
        }
        i += d.length;
    }
    return out;
}

std::string to_valid_utf8(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size();) {
        Decoded d = decode(text, i);
        if (!d.length) {
            out += "\xef\xbf\xbd";
            ++i;
            continue;
        }
        out.append(text.substr(i, d.length));
        i += d.length;
    }
    return out;
}

}  // namespace vfiogen
