// PCI addresses (BDF) and vendor:device IDs as users write them and as PVE and libvirt spell them.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/strings.h"  // hex_digits, which PCI IDs and addresses print with

namespace vfiogen {

// A host PCI address "DDDD:BB:DD.F", or a whole device "DDDD:BB:DD" when `function` is empty
// (PVE: "all functions, passed as one multifunction device"). Domain defaults to 0000.
struct PciAddress {
    unsigned domain = 0;    // 0..0xffff
    unsigned bus = 0;       // 0..0xff
    unsigned device = 0;    // 0..0x1f (libvirt: "slot")
    std::optional<unsigned> function;  // 0..7

    // "0000:01:00.0" or "0000:01:00" (lowercase hex, as qemu-server's PCIRE requires).
    std::string str() const;
    // The same device (domain, bus, device), ignoring the function.
    bool same_device(const PciAddress& other) const;
    bool operator==(const PciAddress& other) const;
};

// Parses "[dddd:]bb:dd[.f]" in hexadecimal (upper or lower case accepted, always printed lowercase).
// Returns the error text ("function 8 is out of range 0-7", ...) through `error` on failure.
std::optional<PciAddress> parse_pci_address(std::string_view text, std::string* error);

// A vendor:device ID pair such as 10de:1d01, as `lspci -nn` prints it.
struct PciId {
    unsigned vendor = 0;
    unsigned device = 0;
    std::string str() const;  // "10de:1d01"
};

std::optional<PciId> parse_pci_id(std::string_view text, std::string* error);

}  // namespace vfiogen
