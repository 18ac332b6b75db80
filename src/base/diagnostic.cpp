#include "base/diagnostic.h"

#include "base/text_escape.h"

namespace vfiogen {

std::string format_mark(const Mark& mark) {
    std::string out = mark.file;
    if (mark.line > 0) {
        out += ":" + std::to_string(mark.line);
        if (mark.column > 0) out += ":" + std::to_string(mark.column);
    }
    return out;
}

std::string Diagnostic::str() const {
    const char* word = severity == Severity::Error ? "error" : severity == Severity::Warning ? "warning" : "note";
    // File names and quoted input reach terminals and CI logs: no control character gets through.
    return escape_control(format_mark(mark)) + ": " + word + ": " + escape_control(message);
}

InputError::InputError(Mark mark, std::string message, Kind kind)
    : std::runtime_error(message), diagnostic_{std::move(mark), Severity::Error, std::move(message)}, kind_(kind) {}

}  // namespace vfiogen
