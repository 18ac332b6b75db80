// Checks shared by the PVE conf, libvirt XML and VM file checkers: the rules that read any
// format once it is reduced to host PCI functions or free text.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "check_rules.h"
#include "pci_address.h"

namespace vfiogen {

// One host PCI device or function as a config passes it.
struct PassedHost {
    PciAddress address;    // no function = the whole device (PVE "01:00")
    Mark mark;
    bool primary_gpu = false;  // x-vga (or legacy IGD): the config itself says it is a GPU
};

// duplicate-host-function: the same host function (or a whole device and one of its functions)
// passed twice; reported at the second. gpu-without-audio: a primary GPU's function .0 passed
// without function .1 of the same device (legacy IGD at 00:02.0 is exempt: its audio is elsewhere).
void check_passed_hosts(const std::vector<PassedHost>& hosts, Findings& out);

// pcie-acs-override and unsafe-interrupts: the words anywhere in `text` (QEMU arguments, notes).
// `mark` is where `text` starts on its line; with `exact_column` the finding's column is moved
// to the word (the text is written as is on that line), else `mark` is kept (XML attributes).
void check_isolation_text(std::string_view text, const Mark& mark, Findings& out, bool exact_column = true);

}  // namespace vfiogen
