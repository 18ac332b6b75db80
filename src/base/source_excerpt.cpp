#include "base/source_excerpt.h"

#include <algorithm>
#include <optional>
#include <string_view>
#include <utility>

#include "base/bounded_read.h"
#include "base/text_escape.h"

namespace vfiogen {

namespace {

bool continuation_byte(char c) { return (static_cast<unsigned char>(c) & 0xc0) == 0x80; }

// Characters (UTF-8 sequences) in `text`, which escape_control has made printable.
size_t width_of(std::string_view text) {
    size_t n = 0;
    for (char c : text) n += !continuation_byte(c);
    return n;
}

// Line `number` (1-based) of `text` without its end, or nullopt past the last line.
std::optional<std::string_view> line_of(std::string_view text, int number) {
    size_t start = 0;
    for (int i = 1; i < number; ++i) {
        start = text.find('\n', start);
        if (start == std::string_view::npos) return std::nullopt;
        ++start;
    }
    if (number > 1 && start == text.size()) return std::nullopt;  // after the final newline
    size_t end = text.find('\n', start);
    std::string_view line = text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return line;
}

// What is shown of `line`, and the column of byte `at` in it: the whole line when it fits, else
// kExcerptWidth bytes around `at` cut at character boundaries, marked with "...".
std::pair<std::string, size_t> window(std::string_view line, size_t at) {
    size_t from = 0, to = line.size();
    if (line.size() > kExcerptWidth) {
        from = at > kExcerptWidth / 2 ? at - kExcerptWidth / 2 : 0;
        to = std::min(line.size(), from + kExcerptWidth);
        from = to - kExcerptWidth;  // near the end: the full width still
        while (from > 0 && continuation_byte(line[from])) --from;
        while (to < line.size() && continuation_byte(line[to])) ++to;
    }
    auto show = [](std::string_view part) {
        std::string text(part);
        for (char& c : text)
            if (c == '\t') c = ' ';
        return escape_control(text);
    };
    std::string head = from > 0 ? "..." : "";
    std::string before = head + show(line.substr(from, at - from));
    std::string text = before + show(line.substr(at, to - at)) + (to < line.size() ? "..." : "");
    return {text, width_of(before)};
}

}  // namespace

std::optional<std::string_view> SourceLines::line(const Mark& mark) {
    if (mark.line <= 0 || mark.file.empty() || mark.file == "-" || mark.file[0] == '<') return std::nullopt;
    if (mark.file != path_) {
        path_ = mark.file;
        readable_ = false;
        try {
            auto text = read_regular_file_if_present(path_, kMaxInputBytes);
            readable_ = text.has_value();
            text_ = readable_ ? std::move(*text) : std::string();
        } catch (const InputError&) {
            text_.clear();
        }
    }
    if (!readable_) return std::nullopt;
    return line_of(text_, mark.line);
}

std::string SourceLines::text(const Mark& mark) { return std::string(line(mark).value_or("")); }

std::string SourceExcerpts::of(const Mark& mark) {
    if (mark.column <= 0) return "";
    auto line = lines_.line(mark);
    size_t at = static_cast<size_t>(mark.column - 1);
    if (!line || at > line->size()) return "";
    auto [text, caret] = window(*line, at);
    return "    " + text + "\n    " + std::string(caret, ' ') + "^\n";
}

}  // namespace vfiogen
