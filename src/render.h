// Rendering a VM into one of the output formats.
#pragma once

#include "pve_schema.h"

#include <string>

#include "diagnostic.h"
#include "templates.h"
#include "vm.h"

namespace vfiogen {

enum class Target {
    Pve,         // a whole /etc/pve/qemu-server/<vmid>.conf
    PveSnippet,  // only the passthrough keys (hostpciN, args, bios, efidisk0, machine, vga, cpu)
    Libvirt,     // libvirt domain XML
};

// "pve" | "pve-snippet" | "libvirt" -> Target; nullopt for anything else.
std::optional<Target> parse_target(const std::string& name);

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
