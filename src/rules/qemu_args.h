// QEMU command-line arguments as PVE `args:`, libvirt <qemu:arg> and VM files pass them, read the
// way QEMU's own option parser reads them (softmmu/vl.c with the table from qemu-options.hx):
// an option either takes the next word as its value or takes none, and a word that no option
// takes is a disk image (QEMU's "hda"). Options removed from QEMU are kept with the release
// that removed them (docs/about/removed-features.rst), so a finding names it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rules/check_common.h"

namespace vfiogen {

// One word of a QEMU command line and where it starts.
struct QemuArg {
    std::string text;
    Mark mark;
};

// A QEMU option as a release knows it.
struct QemuOption {
    std::string_view name;                  // without the leading '-': "machine"
    bool takes_value;                       // HAS_ARG in qemu-options.hx
    std::optional<QemuVersion> removed_in;  // the release that removed it; nullopt = still there
    std::string_view instead;               // what to use instead, for the message
};

// The option `name` ("-soundhw", "--enable-kvm" or "soundhw"), or nullptr when not in the table.
const QemuOption* find_qemu_option(std::string_view name);

// Splits a PVE `args:` value into words as qemu-server does (PVE::Tools::split_args: shell-like,
// with '...' and "..." quoting and backslash escapes); `start` is where the value begins.
std::vector<QemuArg> split_pve_args(std::string_view value, const Mark& start);

// qemu-arg-positional: a word no option takes, which QEMU opens as a disk image.
// qemu-arg-removed: an option removed in `target` or before (QEMU refuses to start).
// qemu-arg-removed-later: an option removed after `target` (the VM stops starting on upgrade).
void check_qemu_args(const std::vector<QemuArg>& args, const QemuVersion& target, Findings& out);

}  // namespace vfiogen
