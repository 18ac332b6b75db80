// host check through check's reports (app/host_report.h): one pipeline, one --fail-on.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "app/host_report.h"
#include "test_helpers.h"

using namespace vfiogen;

namespace {

struct Run {
    std::vector<HostFinding> findings;
    std::string vm_file;
};

// The GT 1030 of seed 000 on its host: warnings (drivers, boot VGA, modules), a note (iommu=pt)
// and an error (the I210 NIC in the GPU's IOMMU group).
Run gt1030() {
    auto [vm, host] = test::host_case("gt1030", "examples/pve-nvidia-gt1030.yaml");
    PciNames names;
    return {check_host(host, vm, names), vm.file};
}

}  // namespace

TEST_CASE("host check findings become check findings: status as severity, own fix and mark, no PASS") {
    Run run = gt1030();
    FileResult r = host_check_result(run.findings, run.vm_file);
    CHECK(r.path == run.vm_file);
    size_t problems = 0;
    for (const auto& f : run.findings) problems += f.status != CheckStatus::Pass;
    REQUIRE(r.findings.size() == problems);
    const Finding& group = *std::find_if(r.findings.begin(), r.findings.end(), [](const Finding& f) { return f.rule == "iommu-group"; });
    CHECK(group.severity() == Severity::Error);
    CHECK(format_mark(group.mark) == run.vm_file + ":25:11");  // the passthrough entry's host key
    CHECK(group.hint().find("pass it to the VM as well") == 0);
    const Finding& pt = *std::find_if(r.findings.begin(), r.findings.end(), [](const Finding& f) { return f.rule == "cmdline-iommu-pt"; });
    CHECK(pt.severity() == Severity::Note);
    CHECK(pt.mark.file == test::source_dir() + "/tests/data/hosts/gt1030/proc/cmdline");
    CHECK(pt.mark.line == 0);
}

TEST_CASE("host check reports: SARIF lists the host rules, --fail-on warning counts warnings") {
    Run run = gt1030();
    std::ostringstream sarif;
    CHECK(write_host_report(run.findings, run.vm_file, ReportFormat::Sarif, false, sarif, false) == 1);
    auto doc = nlohmann::json::parse(sarif.str());
    const auto& rules = doc["runs"][0]["tool"]["driver"]["rules"];
    CHECK(rules.size() == host_check_rules().size());
    CHECK(rules[0]["id"] == "cpu-virt");
    for (const auto& result : doc["runs"][0]["results"]) {
        CAPTURE(result.dump());
        CHECK(rules[result["ruleIndex"].get<size_t>()]["id"] == result["ruleId"]);
        CHECK(result["message"]["text"].get<std::string>().find(". Fix: ") != std::string::npos);
    }

    // Without the error, only --fail-on warning fails.
    std::vector<HostFinding> warnings;
    for (const auto& f : run.findings)
        if (f.status != CheckStatus::Fail) warnings.push_back(f);
    std::ostringstream out;
    CHECK(write_host_report(warnings, run.vm_file, ReportFormat::Text, false, out, false) == 0);
    CHECK(write_host_report(warnings, run.vm_file, ReportFormat::Text, true, out, false) == 1);
    CHECK(out.str().find("    fix: add iommu=pt to GRUB_CMDLINE_LINUX_DEFAULT") != std::string::npos);
}
