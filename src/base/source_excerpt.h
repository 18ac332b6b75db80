// The source line a diagnostic points at, with a caret under its column, as compilers and
// ninja print it:
//
//     vm.yaml:34:15: error: legacy IGD needs machine type i440fx, but this VM uses q35 ...
//         - {role: igd, host: "00:02.0"}
//                       ^
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/diagnostic.h"

namespace vfiogen {

// Widest source text shown (72 columns, as ninja cuts its lexer errors); a longer line is cut
// around the column, with "..." where text was left out.
constexpr size_t kExcerptWidth = 72;

// The lines marks point into, reading each file again (once while marks stay in it), bounded like
// every input.
class SourceLines {
public:
    // Line `mark.line` of `mark.file` without its end; nothing when the mark has no line, names no
    // readable regular file (stdin, a rendering) or the file has no such line. Valid until the
    // next call.
    std::optional<std::string_view> line(const Mark& mark);
    // The same as a string, "" for nothing.
    std::string text(const Mark& mark);

private:
    std::string path_;
    std::string text_;
    bool readable_ = false;
};

// Reads the files that marks point into again (each once in a row), bounded like every input.
class SourceExcerpts {
public:
    // Two lines, each indented by four spaces and ending in '\n': the line `mark` points into
    // (control characters escaped, tabs as spaces) and a caret under the column, counted in
    // characters. "" when the mark has no line or column, names no readable regular file (stdin,
    // a rendering), or the file no longer has that line and column.
    std::string of(const Mark& mark);

private:
    SourceLines lines_;
};

}  // namespace vfiogen
