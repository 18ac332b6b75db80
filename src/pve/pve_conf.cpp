#include "pve/pve_conf.h"

#include <cctype>

namespace vfiogen {
namespace {

// Perl's \s on a byte string.
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string_view trim_right(std::string_view s) {
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

// Rule 2: "[name]" followed only by white space; the kind of section, or nullopt.
std::optional<PveSectionKind> section_header(std::string_view line, std::string* name) {
    if (line.empty() || line[0] != '[') return std::nullopt;
    size_t close = line.find(']');
    if (close == std::string_view::npos || !trim_right(line.substr(close + 1)).empty()) return std::nullopt;
    *name = std::string(line.substr(1, close - 1));
    std::string low = lower(*name);
    if (low == "pending") return PveSectionKind::Pending;
    if (low == "special:cloudinit") return PveSectionKind::Cloudinit;
    if (low == "special:fleecing") return PveSectionKind::Fleecing;
    // Snapshot names: [a-z][a-z0-9_\-]+, case-insensitive.
    bool snapshot = name->size() >= 2 && std::isalpha(static_cast<unsigned char>((*name)[0]));
    for (char c : *name)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') snapshot = false;
    return snapshot ? PveSectionKind::Snapshot : PveSectionKind::Unknown;
}

struct KeyMatch {
    std::string key, value;
    size_t value_start = 0;
};

// Rule 7: ^([a-z][a-z_\-]*\d*):\s*(.+?)\s*$
std::optional<KeyMatch> match_key(std::string_view line) {
    size_t i = 0;
    if (line.empty() || !is_lower(line[0])) return std::nullopt;
    while (i < line.size() && (is_lower(line[i]) || line[i] == '_' || line[i] == '-')) ++i;
    while (i < line.size() && is_digit(line[i])) ++i;
    if (i == line.size() || line[i] != ':') return std::nullopt;
    size_t colon = i, v = colon + 1;
    while (v < line.size() && is_space(line[v])) ++v;
    if (v == line.size()) {
        // Only white space: \s* gives back its last character to (.+?).
        if (line.size() == colon + 1) return std::nullopt;
        return KeyMatch{std::string(line.substr(0, colon)), std::string(1, line.back()), line.size() - 1};
    }
    std::string_view value = trim_right(line.substr(v));
    return KeyMatch{std::string(line.substr(0, colon)), std::string(value), v};
}

// Rule 5: snapstate:\s*(prepare|delete)\s*$ anywhere in the line; the offset of the word.
std::optional<size_t> snapstate_at_end(std::string_view line) {
    std::string_view rest = trim_right(line);
    size_t word = 0;
    for (std::string_view w : {"prepare", "delete"})
        if (rest.size() >= w.size() && rest.substr(rest.size() - w.size()) == w) word = w.size();
    if (word == 0) return std::nullopt;
    size_t word_start = rest.size() - word;
    std::string_view before = trim_right(rest.substr(0, word_start));
    constexpr std::string_view kTag = "snapstate:";
    if (before.size() < kTag.size() || before.substr(before.size() - kTag.size()) != kTag)
        return std::nullopt;
    return word_start;
}

// Rules 3 to 8 for a line inside a known section.
void classify_content(std::string_view raw, PveLine& line) {
    if (raw[0] == '#') {
        line.kind = PveLine::Kind::Comment;
        line.value = std::string(raw.substr(1));
        return;
    }
    auto key = match_key(raw);
    auto entry = [&](std::string k, std::string v, size_t start) {
        line.kind = PveLine::Kind::Entry;
        line.key = std::move(k);
        line.value = std::move(v);
        line.value_column = static_cast<int>(start) + 1;
    };
    bool descriptive = key && key->key == "description" && !trim_right(key->value).empty();
    if (!descriptive) {
        if (auto word = snapstate_at_end(raw)) {
            entry("snapstate", std::string(trim_right(raw.substr(*word))), *word);
            line.snapstate_suffix = !(key && key->key == "snapstate");
            if (line.snapstate_suffix && key) line.written_key = key->key;
            return;
        }
    }
    if (key) return entry(key->key, key->value, key->value_start);
    line.kind = PveLine::Kind::Bad;
}

}  // namespace

std::vector<PveLine> lex_pve_conf(std::string_view text) {
    std::vector<PveLine> lines;
    size_t start = 0;
    int number = 0;
    bool in_unknown_section = false;
    while (start < text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        std::string_view raw = text.substr(start, end - start);
        start = end + 1;

        PveLine line;
        line.number = ++number;
        line.text = std::string(raw);
        std::string name;
        if (trim_right(raw).empty()) {
            line.kind = PveLine::Kind::Blank;
        } else if (auto kind = section_header(raw, &name)) {
            line.kind = PveLine::Kind::Section;
            line.section = *kind;
            line.key = std::move(name);
            in_unknown_section = *kind == PveSectionKind::Unknown;
        } else if (in_unknown_section) {
            line.kind = PveLine::Kind::Skipped;
        } else {
            classify_content(raw, line);
        }
        lines.push_back(std::move(line));
    }
    return lines;
}

std::string pve_line_problem(std::string_view key, std::string_view value) {
    std::string line = std::string(key) + ": " + std::string(value);
    if (value.empty())
        return "it is empty, and qemu-server cannot read an empty value back ('KEY:' does not parse)";
    if (value.find('\n') != std::string_view::npos)
        return "it holds a line break, and qemu-server reads each line of a conf on its own";
    std::vector<PveLine> read = lex_pve_conf(line);
    if (read.size() != 1 || read[0].kind == PveLine::Kind::Bad)
        return "qemu-server cannot parse the line it gives (\"unable to parse config\")";
    const PveLine& l = read[0];
    if (l.kind != PveLine::Kind::Entry)
        return "qemu-server reads the line it gives as a comment or a section header";
    if (l.snapstate_suffix)
        return "it ends in 'snapstate: " + l.value +
               "', and qemu-server reads any line ending that way as the snapshot state (parse_vm_config "
               "matches it "
               "unanchored, before the key), so the whole '" +
               std::string(key) + "' line would be lost";
    if (l.key != key) return "qemu-server would read it as key '" + l.key + "'";
    if (l.value != value)
        return "qemu-server trims the white space around a value and would read '" + l.value + "'";
    return "";
}

const PveEntry* PveSection::find(std::string_view key) const {
    for (auto it = entries.rbegin(); it != entries.rend(); ++it)
        if (it->key == key) return &*it;
    return nullptr;
}

namespace {

std::string section_label(const PveSection& s) { return "[" + s.name + "]"; }

// Starts a section at `line`; a repeated header replaces the earlier section, as qemu-server does.
void open_section(PveConf& conf, const PveLine& line, const Mark& mark) {
    PveSection s;
    s.kind = line.section;
    s.name = line.key;
    s.mark = mark;
    std::string low = lower(line.key);
    for (auto it = conf.sections.begin() + 1; it != conf.sections.end(); ++it) {
        if (it->kind != s.kind || lower(it->name) != low) continue;
        conf.warnings.push_back({mark, "qemu-server warns \"duplicate section\" and drops the earlier " +
                                           section_label(*it) + " (line " + std::to_string(it->mark.line) +
                                           ") for this one"});
        conf.sections.erase(it);
        break;
    }
    conf.sections.push_back(std::move(s));
}

}  // namespace

PveConf parse_pve_conf(std::string_view text, const std::string& file) {
    PveConf conf;
    conf.file = file;
    conf.sections.emplace_back();
    const PveLine* unknown = nullptr;  // the header of the unknown section being skipped
    int skipped = 0;
    auto close_unknown = [&] {
        if (!unknown) return;
        conf.warnings.push_back(
            {Mark{file, unknown->number, 1}, "qemu-server skips unknown section '[" + unknown->key +
                                                 "]' with a warning, and its " + std::to_string(skipped) +
                                                 " line(s) up to the next section are never read"});
        unknown = nullptr;
        skipped = 0;
    };
    std::vector<PveLine> lines = lex_pve_conf(text);
    for (const auto& line : lines) {
        Mark mark{file, line.number, 1};
        switch (line.kind) {
            case PveLine::Kind::Blank:
                break;
            case PveLine::Kind::Skipped:
                ++skipped;
                break;
            case PveLine::Kind::Bad:
                conf.warnings.push_back(
                    {mark,
                     "qemu-server cannot parse this line (\"unable to parse config\"): it warns and "
                     "skips it, so the VM starts without it: '" +
                         line.text.substr(0, 60) + "'"});
                break;
            case PveLine::Kind::Comment:
                conf.sections.back().notes.emplace_back(line.value, mark);
                break;
            case PveLine::Kind::Section:
                close_unknown();
                if (line.section == PveSectionKind::Unknown)
                    unknown = &line;
                else
                    open_section(conf, line, mark);
                break;
            case PveLine::Kind::Entry:
                conf.sections.back().entries.push_back(
                    {line.key, line.value, mark, line.value_column, line.snapstate_suffix, line.written_key});
                break;
        }
    }
    close_unknown();
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
            out.properties.push_back(
                {std::string(part.substr(0, eq)), std::string(part.substr(eq + 1)), false, start});
        } else if (!default_key.empty() && !had_default) {
            had_default = true;
            out.properties.push_back({std::string(default_key), std::string(part), true, start});
        } else if (out.error.empty()) {
            out.error =
                default_key.empty()
                    ? "'" + std::string(part) + "' has no '=value' and this key has no default sub-key"
                    : "'" + std::string(part) + "' has no '=value' (the default sub-key '" +
                          std::string(default_key) + "' is already given)";
            out.error_offset = start;
        }
        start = comma + 1;
    }
    return out;
}

}  // namespace vfiogen
