// `vfiogen host check` through check's reports: its findings as a FileResult, so text, JSON,
// SARIF, GitHub and GitLab reports and --fail-on mean the same for both commands.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "app/check.h"
#include "app/check_report.h"
#include "host/host_check.h"

namespace vfiogen {

// The findings of one host check of `vm_file` as one file's result: FAIL -> error, WARN ->
// warning, INFO -> note, each with its own fix and mark; PASS findings are left out (they are
// no problem: the checklist shows them).
FileResult host_check_result(const std::vector<HostFinding>& findings, const std::string& vm_file);

// Writes `findings` in `format` to `out` (SARIF lists host_check_rules()). Returns the exit code:
// 1 when a finding is an error, or a warning with `fail_on_warning`, else 0.
int write_host_report(const std::vector<HostFinding>& findings, const std::string& vm_file, ReportFormat format,
                      bool fail_on_warning, std::ostream& out, bool color);

}  // namespace vfiogen
