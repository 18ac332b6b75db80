#include "model/pci_address.h"

#include <cstdio>
#include <vector>

namespace vfiogen {
namespace {

// Parses exactly `digits` hex digits (1..digits when `exact` is false).
std::optional<unsigned> parse_hex(std::string_view s, size_t max_digits, bool exact) {
    if (s.empty() || s.size() > max_digits || (exact && s.size() != max_digits)) return std::nullopt;
    unsigned value = 0;
    for (char c : s) {
        int d;
        if (c >= '0' && c <= '9') d = c - '0';
        else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
        else return std::nullopt;
        value = value * 16 + static_cast<unsigned>(d);
    }
    return value;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> parts;
    size_t start = 0;
    for (size_t i = 0; i <= s.size(); ++i) {
        if (i == s.size() || s[i] == sep) {
            parts.push_back(s.substr(start, i - start));
            start = i + 1;
        }
    }
    return parts;
}

}  // namespace

std::string PciAddress::str() const {
    std::string out = hex_digits(domain, 4) + ":" + hex_digits(bus, 2) + ":" + hex_digits(device, 2);
    if (function) out += "." + hex_digits(*function, 1);
    return out;
}

bool PciAddress::same_device(const PciAddress& other) const {
    return domain == other.domain && bus == other.bus && device == other.device;
}

bool PciAddress::operator==(const PciAddress& other) const {
    return same_device(other) && function == other.function;
}

std::optional<PciAddress> parse_pci_address(std::string_view text, std::string* error) {
    auto fail = [&](std::string message) -> std::optional<PciAddress> {
        if (error) *error = std::move(message);
        return std::nullopt;
    };
    const std::string form = "expected [dddd:]bb:dd[.f] in hexadecimal, e.g. 0000:01:00.0";
    PciAddress address;
    std::string_view rest = text;
    if (size_t dot = rest.find('.'); dot != std::string_view::npos) {
        std::string_view fn = rest.substr(dot + 1);
        auto value = parse_hex(fn, 1, true);
        if (!value) return fail("malformed PCI address '" + std::string(text) + "': " + form);
        if (*value > 7)
            return fail("PCI function " + std::to_string(*value) + " in '" + std::string(text) +
                        "' is out of range 0-7");
        address.function = *value;
        rest = rest.substr(0, dot);
    }
    auto parts = split(rest, ':');
    if (parts.size() != 2 && parts.size() != 3)
        return fail("malformed PCI address '" + std::string(text) + "': " + form);
    size_t i = 0;
    if (parts.size() == 3) {
        auto domain = parse_hex(parts[i++], 4, true);
        if (!domain) return fail("malformed PCI domain in '" + std::string(text) + "': " + form);
        address.domain = *domain;
    }
    auto bus = parse_hex(parts[i++], 2, true);
    auto device = parse_hex(parts[i++], 2, true);
    if (!bus || !device) return fail("malformed PCI address '" + std::string(text) + "': " + form);
    if (*device > 0x1f)
        return fail("PCI device (slot) 0x" + hex_digits(*device, 2) + " in '" + std::string(text) +
                    "' is out of range 00-1f");
    address.bus = *bus;
    address.device = *device;
    return address;
}

std::string PciId::str() const { return hex_digits(vendor, 4) + ":" + hex_digits(device, 4); }

std::optional<PciId> parse_pci_id(std::string_view text, std::string* error) {
    auto parts = split(text, ':');
    std::optional<unsigned> vendor, device;
    if (parts.size() == 2) {
        vendor = parse_hex(parts[0], 4, true);
        device = parse_hex(parts[1], 4, true);
    }
    if (!vendor || !device) {
        if (error)
            *error = "malformed PCI ID '" + std::string(text) +
                     "': expected vendor:device as 4+4 hex digits, e.g. 10de:1d01";
        return std::nullopt;
    }
    return PciId{*vendor, *device};
}

}  // namespace vfiogen
