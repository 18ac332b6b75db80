#include "pve_conf.h"

#include <cctype>

namespace vfiogen {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }
bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// "[name]" followed only by white space; returns the name or nullopt.
std::optional<std::string> section_name(std::string_view line) {
    if (line.empty() || line[0] != '[') return std::nullopt;
    size_t close = line.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    for (size_t i = close + 1; i < line.size(); ++i)
        if (!is_space(line[i])) return std::nullopt;
    std::string name(line.substr(1, close - 1));
    std::string low = lower(name);
    if (low == "pending" || low == "special:cloudinit") return name;
    // Snapshot names: [a-z][a-z0-9_\-]+ (case-insensitive), as QemuServer.pm parse_vm_config reads them.
    if (name.size() < 2 || !std::isalpha(static_cast<unsigned char>(name[0]))) return std::nullopt;
    for (char c : name)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') return std::nullopt;
    return name;
}

}  // namespace

std::vector<PveLine> lex_pve_conf(std::string_view text) {
    std::vector<PveLine> lines;
    size_t start = 0;
    int number = 0;
    while (start < text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        std::string_view raw = text.substr(start, end - start);
        if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
        start = end + 1;

        PveLine line;
        line.number = ++number;
        line.text = std::string(raw);
        size_t first = 0;
        while (first < raw.size() && is_space(raw[first])) ++first;
        if (first == raw.size()) {
            line.kind = PveLine::Kind::Blank;
        } else if (auto name = section_name(raw)) {
            line.kind = PveLine::Kind::Section;
            line.key = *name;
        } else if (raw[0] == '#') {
            line.kind = PveLine::Kind::Comment;
            line.value = std::string(raw.substr(1));
        } else {
            // key: [a-z][a-z_]*\d* then ':' then white space, then a non-empty value.
            size_t i = 0;
            if (is_lower(raw[0])) {
                while (i < raw.size() && (is_lower(raw[i]) || raw[i] == '_')) ++i;
                while (i < raw.size() && is_digit(raw[i])) ++i;
            }
            size_t v = i + 1;
            while (v < raw.size() && is_space(raw[v])) ++v;
            size_t v_end = raw.size();
            while (v_end > v && is_space(raw[v_end - 1])) --v_end;
            if (i > 0 && i < raw.size() && raw[i] == ':' && v < v_end) {
                line.kind = PveLine::Kind::Entry;
                line.key = std::string(raw.substr(0, i));
                line.value = std::string(raw.substr(v, v_end - v));
                line.value_column = static_cast<int>(v) + 1;
            } else {
                line.kind = PveLine::Kind::Bad;
            }
        }
        lines.push_back(std::move(line));
    }
    return lines;
}

const PveEntry* PveSection::find(std::string_view key) const {
    for (auto it = entries.rbegin(); it != entries.rend(); ++it)
        if (it->key == key) return &*it;
    return nullptr;
}

PveConf parse_pve_conf(std::string_view text, const std::string& file) {
    PveConf conf;
    conf.file = file;
    conf.sections.emplace_back();
    for (auto& line : lex_pve_conf(text)) {
        Mark mark{file, line.number, 1};
        switch (line.kind) {
            case PveLine::Kind::Blank: break;
            case PveLine::Kind::Bad: conf.bad_lines.push_back(std::move(line)); break;
            case PveLine::Kind::Comment: conf.sections.back().notes.emplace_back(line.value, mark); break;
            case PveLine::Kind::Section: {
                PveSection s;
                std::string low = lower(line.key);
                s.kind = low == "pending" ? PveSection::Kind::Pending
                         : low == "special:cloudinit" ? PveSection::Kind::Cloudinit
                                                      : PveSection::Kind::Snapshot;
                s.name = line.key;
                s.mark = mark;
                conf.sections.push_back(std::move(s));
                break;
            }
            case PveLine::Kind::Entry:
                conf.sections.back().entries.push_back({line.key, line.value, mark, line.value_column});
                break;
        }
    }
    return conf;
}

const Property* PropertyList::find(std::string_view key) const {
    for (const auto& p : properties)
        if (p.key == key) return &p;
    return nullptr;
}

PropertyList parse_property_string(std::string_view value, std::string_view default_key) {
    PropertyList out;
    size_t start = 0;
    bool had_default = false;
    while (start <= value.size()) {
        size_t comma = value.find(',', start);
        if (comma == std::string_view::npos) comma = value.size();
        std::string_view part = value.substr(start, comma - start);
        if (part.empty()) {
            if (out.error.empty()) {
                out.error = "empty item in property string";
                out.error_offset = start;
            }
        } else if (size_t eq = part.find('='); eq != std::string_view::npos) {
            out.properties.push_back({std::string(part.substr(0, eq)), std::string(part.substr(eq + 1)), false, start});
        } else if (!default_key.empty() && !had_default) {
            had_default = true;
            out.properties.push_back({std::string(default_key), std::string(part), true, start});
        } else if (out.error.empty()) {
            out.error = default_key.empty() ? "'" + std::string(part) + "' has no '=value' and this key has no default sub-key"
                                            : "'" + std::string(part) + "' has no '=value' (the default sub-key '" +
                                                  std::string(default_key) + "' is already given)";
            out.error_offset = start;
        }
        start = comma + 1;
    }
    return out;
}

}  // namespace vfiogen
