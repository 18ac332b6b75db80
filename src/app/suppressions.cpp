#include "app/suppressions.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <string_view>
#include <vector>

#include "base/suggest.h"

namespace vfiogen {
namespace {

// One rule id in a suppression comment.
struct Suppressed {
    std::string rule;
    Mark mark;  // where the id is written
    bool used = false;
};

// A suppression comment and the line it covers.
struct Suppression {
    int target_line = 0;
    std::vector<Suppressed> rules;
};

bool blank(std::string_view text) {
    return std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isspace(c); });
}

// After `at` in `line`: optional spaces, "vfiogen:", optional spaces, "ignore=" and the ids
// [A-Za-z0-9_,-]+. Returns the position after the ids (npos when it is no suppression) and fills
// `out` with the ids and their columns.
size_t parse_ignore(std::string_view line, size_t at, const Mark& where, std::vector<Suppressed>& out) {
    auto skip_spaces = [&](size_t p) {
        while (p < line.size() && (line[p] == ' ' || line[p] == '\t')) ++p;
        return p;
    };
    size_t p = skip_spaces(at);
    if (line.substr(p, 8) != "vfiogen:") return std::string_view::npos;
    p = skip_spaces(p + 8);
    if (line.substr(p, 7) != "ignore=") return std::string_view::npos;
    p += 7;
    size_t start = p;
    while (p < line.size() && (std::isalnum(static_cast<unsigned char>(line[p])) || line[p] == '-' || line[p] == '_' || line[p] == ','))
        ++p;
    if (p == start) return std::string_view::npos;
    for (size_t id = start; id < p;) {
        size_t comma = line.find(',', id);
        size_t end = comma == std::string_view::npos || comma > p ? p : comma;
        if (end > id)
            out.push_back({std::string(line.substr(id, end - id)), Mark{where.file, where.line, static_cast<int>(id + 1)}});
        id = end + 1;
    }
    return p;
}

// The suppression on line `number`, if any, and the line it covers.
std::optional<Suppression> suppression_in(std::string_view line, int number, InputKind kind, const std::string& path) {
    Suppression s;
    Mark where{path, number, 0};
    if (kind == InputKind::LibvirtXml) {
        size_t open = line.find("<!--");
        if (open == std::string_view::npos) return std::nullopt;
        size_t end = parse_ignore(line, open + 4, where, s.rules);
        if (end == std::string_view::npos) return std::nullopt;
        size_t close = line.find("-->", end);
        if (close == std::string_view::npos || !blank(line.substr(end, close - end))) return std::nullopt;
        bool alone = blank(line.substr(0, open)) && blank(line.substr(close + 3));
        s.target_line = alone ? number + 1 : number;
        return s;
    }
    size_t hash = line.find('#');
    if (kind == InputKind::PveConf || kind == InputKind::PveMapping) {
        // qemu-server and SectionConfig take only a '#' in the first column for a comment.
        if (hash != 0) return std::nullopt;
    } else {
        // YAML: a comment starts at '#' at the line's start or after white space.
        while (hash != std::string_view::npos && hash > 0 && line[hash - 1] != ' ' && line[hash - 1] != '\t')
            hash = line.find('#', hash + 1);
        if (hash == std::string_view::npos) return std::nullopt;
    }
    if (parse_ignore(line, hash + 1, where, s.rules) == std::string_view::npos) return std::nullopt;
    s.target_line = blank(line.substr(0, hash)) ? number + 1 : number;
    return s;
}

std::vector<Suppression> find_suppressions(const std::string& text, InputKind kind, const std::string& path) {
    std::vector<Suppression> found;
    size_t start = 0;
    for (int number = 1; start < text.size(); ++number) {
        size_t end = text.find('\n', start);
        std::string_view line(text.data() + start, (end == std::string::npos ? text.size() : end) - start);
        if (line.find("vfiogen") != std::string_view::npos)
            if (auto s = suppression_in(line, number, kind, path)) found.push_back(std::move(*s));
        if (end == std::string::npos) break;
        start = end + 1;
    }
    return found;
}

bool suppressible(const Finding& f, const std::string& path) {
    return f.mark.line > 0 && f.mark.file == path && f.rule != "unreadable" && f.rule != "more-findings";
}

}  // namespace

void apply_suppressions(const std::string& text, InputKind kind, FileResult& result) {
    if (result.unreadable || text.find("vfiogen") == std::string::npos) return;
    std::vector<Suppression> suppressions = find_suppressions(text, kind, result.path);
    if (suppressions.empty()) return;
    auto suppressed = [&](const Finding& f) {
        if (!suppressible(f, result.path)) return false;
        bool hit = false;
        for (auto& s : suppressions)
            if (s.target_line == f.mark.line)
                for (auto& id : s.rules)
                    if (id.rule == f.rule) hit = id.used = true;
        return hit;
    };
    result.findings.erase(std::remove_if(result.findings.begin(), result.findings.end(), suppressed), result.findings.end());
    const std::vector<std::string> ids = check_rule_ids();
    for (const auto& s : suppressions)
        for (const auto& id : s.rules) {
            if (id.used) continue;
            bool known = std::find(ids.begin(), ids.end(), id.rule) != ids.end();
            result.findings.push_back(
                {id.mark, "suppression-unused",
                 known ? "ignore=" + id.rule + " suppresses nothing on line " + std::to_string(s.target_line)
                       : "ignore=" + id.rule + " names no rule" + did_you_mean(id.rule, ids) +
                             " (vfiogen check --list-rules lists them)"});
        }
}

}  // namespace vfiogen
