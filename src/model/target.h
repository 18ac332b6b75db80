// The output formats `render` writes.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/diagnostic.h"

namespace vfiogen {

enum class Target {
    Pve,         // a whole /etc/pve/qemu-server/<vmid>.conf
    PveSnippet,  // only the passthrough keys that paste as they are (hostpciN, args, bios, vga, a named machine version)
    Qm,          // a sh script running `qm create` that lets PVE allocate the disks
    Libvirt,     // libvirt domain XML
};

// "pve" | "pve-snippet" | "qm" | "libvirt" -> Target; nullopt for anything else.
std::optional<Target> parse_target(const std::string& name);

// The target names parse_target() knows, for messages and suggestions.
const std::vector<std::string>& target_names();

struct Rendered {
    std::string text;
    Warnings warnings;  // printed to stderr by the CLI; never fatal
};

}  // namespace vfiogen
