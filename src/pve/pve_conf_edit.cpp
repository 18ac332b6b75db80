#include "pve/pve_conf_edit.h"

namespace vfiogen {

PveConfEditor::PveConfEditor(const std::string& text, std::string file)
    : file_(std::move(file)), lines_(lex_pve_conf(text)) {
    // The same split as lex_pve_conf: at '\n', a final line without one kept as it is.
    for (size_t start = 0; start < text.size();) {
        size_t end = text.find('\n', start);
        endings_.push_back(end == std::string::npos ? "" : "\n");  // a "\r" before it stays in the line text
        start = end == std::string::npos ? text.size() : end + 1;
    }
    current_end_ = lines_.size();
    bool in_pending = false;
    for (size_t i = 0; i < lines_.size(); ++i) {
        const PveLine& l = lines_[i];
        if (l.kind == PveLine::Kind::Bad)
            throw InputError(
                mark(l),
                "qemu-server cannot parse this line (\"unable to parse config\"); fix it before attaching");
        if (l.kind == PveLine::Kind::Section) {
            if (current_end_ == lines_.size()) current_end_ = i;
            in_pending = l.section == PveSectionKind::Pending;  // [PENDING], matched /i
        }
        if (l.kind != PveLine::Kind::Entry) continue;
        if (i < current_end_)
            current_[l.key] = i;
        else if (in_pending)
            pending_.push_back(i);
    }
}

const PveLine* PveConfEditor::current(const std::string& key) const {
    auto it = current_.find(key);
    return it == current_.end() ? nullptr : &lines_[it->second];
}

Mark PveConfEditor::value_mark(const PveLine& line, size_t offset) const {
    return Mark{file_, line.number, line.value_column + static_cast<int>(offset)};
}

PropertyList PveConfEditor::properties(const PveLine& line, std::string_view default_key) const {
    PropertyList props = parse_property_string(line.value, default_key);
    if (!props.error.empty())
        throw InputError(value_mark(line, props.error_offset),
                         "'" + line.key + "': " + props.error + "; fix it before attaching");
    return props;
}

std::map<std::string, const PveLine*> PveConfEditor::pending_keys() const {
    std::map<std::string, const PveLine*> keys;
    for (size_t i : pending_) {
        const PveLine& l = lines_[i];
        if (l.key != "delete") {
            keys.emplace(l.key, &l);
            continue;
        }
        std::string word;
        for (char c : l.value + " ") {
            if (c == ',' || c == ';' || c == ' ' || c == '\t') {
                if (!word.empty()) keys.emplace(word[0] == '!' ? word.substr(1) : word, &l);
                word.clear();
            } else {
                word += c;
            }
        }
    }
    return keys;
}

void PveConfEditor::set(const std::string& key, const std::string& value) {
    const PveLine* l = current(key);
    if (l && l->value == value) return;
    set_[key] = value;
}

void PveConfEditor::remove(const std::string& key) {
    if (current(key)) removed_.insert(key);
    set_.erase(key);
}

std::string PveConfEditor::text() const {
    std::map<size_t, std::vector<std::string>> inserts;  // line index -> new "key: value" lines before it
    size_t after_last = 0;
    for (size_t i = 0; i < current_end_; ++i)
        if (lines_[i].kind == PveLine::Kind::Entry || lines_[i].kind == PveLine::Kind::Comment)
            after_last = i + 1;
    for (const auto& [key, value] : set_) {
        if (current(key)) continue;
        size_t at = after_last;
        for (size_t i = 0; i < current_end_; ++i)
            if (lines_[i].kind == PveLine::Kind::Entry && lines_[i].key > key) {
                at = i;
                break;
            }
        inserts[at].push_back(key + ": " + value);
    }
    std::string out;
    auto emit_inserts = [&](size_t at) {
        auto it = inserts.find(at);
        if (it == inserts.end()) return;
        if (!out.empty() && out.back() != '\n') out += '\n';
        for (const auto& line : it->second) out += line + "\n";
    };
    for (size_t i = 0; i < lines_.size(); ++i) {
        emit_inserts(i);
        const PveLine& l = lines_[i];
        bool mine = i < current_end_ && l.kind == PveLine::Kind::Entry;
        if (mine && removed_.count(l.key)) continue;
        if (mine && set_.count(l.key) && current_.at(l.key) == i)
            out += l.key + ": " + set_.at(l.key) + (!l.text.empty() && l.text.back() == '\r' ? "\r" : "") +
                   endings_[i];
        else
            out += l.text + endings_[i];
    }
    emit_inserts(lines_.size());
    return out;
}

}  // namespace vfiogen
