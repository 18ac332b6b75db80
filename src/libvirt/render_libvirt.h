// libvirt domain XML output.
//
// Layout decisions (DOMAIN.md, libvirt formatdomain.rst):
//  - every PCI function is a <hostdev mode='subsystem' type='pci' managed='yes'> with
//    <driver name='vfio'/> and a user alias "ua-<role><n>";
//  - functions of one host device share one guest slot, function 0 with multifunction='on';
//  - legacy IGD sits at guest 0000:00:02.0; PCIe devices (q35) get a pcie-root-port each;
//    other devices take bus 0 slots from 0x10 up, as qemu-server does for hostpci0/1;
//  - x-vga, x-igd-opregion and x-igd-gms go through <qemu:override> (libvirt >= 8.2), never
//    `-set` in <qemu:commandline>, which current libvirt breaks (it passes devices as JSON);
//  - ROM files become absolute paths under rom_dir.
// Rules enforced here: a name libvirt accepts (no '/'), secure boot only on q35 (Debian's
// secboot OVMF needs SMM), at most 16 bus-0 slots for non-PCIe devices.
#pragma once

#include "base/templates.h"
#include "model/releases.h"
#include "model/target.h"
#include "model/vm.h"

namespace vfiogen {

// Renders the domain XML. The result is read back with libxml2 as libvirt reads it
// (strict_xml.h), so a broken --templates override is reported instead of written: throws
// InputError (Invalid) marked with the template's file, naming libxml2's error and the output line.
Rendered render_libvirt(const Vm& vm, const TemplateSet& templates);

}  // namespace vfiogen
