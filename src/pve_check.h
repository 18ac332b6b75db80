// The check rules for Proxmox VE qemu-server confs (rule ids pve-*, plus the shared
// duplicate-host-function, gpu-without-audio, pcie-acs-override and unsafe-interrupts).
//
// Every section is read: the current config and each snapshot get the value and passthrough
// rules (a snapshot is a whole config that `qm rollback` restores); [PENDING] gets the value
// rules and may hold `delete:`; [special:cloudinit] is informative only (qemu-server does not
// validate it) and is skipped. Formats follow qemu-server's QemuServer.pm and PCI.pm.
#pragma once

#include "check_rules.h"
#include "pve_conf.h"
#include "pve_schema.h"

namespace vfiogen {

// All findings for `conf`, in line order within each section. Keys, sub-keys and values newer
// than `version` (a PVE release line, pve_schema.h) are errors (rule pve-version).
Findings check_pve_conf(const PveConf& conf, PveVersion version = newest_pve_version());

}  // namespace vfiogen
