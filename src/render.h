// Rendering a VM into one of the output formats.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "diagnostic.h"
#include "templates.h"
#include "vm.h"

namespace vfiogen {

enum class Target {
    Pve,         // a whole /etc/pve/qemu-server/<vmid>.conf
    PveSnippet,  // only the passthrough keys (hostpciN, args, bios, efidisk0, machine, vga, cpu)
    Libvirt,     // libvirt domain XML
};

// The --target names, in documentation order: "pve", "pve-snippet", "libvirt".
const std::vector<std::string>& target_names();

// "pve" | "pve-snippet" | "libvirt" -> Target; nullopt for anything else.
std::optional<Target> parse_target(const std::string& name);

struct Rendered {
    std::string text;
    Warnings warnings;  // printed to stderr by the CLI; never fatal
};

// Renders `vm` for `target` through `templates`. Throws InputError with the VM file's marks
// for what the target cannot hold (see render_pve.h and render_libvirt.h for the rules).
Rendered render(const Vm& vm, Target target, const TemplateSet& templates);

}  // namespace vfiogen
