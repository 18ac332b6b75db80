#include "templates.h"

#include <fstream>
#include <sstream>
#include <sys/stat.h>

#include "diagnostic.h"

namespace vfiogen {
namespace {

bool is_dir(const std::string& path) {
    struct stat st {};
    return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool is_file(const std::string& path) {
    struct stat st {};
    return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

}  // namespace

TemplateSet::TemplateSet(std::optional<std::string> override_dir) : dir_(std::move(override_dir)) {
    if (dir_ && !is_dir(*dir_)) throw UsageError("--templates " + *dir_ + ": no such directory");
}

std::string TemplateSet::origin(const std::string& name) const {
    if (dir_ && is_file(*dir_ + "/" + name)) return *dir_ + "/" + name;
    return "<built-in>/" + name;
}

std::optional<std::string> TemplateSet::text_of(const std::string& name) const {
    if (dir_) {
        std::string path = *dir_ + "/" + name;
        if (is_file(path)) {
            std::ifstream in(path, std::ios::binary);
            std::ostringstream buffer;
            buffer << in.rdbuf();
            if (!in) throw InputError(Mark{path, 0, 0}, "cannot read template", InputError::Kind::Unreadable);
            read_.push_back(path);
            return buffer.str();
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
