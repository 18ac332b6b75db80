#include "app/check_report.h"

#include <algorithm>
#include <cctype>
#include <sstream>

#include <nlohmann/json.hpp>

#include "base/color.h"
#include "base/digest.h"
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

size_t rule_index(const std::vector<CheckRule>& rules, const std::string& id) {
    for (size_t i = 0; i < rules.size(); ++i)
        if (rules[i].id == id) return i;
    return 0;
}

// A finding's message with its own fix, where a format has no place for a hint (host check's
// findings name the exact line to change).
std::string message_with_fix(const Finding& f) { return f.fix.empty() ? f.message : f.message + ". Fix: " + f.fix; }

}  // namespace

namespace {

void count(CheckSummary& s, const FileResult& r) {
    ++s.files;
    s.unreadable += r.unreadable;
    s.errors += r.hidden_errors;
    s.warnings += r.hidden_warnings;
    for (const auto& f : r.findings)
        (f.severity() == Severity::Error ? s.errors : f.severity() == Severity::Warning ? s.warnings : s.notes)++;
}

// `value` as json::dump(2) writes it `depth` levels deep in a document: every line after the
// first indented by 2 * depth more spaces, so pieces written one by one read as one dump(2).
std::string dump_at(const json& value, int depth) {
    std::string text = value.dump(2, ' ', false, json::error_handler_t::replace);  // not UTF-8: U+FFFD
    std::string indent(static_cast<size_t>(2 * depth), ' ');
    std::string out;
    for (char c : text) {
        out += c;
        if (c == '\n') out += indent;
    }
    return out;
}

// "file:line:col: severity[RULE]: message", the source excerpt and the hint, per finding.
class TextWriter : public ReportWriter {
public:
    TextWriter(std::ostream& out, bool color) : ReportWriter(out), color_(color) {}

private:
    void write_file(const FileResult& r) override {
        for (const auto& f : r.findings)
            out_ << escape_control(format_mark(f.mark)) << ": "
                 << paint(std::string(severity_name(f.severity())) + "[" + f.rule + "]", tone(f.severity()), color_)
                 << ": " << escape_control(f.message) << "\n"
                 << excerpts_.of(f.mark) << "    " << (f.fix.empty() ? "hint" : "fix") << ": " << escape_control(f.hint()) << "\n";
    }
    void write_end(const CheckSummary& s) override { out_ << summary_line(s); }
    static Tone tone(Severity s) { return s == Severity::Error ? Tone::Error : s == Severity::Warning ? Tone::Warning : Tone::Note; }
    SourceExcerpts excerpts_;
    bool color_;
};

// {"findings": [...], "files": [...], "summary": {...}}: findings stream; the file list (a path
// and a kind per file) is kept until the end.
class JsonWriter : public ReportWriter {
public:
    explicit JsonWriter(std::ostream& out) : ReportWriter(out) {}

private:
    void write_file(const FileResult& r) override {
        files_.push_back({{"path", r.path}, {"kind", r.kind ? input_kind_name(*r.kind) : nullptr}, {"unreadable", r.unreadable}});
        for (const auto& f : r.findings) {
            json finding = {{"file", f.mark.file},
                            {"line", f.mark.line},
                            {"column", f.mark.column},
                            {"severity", severity_name(f.severity())},
                            {"rule", f.rule},
                            {"message", f.message},
                            {"hint", f.hint()}};
            out_ << (first_ ? "{\n  \"findings\": [\n    " : ",\n    ") << dump_at(finding, 2);
            first_ = false;
        }
    }
    void write_end(const CheckSummary& s) override {
        out_ << (first_ ? "{\n  \"findings\": []" : "\n  ]") << ",\n  \"files\": " << dump_at(files_, 1)
             << ",\n  \"summary\": "
             << dump_at({{"files", s.files}, {"errors", s.errors}, {"warnings", s.warnings}, {"unreadable", s.unreadable}}, 1)
             << "\n}\n";
    }
    json files_ = json::array();
    bool first_ = true;
};

// SARIF 2.1.0: the tool and its rules, then results as they come.
class SarifWriter : public ReportWriter {
public:
    SarifWriter(std::ostream& out, const std::vector<CheckRule>& rules) : ReportWriter(out), rules_(rules) {}

private:
    void write_file(const FileResult& r) override {
        for (const auto& f : r.findings) {
            json location = {{"artifactLocation", {{"uri", artifact_uri(f.mark.file)}}}};
            if (f.mark.line > 0) {
                json region = {{"startLine", f.mark.line}};
                if (f.mark.column > 0) region["startColumn"] = f.mark.column;
                location["region"] = region;
            }
            json result = {{"ruleId", f.rule},
                           {"ruleIndex", rule_index(rules_, f.rule)},
                           {"level", severity_name(f.severity())},
                           {"message", {{"text", message_with_fix(f)}}},
                           {"locations", json::array({{{"physicalLocation", location}}})},
                           {"partialFingerprints", {{"vfiogen/v1", finding_fingerprint(f, lines_.text(f.mark))}}}};
            start();
            out_ << (first_ ? "\n        " : ",\n        ") << dump_at(result, 4);
            first_ = false;
        }
    }
    // The results array closed, then "tool" (keys in dump's order: "results" sorts before it).
    void write_end(const CheckSummary&) override {
        start();
        json rules = json::array();
        std::string docs = VFIOGEN_DOCS_URL;
        for (const auto& r : rules_) {
            json rule = {{"id", std::string(r.id)},
                         {"shortDescription", {{"text", std::string(r.summary)}}},
                         {"help", {{"text", std::string(r.hint) + " Source: " + std::string(r.source) + "."}}},
                         {"defaultConfiguration", {{"level", severity_name(r.severity)}}}};
            if (!docs.empty()) rule["helpUri"] = docs + "/RULES.md#" + std::string(r.id);
            rules.push_back(rule);
        }
        json driver = {{"name", "vfiogen"}, {"version", VFIOGEN_VERSION}, {"rules", rules}};
        if (!docs.empty()) driver["informationUri"] = docs;
        json tool = {{"driver", driver}};
        out_ << (first_ ? "]" : "\n      ]") << ",\n      \"tool\": " << dump_at(tool, 3)
             << "\n    }\n  ],\n  \"version\": \"2.1.0\"\n}\n";
    }
    // The document up to the opening of "results", once.
    void start() {
        if (started_) return;
        started_ = true;
        out_ << "{\n  \"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\",\n  \"runs\": [\n    {\n"
                "      \"results\": [";
    }
    bool started_ = false, first_ = true;
    SourceLines lines_;
    const std::vector<CheckRule>& rules_;
};

// "::" workflow command escaping (actions/toolkit packages/core/src/command.ts).
std::string github_data(const std::string& text) {
    std::string out;
    for (char c : escape_control(text)) {
        if (c == '%') out += "%25";
        else if (c == '\r') out += "%0D";
        else if (c == '\n') out += "%0A";
        else out += c;
    }
    return out;
}

std::string github_property(const std::string& text) {
    std::string out;
    for (char c : github_data(text)) {
        if (c == ':') out += "%3A";
        else if (c == ',') out += "%2C";
        else out += c;
    }
    return out;
}

class GithubWriter : public ReportWriter {
public:
    explicit GithubWriter(std::ostream& out) : ReportWriter(out) {}

private:
    void write_file(const FileResult& r) override {
        for (const auto& f : r.findings) {
            const char* command = f.severity() == Severity::Error ? "error" : f.severity() == Severity::Warning ? "warning" : "notice";
            out_ << "::" << command << " file=" << github_property(f.mark.file);
            if (f.mark.line > 0) out_ << ",line=" << f.mark.line;
            if (f.mark.line > 0 && f.mark.column > 0) out_ << ",col=" << f.mark.column;
            out_ << ",title=" << github_property("vfiogen " + f.rule) << "::" << github_data(message_with_fix(f)) << "\n";
        }
    }
    void write_end(const CheckSummary& s) override { out_ << summary_line(s); }
};

// GitLab Code Quality (docs.gitlab.com, ci/testing/code_quality: the report format).
class GitlabWriter : public ReportWriter {
public:
    explicit GitlabWriter(std::ostream& out) : ReportWriter(out) {}

private:
    void write_file(const FileResult& r) override {
        for (const auto& f : r.findings) {
            const char* severity = f.severity() == Severity::Error ? "major" : f.severity() == Severity::Warning ? "minor" : "info";
            json issue = {{"description", message_with_fix(f)},
                          {"check_name", f.rule},
                          {"fingerprint", finding_fingerprint(f, lines_.text(f.mark))},
                          {"severity", severity},
                          {"location", {{"path", f.mark.file}, {"lines", {{"begin", std::max(f.mark.line, 1)}}}}}};
            out_ << (first_ ? "[\n  " : ",\n  ") << dump_at(issue, 1);
            first_ = false;
        }
    }
    void write_end(const CheckSummary&) override { out_ << (first_ ? "[]\n" : "\n]\n"); }
    bool first_ = true;
    SourceLines lines_;
};

}  // namespace

