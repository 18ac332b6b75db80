#include "app/host_report.h"

namespace vfiogen {

FileResult host_check_result(const std::vector<HostFinding>& findings, const std::string& vm_file) {
    FileResult result;
    result.path = vm_file;
    result.kind = InputKind::VmFile;
    for (const auto& f : findings) {
        if (f.status == CheckStatus::Pass) continue;
        Severity level = f.status == CheckStatus::Fail   ? Severity::Error
                         : f.status == CheckStatus::Warn ? Severity::Warning
                                                         : Severity::Note;
        result.findings.push_back({f.mark, f.rule, f.message, level, f.fix});
    }
    return result;
}

int write_host_report(const std::vector<HostFinding>& findings, const std::string& vm_file, ReportFormat format,
                      bool fail_on_warning, std::ostream& out, bool color) {
    auto writer = ReportWriter::make(format, out, color, host_check_rules());
    writer->add(host_check_result(findings, vm_file));
    CheckSummary summary = writer->finish();
    return summary.errors || (fail_on_warning && summary.warnings) ? kExitInvalid : kExitOk;
}

}  // namespace vfiogen
