// The check rules about what Proxmox VE's API guards and a hand-edited conf can break: volumes
// (pve-volume-shared, pve-efidisk-missing) and task locks (pve-locked).
//
// Sources (proxmox/qemu-server 9.2.6, e6352be6): QemuServer/Drive.pm (drive keys ide0-3, sata0-5,
// scsi0-30, virtio0-15, efidisk0, tpmstate0; default key `file`; volumes are allocated only through
// the API), QemuServer/OVMF.pm ("no efidisk configured! Using temporary efivars disk."),
// pve-guest-common AbstractConfig.pm check_lock.
#pragma once

#include "pve/pve_conf.h"
#include "rules/check_rules.h"

namespace vfiogen {

// Findings of the three rules for `conf`: a volume used by two drive keys of one section (current
// config or a snapshot; cdrom media and `none` aside), `bios: ovmf` without `efidisk0` in the
// current config (the message carries the `qm set` that creates one; the VMID comes from a file
// named <vmid>.conf), and a `lock:` in the current config.
Findings check_pve_state(const PveConf& conf);

}  // namespace vfiogen
