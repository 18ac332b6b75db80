// The check rules for Proxmox VE qemu-server confs (rule ids pve-*, plus the shared
// duplicate-host-function, gpu-without-audio, pcie-acs-override and unsafe-interrupts).
//
// Every section is read: the current config and each snapshot get the value and passthrough
// rules (a snapshot is a whole config that `qm rollback` restores); [PENDING] gets the value
// rules and may hold `delete:`; [special:cloudinit] is informative only (qemu-server does not
// validate it) and is skipped. Formats follow qemu-server's QemuServer.pm and PCI.pm.
#pragma once

#include "pve/pve_conf.h"
#include "pve/pve_schema.h"
#include "rules/check_common.h"
#include "rules/check_rules.h"

namespace vfiogen {

// All findings for `conf`, in line order within each section. `ctx` gives the PVE release line
// the conf is checked for (keys, sub-keys and values newer than `ctx.pve_version` are errors,
// rule pve-version; pve_schema.h), the host (slot IDs expand to its functions) and the target
// QEMU (for `args:`).
Findings check_pve_conf(const PveConf& conf, const CheckContext& ctx = {});

// The same for PVE release line `version`, with no host and the default QEMU.
inline Findings check_pve_conf(const PveConf& conf, PveVersion version) {
    CheckContext ctx;
    ctx.pve_version = version;
    return check_pve_conf(conf, ctx);
}

}  // namespace vfiogen
