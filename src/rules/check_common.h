// Checks shared by the PVE conf, libvirt XML and VM file checkers: the rules that read any
// format once it is reduced to host PCI functions or free text.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/pci_address.h"
#include "model/releases.h"
#include "rules/check_rules.h"

namespace vfiogen {

struct Host;

// What `vfiogen check` knows beyond the file itself.
struct CheckContext {
    // The host the configs are for (`check --host-root DIR`): which functions a slot ID stands
    // for, their classes, its CPU vendor. Null: unknown, and rules assume only what is certain.
    const Host* host = nullptr;
    // The QEMU that runs the VM (`--qemu-version`; default Debian 12's 7.2): options removed in
    // it or before are errors, options removed later are warnings.
    QemuVersion qemu;
    // The PVE release line confs are checked for (`--pve-version`; default the newest in
    // pve_schema.cpp's table): keys, sub-keys and values newer than it are errors.
    PveVersion pve_version = newest_pve_version();
};

// The host functions that `address` stands for: itself when it names a function; for a slot ID
// ("0000:00:02", PVE's "all functions"), the functions the host has there (qemu-server PCI.pm
// expands a slot through lspci), or nothing when `host` is null or lacks the device.
std::vector<PciAddress> slot_functions(const PciAddress& address, const Host* host);

// The vendor:device ID in the PCI data structure ("PCIR", pointed to from offset 0x18) of the
// option ROM image at `path`; nullopt when the file is missing or is not a legacy option ROM
// (no 55 AA signature, an EFI driver, a zero pointer). Reads at most the first 64 KiB.
std::optional<PciId> option_rom_id(const std::string& path);

// One host PCI device or function as a config passes it.
struct PassedHost {
    PciAddress address;  // no function = the whole device (PVE "01:00")
    Mark mark;
    bool primary_gpu = false;  // x-vga (or legacy IGD): the config itself says it is a GPU
    std::string romfile;       // the ROM file given to it, as written ("" = none)
    Mark rom_mark;             // where the ROM file is given
    std::string rom_path;      // the absolute path QEMU reads it from ("/usr/share/kvm/X" for PVE)
    bool mdev = false;         // a mediated device of this function (PVE mdev=), not the function
};

// duplicate-host-function: the same host function (or a whole device and one of its functions)
// passed twice; reported at the second. Two mediated devices of one function are two instances
// (qemu-server creates one per hostpciN), not a duplicate. gpu-without-audio: a primary GPU's function .0 passed
// without function .1 of the same device (legacy IGD at 00:02.0 is exempt: its audio is elsewhere;
// with a host, a GPU that has no function .1 there is exempt too).
// chipset-slot: Intel's PCH slot 00:1f passed whole or with its LPC bridge 00:1f.0 (not on an AMD host).
// romfile-device: one ROM file given to two devices, or (with a host) to a function that is not a
// GPU, or whose vendor differs from the one in the ROM's PCI data structure (the file read under
// the host root).
void check_passed_hosts(const std::vector<PassedHost>& hosts, Findings& out, const CheckContext& ctx = {});

// pcie-acs-override and unsafe-interrupts: the words anywhere in `text` (QEMU arguments, notes).
// `mark` is where `text` starts on its line; with `exact_column` the finding's column is moved
// to the word (the text is written as is on that line), else `mark` is kept (XML attributes).
void check_isolation_text(std::string_view text, const Mark& mark, Findings& out, bool exact_column = true);

}  // namespace vfiogen
