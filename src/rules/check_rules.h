// The one table of `vfiogen check` rules, and the findings that name them.
//
// Each row gives a rule's stable id, severity, what it applies to, a one-line summary, a hint
// (how to fix it), the source of the rule and the releases it depends on. The table drives the checkers (every finding
// names a row), `vfiogen check --list-rules`, the SARIF rule list and docs/RULES.md (a test
// keeps the two equal, and a test gives every row a config that triggers it and one that does not).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/diagnostic.h"

namespace vfiogen {

// What a rule reads.
enum class RuleScope {
    Any,      // every kind of input
    Vm,       // vfiogen VM files and hardware profiles (YAML)
    Pve,      // Proxmox qemu-server confs (and the PVE rendering of a VM file)
    Libvirt,  // libvirt domain XML (and the libvirt rendering of a VM file)
    Both,     // PVE confs and libvirt XML
    Host,     // the host `host check` reads (sysfs, procfs, files) for a VM file
};

struct CheckRule {
    std::string_view id;  // "pve-legacy-igd": lowercase, stable, never reused
    Severity severity;    // Error, Warning or Note (informative: never fails a check)
    RuleScope scope;
    std::string_view summary;
    std::string_view hint;    // what to do about it, one line
    std::string_view source;  // where the rule comes from ("qemu-server PCI.pm", ...)
    std::string_view release = "";  // the releases the rule depends on ("qemu-server >= 6.0"), "" = none
};

// The table of `vfiogen check`, in documentation order.
const std::vector<CheckRule>& check_rules();

// The table of `vfiogen host check` (scope Host), in the order it checks.
const std::vector<CheckRule>& host_check_rules();

// Every rule id, in table order (for did-you-mean and validation of ids users write).
std::vector<std::string> check_rule_ids();

// The row for `id` in either table; an id in neither is a programming error (std::logic_error).
const CheckRule& check_rule(std::string_view id);

// One finding: a rule broken at a place in an input file.
struct Finding {
    Mark mark;            // line/column 0 when the whole file is meant
    std::string rule;     // a check_rules() id
    std::string message;  // what is wrong here, in the field's terms
    std::optional<Severity> level = std::nullopt;  // a .vfiogen.yaml's severity, or host check's status
    std::string fix = "";  // this finding's own fix (host check names the exact line); "" = the rule's hint

    Severity severity() const { return level ? *level : check_rule(rule).severity; }
    std::string hint() const { return fix.empty() ? std::string(check_rule(rule).hint) : fix; }
};
using Findings = std::vector<Finding>;

// "error" / "warning" / "note".
const char* severity_name(Severity severity);

// Both rule tables as Markdown (docs/RULES.md), or one as aligned text for `--list-rules`.
std::string rules_markdown();
std::string rules_text(const std::vector<CheckRule>& rules = check_rules());

}  // namespace vfiogen
