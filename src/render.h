// Rendering a VM into one of the output formats.
#pragma once

#include "pve_schema.h"

#include <optional>
#include <string>
#include <vector>

#include "diagnostic.h"
#include "templates.h"
#include "vm.h"

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

// Renders `vm` for `target` through `templates`. Throws InputError with the VM file's marks
// for what the target cannot hold (see render_pve.h and render_libvirt.h for the rules).
// `pve_version`: the PVE release line the pve targets are for (pve_schema.h); a line that needs a
// newer one is refused at the VM-file key it comes from.
Rendered render(const Vm& vm, Target target, const TemplateSet& templates, PveVersion pve_version = newest_pve_version());

}  // namespace vfiogen
