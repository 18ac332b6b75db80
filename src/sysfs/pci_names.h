// Names of PCI vendors, devices, subsystems and classes from the PCI ID database (pci.ids),
// through libpci's name lookup only: devices themselves are read by host.h, never by libpci.
#pragma once

#include <memory>
#include <string>

namespace vfiogen {

class PciNames {
public:
    // Uses libpci's default database (/usr/share/misc/pci.ids on Debian, package pci.ids), or
    // `ids_file` when given. Never asks the network or udev's hwdb, so names depend only on the file.
    explicit PciNames(const std::string& ids_file = "");
    ~PciNames();
    PciNames(const PciNames&) = delete;
    PciNames& operator=(const PciNames&) = delete;

    // Each returns "" when the database has no entry (or cannot be read).
    std::string vendor(unsigned vendor);
    std::string device(unsigned vendor, unsigned device);
    std::string subsystem(unsigned vendor, unsigned device, unsigned sub_vendor, unsigned sub_device);
    // `class16` is base class and subclass, e.g. 0x0300 "VGA compatible controller".
    std::string class_name(unsigned class16);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace vfiogen
