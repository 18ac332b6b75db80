// `vfiogen attach --vmid N | --pve-conf FILE`: merging a VM file's passthrough into an existing
// Proxmox VE VM's conf (one made in the GUI, say), the way PVE's own tools change a conf.
//
// Facts from qemu-server (proxmox/qemu-server at 9.2.6, e6352be6) and pve-guest-common (4a8f6cbf):
//  - QemuServer.pm write_vm_config: description `#` lines first, then the keys in `sort keys`
//    order (bytewise), then [PENDING], [special:*] and one [snapname] section per snapshot;
//    parse_vm_config reads the lines (see pve_conf.h).
//  - QemuConfig.pm config_file_lock: the lock file is /var/lock/qemu-server/lock-<vmid>.conf;
//    AbstractConfig.pm lock_config takes an exclusive flock on it with a 10 s timeout, and
//    check_lock refuses to change a conf with `lock: <reason>` (backup, migrate, snapshot, ...).
//  - QemuServer/Drive.pm: only the API allocates volumes (`qm set N --efidisk0 STORAGE:1,...`).
//  - QemuServer/PCI.pm: hostpci0..hostpci15; CPUConfig.pm: a conf without `cpu` runs kvm64.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "base/diagnostic.h"
#include "pve/pve_schema.h"
#include "pve/qm_command.h"
#include "pve/render_pve.h"

namespace vfiogen {

struct PveAttachResult {
    std::string before;            // the conf as read
    std::string after;             // with the passthrough merged; == before when nothing changes
    std::vector<QmOption> qm_set;  // the same change as `qm set` options (`delete` for removed keys)
    std::optional<std::string>
        efidisk_command;  // `qm set N --efidisk0 ...` when OVMF needs one and there is none
    std::optional<std::string>
        tpmstate_command;  // `qm set N --tpmstate0 ...` when the VM file asks for a TPM and there is none
    Warnings notes;        // what the user should know (firmware switch, cpu type kept, ...)

    bool changed() const { return before != after; }
};

// Merges `plan` (vm's PVE passthrough) into the current config section of `conf_text`, read from
// `conf_file` (labels the marks), for VM `vmid`:
//  - hostpciN entries, matched to the existing ones by host PCI address (an entry passing any
//    function of the same device matches) or by resource mapping id (`mapping=`); the first match
//    keeps its index, further matches are removed; new ones at the lowest index free in the current
//    config and [PENDING];
//  - the `args` words vfiogen owns (`-set device.hostpciN.x-igd-*` of the entries it writes),
//    other `args` text kept, the VM file's qemu_args appended when missing;
//  - bios, the machine type (a pinned version kept unless the VM file names one; other machine
//    sub-keys kept), the vga type (other sub-keys kept), and cpu `hidden`/`hv-vendor-id` merged
//    into the existing cpu value (the cpu type is kept; without a cpu line, qemu-server's kvm64).
// Every other line (description, other keys, [PENDING], snapshots) stays byte for byte; a new key
// goes before the first key that sorts after it, so a conf PVE wrote stays sorted. Disks are never
// touched: without an efidisk0 under OVMF (or a tpmstate0 when the VM file asks for a TPM),
// efidisk_command (tpmstate_command) says how to let PVE create one.
// The merged conf is checked with check_pve_conf() for PVE release line `version` (--pve-version):
// error-level findings it did not have before (a key or value newer than `version` among them)
// throw InputErrors (each at its line in the merged text) and nothing is returned.
// Throws InputError: at the conf's line for a line qemu-server cannot parse, a `lock:` (refused, as
// check_lock does), a [PENDING] entry or `delete:` for a key vfiogen would change, or a hostpci,
// machine, vga or cpu value whose property string does not parse; at the VM file's marks for a
// move between i440fx and q35 and for hostpci entries beyond hostpci15.
PveAttachResult merge_pve_passthrough(const std::string& conf_text, const std::string& conf_file,
                                      long long vmid, const PvePassthrough& plan, const Vm& vm,
                                      PveVersion version = newest_pve_version());

// The SHA-1 (40 lowercase hex digits) of a conf's bytes: the `digest` qemu-server reports for it
// (QemuServer.pm parse_vm_config: Digest::SHA::sha1_hex of the raw file) and that `qm set --digest`
// compares before changing anything.
std::string pve_conf_digest(const std::string& conf_text);

struct PveAttachOptions {
    std::string conf_path;          // --pve-conf FILE ("" with --vmid)
    std::optional<long long> vmid;  // --vmid N: the conf is <pve_root>/etc/pve/qemu-server/N.conf
    std::string pve_root;           // --pve-root DIR: prefixes the conf and lock paths ("" = /)
    bool diff = false;              // print a unified diff (dtl) of the conf
    bool dry_run = false;           // change nothing
    bool print_qm = false;          // print the equivalent `qm set` instead of writing
    PveVersion pve_version = newest_pve_version();  // --pve-version: the release line the VM's node runs
};

// The conf path `opts` names, and the VMID whose lock file guards it (none for a --pve-conf file
// that is not <N>.conf in a qemu-server folder).
std::string pve_conf_path(const PveAttachOptions& opts);

// Attaches vm's passthrough to the conf `opts` names: takes qemu-server's lock (flock on
// <pve_root>/var/lock/qemu-server/lock-N.conf, 10 s), reads the conf through the directory entry it
// replaces, merges, and replaces it atomically with output_file.h's FileReplacement (temp file
// beside it, mode and owner kept, rename; on pmxcfs, which has no hard links, as PVE's own
// file_set_contents does) unless nothing changed, --dry-run or --print-qm. Progress, the diff and
// the qm command go to `out`; notes to `err`. A running VM (its /var/run/qemu-server/N.pid) is told
// that the devices arrive when QEMU restarts.
// Throws InputError (file:line:col; a missing conf, a conf that is a symlink or not a regular
// file, a folder vfiogen cannot write, and everything merge_pve_passthrough refuses), ServiceError
// (the lock is held by another task for 10 s), OutputError (a conf with several hard links, or the
// write itself failed).
void attach_pve(const Vm& vm, const PveAttachOptions& opts, std::ostream& out, std::ostream& err);

}  // namespace vfiogen