std::unique_ptr<ReportWriter> ReportWriter::make(ReportFormat format, std::ostream& out, bool color,
                                                 const std::vector<CheckRule>& rules) {
    switch (format) {
    case ReportFormat::Json: return std::make_unique<JsonWriter>(out);
    case ReportFormat::Sarif: return std::make_unique<SarifWriter>(out, rules);
    case ReportFormat::Github: return std::make_unique<GithubWriter>(out);
    case ReportFormat::Gitlab: return std::make_unique<GitlabWriter>(out);
    case ReportFormat::Text: break;
    }
    return std::make_unique<TextWriter>(out, color);
}

void ReportWriter::add(const FileResult& result) {
    count(summary_, result);
    write_file(result);
}

CheckSummary ReportWriter::finish() {
    write_end(summary_);
    out_.flush();
    return summary_;
}

CheckSummary summarize(const std::vector<FileResult>& results) {
    CheckSummary s;
    for (const auto& r : results) count(s, r);
    return s;
}

namespace {

std::string format_all(ReportFormat format, const std::vector<FileResult>& results) {
    std::ostringstream out;
    auto writer = ReportWriter::make(format, out);
    for (const auto& r : results) writer->add(r);
    writer->finish();
    return out.str();
}

}  // namespace

std::string format_text(const std::vector<FileResult>& results) { return format_all(ReportFormat::Text, results); }
std::string format_json(const std::vector<FileResult>& results) { return format_all(ReportFormat::Json, results); }
std::string format_sarif(const std::vector<FileResult>& results) { return format_all(ReportFormat::Sarif, results); }
std::string format_github(const std::vector<FileResult>& results) { return format_all(ReportFormat::Github, results); }
std::string format_gitlab(const std::vector<FileResult>& results) { return format_all(ReportFormat::Gitlab, results); }

const std::vector<std::string>& report_format_names() {
    static const std::vector<std::string> names = {"text", "json", "sarif", "github", "gitlab"};
    return names;
}

std::optional<ReportFormat> report_format(const std::string& name) {
    const auto& names = report_format_names();
    auto it = std::find(names.begin(), names.end(), name);
    if (it == names.end()) return std::nullopt;
    return static_cast<ReportFormat>(it - names.begin());
}

std::string finding_fingerprint(const Finding& finding, const std::string& line_text) {
    std::string key = finding.rule + '\0' + finding.mark.file + '\0' + finding.message + '\0' + line_text;
    return sha256_hex(key);
}

CheckSummary check_and_report(Checker& checker, const std::vector<std::string>& paths, ReportWriter& report,
                              ReportWriter* also) {
    auto add = [&](const FileResult& r) {
        report.add(r);
        if (also) also->add(r);
    };
    std::vector<FileResult> waiting;
    for (const auto& path : paths) {
        FileResult r = checker.check_file(path);
        if (checker.awaits_mappings(r)) waiting.push_back(std::move(r));
        else add(r);
    }
    checker.check_mappings(waiting);
    for (const auto& r : waiting) add(r);
    if (also) also->finish();
    return report.finish();
}

}  // namespace vfiogen
