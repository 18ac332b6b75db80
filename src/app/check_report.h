// Printing `vfiogen check` results: text for terminals and CI logs, JSON for scripts, and
// SARIF 2.1.0 for code-scanning UIs (nlohmann/json writes both).
#pragma once

#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "app/check.h"

namespace vfiogen {

struct CheckSummary {
    size_t files = 0, errors = 0, warnings = 0, notes = 0, unreadable = 0;
};

CheckSummary summarize(const std::vector<FileResult>& results);

// text, json, sarif, github (workflow commands), gitlab (Code Quality report).
enum class ReportFormat { Text, Json, Sarif, Github, Gitlab };

// The format named `name` ("sarif"), or nothing.
std::optional<ReportFormat> report_format(const std::string& name);
const std::vector<std::string>& report_format_names();

// A finding's identity across runs for CI systems that track findings (SARIF
// partialFingerprints, GitLab's fingerprint): SHA-256 of the rule, the file, the message and the
// text of the line it points at (not the line number, so it survives lines added above it).
std::string finding_fingerprint(const Finding& finding, const std::string& line_text);

// A report written as the files are checked: each file's findings go to `out` when the file is
// added, so memory holds one file's findings at a time whatever the number of files (issue 17).
// The text, JSON and SARIF documents are those of format_text/format_json/format_sarif below.
class ReportWriter {
public:
    // `color`: the text report's severities in colour (base/color.h); other formats never.
    // `rules`: the table SARIF lists as tool.driver.rules (host check passes host_check_rules()).
    // A finding with its own `fix` shows it as "fix:" in text, as "hint" in JSON, and after the
    // message in SARIF, GitHub and GitLab reports.
    static std::unique_ptr<ReportWriter> make(ReportFormat format, std::ostream& out, bool color = false,
                                              const std::vector<CheckRule>& rules = check_rules());
    virtual ~ReportWriter() = default;

    // Writes `result`'s findings and counts them.
    void add(const FileResult& result);
    // Writes the end of the document (the summary); returns the counts of every file added.
    CheckSummary finish();

protected:
    explicit ReportWriter(std::ostream& out) : out_(out) {}
    virtual void write_file(const FileResult& result) = 0;
    virtual void write_end(const CheckSummary& summary) = 0;
    std::ostream& out_;

private:
    CheckSummary summary_;
};

// "file:line:col: severity[RULE]: message" then "    hint: ..." per finding, then the summary
// line "N files checked: E errors, W warnings" (", M notes" and ", U unreadable" when any).
std::string format_text(const std::vector<FileResult>& results);

// {"files": [{"path", "kind", "unreadable"}], "findings": [{"file", "line", "column", "severity",
//  "rule", "message", "hint"}], "summary": {"files", "errors", "warnings", "unreadable"}}; line and
// column are 0 when the whole file is meant.
std::string format_json(const std::vector<FileResult>& results);

// SARIF 2.1.0: one run, tool.driver.rules from the rule table (with helpUri and the tool's
// informationUri when the build sets VFIOGEN_DOCS_URL), one result per finding with ruleId,
// ruleIndex, level, a physicalLocation (region startLine/startColumn when known) and
// partialFingerprints {"vfiogen/v1": finding_fingerprint}.
std::string format_sarif(const std::vector<FileResult>& results);

// GitHub Actions workflow commands, one per finding: "::error file=F,line=L,col=C,title=RULE::
// MESSAGE" (warning, notice), escaped as actions/toolkit's command.ts does (data: % CR LF;
// properties also : and ,), then the summary line. GitLab: a Code Quality report, a JSON array of
// {description, check_name, fingerprint, severity (major, minor, info), location {path, lines
// {begin}}}.
std::string format_github(const std::vector<FileResult>& results);
std::string format_gitlab(const std::vector<FileResult>& results);

// Checks `paths` (already expanded and filtered) with `checker`, giving each file's result to
// `report` (and `also`, when given) as soon as it is checked; a conf that names a resource mapping
// no pci.cfg read so far defines waits for the end (a later pci.cfg may define it). Finishes the
// reports and returns `report`'s summary.
CheckSummary check_and_report(Checker& checker, const std::vector<std::string>& paths, ReportWriter& report,
                              ReportWriter* also = nullptr);

}  // namespace vfiogen
