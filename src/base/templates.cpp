#include "base/templates.h"

#include "base/bounded_read.h"
#include "base/diagnostic.h"

namespace vfiogen {
namespace {

std::string trim(const std::string& s) {
    const char* space = " \t\r\n\f\v";
    size_t first = s.find_first_not_of(space);
    if (first == std::string::npos) return "";
    return s.substr(first, s.find_last_not_of(space) - first + 1);
}

Mark mark_at(const std::string& text, size_t pos, const std::string& file) {
    int line = 1, column = 1;
    for (size_t i = 0; i < pos; ++i) {
        if (text[i] == '\n') ++line, column = 1;
        else ++column;
    }
    return Mark{file, line, column};
}

// Reads "=<% %>=" into `begin` and `end` as kainjow does; false when it would refuse the tag.
bool set_delimiters(const std::string& tag, std::string& begin, std::string& end) {
    if (tag.size() < 5 || tag.back() != '=') return false;
    std::string inner = trim(tag.substr(1, tag.size() - 2));
    size_t space = inner.find(' ');
    if (space == std::string::npos) return false;
    std::string b = inner.substr(0, space), e = trim(inner.substr(space + 1));
    for (const std::string* d : {&b, &e})
        if (d->empty() || d->find_first_of("= \t\r\n\f\v") != std::string::npos) return false;
    begin = b, end = e;
    return true;
}

// Throws InputError (Unreadable) at the section tag that opens level kMaxTemplateNesting + 1.
// kainjow's mustache walks sections recursively, so 10,000 nested sections overflow the stack
// (SIGSEGV); the scan reads tags the way its parser does (trimmed contents, {{{...}}}, set
// delimiter tags) and stops at the first tag that parser would refuse, leaving the message to it.
void check_nesting(const std::string& text, const std::string& file) {
    std::string begin = "{{", end = "}}";
    size_t depth = 0;
    for (size_t pos = 0; (pos = text.find(begin, pos)) != std::string::npos;) {
        size_t contents = pos + begin.size();
        bool triple = begin == "{{" && end == "}}" && contents < text.size() && text[contents] == '{';
        if (triple) ++contents;
        std::string close = triple ? "}}}" : end;
        size_t stop = text.find(close, contents);
        if (stop == std::string::npos) return;
        std::string tag = trim(text.substr(contents, stop - contents));
        size_t tag_start = pos;
        pos = stop + close.size();
        if (triple || tag.empty()) continue;
        if (tag[0] == '=') {
            if (!set_delimiters(tag, begin, end)) return;
        } else if (tag[0] == '#' || tag[0] == '^') {
            if (++depth > kMaxTemplateNesting)
                throw InputError(mark_at(text, tag_start, file),
                                 "template sections nest deeper than " + std::to_string(kMaxTemplateNesting) + " levels",
                                 InputError::Kind::Unreadable);
        } else if (tag[0] == '/') {
            if (depth == 0) return;
            --depth;
        }
    }
}

}  // namespace

TemplateSet::TemplateSet(std::optional<std::string> override_dir) : dir_(std::move(override_dir)) {
    if (dir_ && !is_directory(*dir_)) throw UsageError("--templates " + *dir_ + ": no such directory");
}

std::string TemplateSet::origin(const std::string& name) const {
    if (dir_ && path_exists(*dir_ + "/" + name)) return *dir_ + "/" + name;
    return "<built-in>/" + name;
}

std::optional<std::string> TemplateSet::text_of(const std::string& name) const {
    if (dir_) {
        std::string path = *dir_ + "/" + name;
        // Anything at `path` overrides the built-in template: a FIFO or directory there is an
        // error (from read_regular_file), not a silent fallback.
        if (path_exists(path)) {
            std::string text = read_regular_file(path, kMaxTemplateBytes);
            read_.push_back(path);
            return text;
        }
    }
    for (const auto& t : embedded_templates())
        if (name == t.name) return std::string(t.text);
    return std::nullopt;
}

std::string TemplateSet::render(const std::string& name, const kainjow::mustache::data& data, Escape escape) const {
    auto& tmpl = compiled_[{name, escape}];
    if (!tmpl) {
        auto text = text_of(name);
        if (!text) {
            compiled_.erase({name, escape});
            std::string where = dir_ ? " (not in " + *dir_ + " and not built in)" : "";
            throw InputError(Mark{name, 0, 0}, "template not found" + where, InputError::Kind::Unreadable);
        }
        check_nesting(*text, origin(name));
        auto parsed = std::make_shared<kainjow::mustache::mustache>(*text);
        if (!parsed->is_valid()) {
            compiled_.erase({name, escape});
            throw InputError(Mark{origin(name), 0, 0}, "malformed template: " + parsed->error_message(),
                             InputError::Kind::Unreadable);
        }
        if (escape == Escape::None) parsed->set_custom_escape([](const std::string& s) { return s; });
        tmpl = parsed;
    }
    std::string out = tmpl->render(data);
    if (!tmpl->is_valid()) {
        std::string message = tmpl->error_message();
        compiled_.erase({name, escape});
        throw InputError(Mark{origin(name), 0, 0}, "template failed to render: " + message, InputError::Kind::Unreadable);
    }
    return out;
}

}  // namespace vfiogen
