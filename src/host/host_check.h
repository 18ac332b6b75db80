// `vfiogen host check VM.yaml`: is this host ready to pass the VM file's functions through?
// Its rules are rows of rules/check_rules.h's host_check_rules() table, so it shares check's
// reports (app/host_report.h) and --list-rules.
#pragma once

#include <string>
#include <vector>

#include "model/vm.h"
#include "rules/check_rules.h"
#include "sysfs/host.h"
#include "sysfs/pci_names.h"

namespace vfiogen {

enum class CheckStatus { Pass, Info, Warn, Fail };

// One line of the report. Every Warn and Fail carries a `fix` naming the exact line and file.
struct HostFinding {
    CheckStatus status = CheckStatus::Pass;
    std::string rule;     // a host_check_rules() id
    std::string message;
    std::string fix;      // "" for Pass (and for Info without advice)
    Mark mark;            // what it is about: the VM file's key for a function or VM setting, else
                          // the host file it read (<proc>/cmdline, ...; line 0)
};

// Checks `host` against `vm` (its passthrough functions, ROM files, firmware). Never throws for
// host facts: a missing file is a finding. Order: host-wide rules, then per function.
std::vector<HostFinding> check_host(const Host& host, const Vm& vm, PciNames& names);

// The checklist (host check's default format): "PASS  rule  message" lines, "      fix: ..."
// under WARN/FAIL, and a summary line. The other formats are check's (app/host_report.h).
// `color`: the status words in colour (base/color.h).
std::string format_findings_text(const std::vector<HostFinding>& findings, bool color = false);

// 1 when any finding fails (or warns, with `fail_on_warning`), else 0.
int findings_exit_code(const std::vector<HostFinding>& findings, bool fail_on_warning);

// Where the kernel command line lives on this host and how to apply a change, e.g.
// "GRUB_CMDLINE_LINUX_DEFAULT in /etc/default/grub, then run update-grub". Reads (never writes)
// <files>/etc/kernel/cmdline to tell Proxmox's systemd-boot set-up from GRUB.
std::string cmdline_fix(const Host& host, const std::string& action);

}  // namespace vfiogen
