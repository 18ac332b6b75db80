// Legacy IGD, written once for every format: QEMU's "legacy mode" for Intel's integrated GPU
// (docs/igd-assign.txt, hw/vfio/igd.c vfio_probe_igd_bar4_quirk as of QEMU 7.2) and qemu-server's
// `legacy-igd=1` (PCI.pm parse_hostpci_devices, unchanged from PVE 8.0 to 9.2).
//
// The VM file loader, the PVE conf checker and the libvirt XML checker each reduce what they read
// to a LegacyIgdUse and ask legacy_igd_problems(); only the wording of the fix differs per format.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "model/pci_address.h"

namespace vfiogen {

// The chipset a machine type names: "i440fx", "pc", "pc-i440fx-8.1", "pc-1.0" (QEMU's old i440fx
// names) -> I440fx; "q35", "pc-q35-8.1", "pc-q35-8.1+pve0" -> Q35; anything else (a typo, "microvm")
// -> Other. "" (no machine type) is qemu-server's and libvirt's default for x86, i440fx.
enum class Chipset { I440fx, Q35, Other };
Chipset chipset_of(std::string_view machine);

// 0000:00:02.0, the one host (and guest) address legacy mode works at.
bool is_igd_address(const PciAddress& address);

// Whose wording a problem is told in: the keys the user can change are named as that format
// spells them ("machine.type: i440fx", "vga: none").
enum class IgdDialect { VmFile, PveConf };

// One passed device that asks for legacy IGD, reduced to what the rule needs.
struct LegacyIgdUse {
    IgdDialect dialect = IgdDialect::VmFile;
    std::string host;                  // the host ID, for messages ("0000:00:02.0")
    std::vector<PciAddress> functions; // the host functions it passes, slot IDs already expanded
    bool from_slot = false;            // `functions` came from one slot ID ("00:02", all functions)
    std::string machine;               // machine type as written ("" = the default, i440fx)
    std::string display;               // the emulated VGA as written ("" = the default, std)
    bool x_vga = false;
    bool rombar = true;
    bool mdev = false;                 // PVE mdev= (a GVT-g instance, not the IGD itself)
    std::string earlier;               // the device that asked for legacy IGD first ("" = none)
};

// Every requirement `use` breaks, as messages that follow "legacy IGD " (VmFile) or
// "legacy-igd " (PveConf): one device only, i440fx and vga none (the VM file names the machine
// first, PVE the vga), no x-vga, rombar on, no mdev, the host function 00:02.0 alone. Empty when
// legacy mode can work.
std::vector<std::string> legacy_igd_problems(const LegacyIgdUse& use);

}  // namespace vfiogen
