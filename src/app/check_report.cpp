#include "app/check_report.h"

#include <cctype>

#include <nlohmann/json.hpp>

#include "base/source_excerpt.h"
#include "base/text_escape.h"

namespace vfiogen {
namespace {

using nlohmann::json;

std::string summary_line(const CheckSummary& s) {
    auto plural = [](size_t n, const char* word) { return std::to_string(n) + " " + word + (n == 1 ? "" : "s"); };
    std::string out = plural(s.files, "file") + " checked: " + plural(s.errors, "error") + ", " + plural(s.warnings, "warning");
    if (s.notes) out += ", " + plural(s.notes, "note");
    if (s.unreadable) out += ", " + std::to_string(s.unreadable) + " unreadable";
    return out + "\n";
}

// A SARIF artifact URI: relative paths stay relative references, absolute ones become file URIs;
// characters outside RFC 3986's unreserved set and '/' are percent-encoded.
std::string artifact_uri(const std::string& path) {
    std::string out = path.size() > 0 && path[0] == '/' ? "file://" : "";
    for (unsigned char c : path) {
        if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '/') {
            out += static_cast<char>(c);
        } else {
            static const char* hex = "0123456789ABCDEF";
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

size_t rule_index(const std::string& id) {
    const auto& rules = check_rules();
    for (size_t i = 0; i < rules.size(); ++i)
        if (rules[i].id == id) return i;
    return 0;
}

}  // namespace

CheckSummary summarize(const std::vector<FileResult>& results) {
    CheckSummary s;
    s.files = results.size();
    for (const auto& r : results) {
        s.unreadable += r.unreadable;
        s.errors += r.hidden_errors;
        s.warnings += r.hidden_warnings;
        for (const auto& f : r.findings)
            (f.severity() == Severity::Error ? s.errors : f.severity() == Severity::Warning ? s.warnings : s.notes)++;
    }
    return s;
}

std::string format_text(const std::vector<FileResult>& results) {
    std::string out;
    SourceExcerpts excerpts;
    for (const auto& r : results)
        for (const auto& f : r.findings) {
            out += escape_control(format_mark(f.mark)) + ": " + severity_name(f.severity()) + "[" + f.rule +
                   "]: " + escape_control(f.message) + "\n" + excerpts.of(f.mark);
            out += "    hint: " + std::string(check_rule(f.rule).hint) + "\n";
        }
    return out + summary_line(summarize(results));
}

std::string format_json(const std::vector<FileResult>& results) {
    json files = json::array(), findings = json::array();
    for (const auto& r : results) {
        files.push_back({{"path", r.path}, {"kind", r.kind ? input_kind_name(*r.kind) : nullptr}, {"unreadable", r.unreadable}});
        for (const auto& f : r.findings)
            findings.push_back({{"file", f.mark.file},
                                {"line", f.mark.line},
                                {"column", f.mark.column},
                                {"severity", severity_name(f.severity())},
                                {"rule", f.rule},
                                {"message", f.message},
                                {"hint", std::string(check_rule(f.rule).hint)}});
    }
    CheckSummary s = summarize(results);
    json doc = {{"files", files},
                {"findings", findings},
                {"summary", {{"files", s.files}, {"errors", s.errors}, {"warnings", s.warnings}, {"unreadable", s.unreadable}}}};
    return doc.dump(2, ' ', false, json::error_handler_t::replace) + "\n";  // bytes that are not UTF-8: U+FFFD
}

std::string format_sarif(const std::vector<FileResult>& results) {
    json rules = json::array();
    for (const auto& r : check_rules()) {
        rules.push_back({{"id", std::string(r.id)},
                         {"shortDescription", {{"text", std::string(r.summary)}}},
                         {"help", {{"text", std::string(r.hint) + " Source: " + std::string(r.source) + "."}}},
                         {"defaultConfiguration", {{"level", severity_name(r.severity)}}}});
    }
    json sarif_results = json::array();
    for (const auto& r : results)
        for (const auto& f : r.findings) {
            json location = {{"artifactLocation", {{"uri", artifact_uri(f.mark.file)}}}};
            if (f.mark.line > 0) {
                json region = {{"startLine", f.mark.line}};
                if (f.mark.column > 0) region["startColumn"] = f.mark.column;
                location["region"] = region;
            }
            sarif_results.push_back({{"ruleId", f.rule},
                                     {"ruleIndex", rule_index(f.rule)},
                                     {"level", severity_name(f.severity())},
                                     {"message", {{"text", f.message}}},
                                     {"locations", json::array({{{"physicalLocation", location}}})}});
        }
    json doc = {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
                {"version", "2.1.0"},
                {"runs", json::array({{{"tool",
                                        {{"driver",
                                          {{"name", "vfiogen"},
                                           {"version", VFIOGEN_VERSION},
                                           {"rules", rules}}}}},
                                       {"results", sarif_results}}})}};
    return doc.dump(2, ' ', false, json::error_handler_t::replace) + "\n";  // bytes that are not UTF-8: U+FFFD
}

}  // namespace vfiogen
