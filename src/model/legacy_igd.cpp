#include "model/legacy_igd.h"

namespace vfiogen {

namespace {

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

std::string quoted_or(const std::string& value, const std::string& unset) {
    return value.empty() ? unset : "'" + value + "'";
}

std::string machine_problem(const LegacyIgdUse& u) {
    if (u.dialect == IgdDialect::VmFile)
        return "needs machine type i440fx, but this VM uses " + u.machine + " (set machine.type: i440fx)";
    return "needs an i440fx machine type (pc or pc-i440fx-X.Y), not '" + u.machine + "'";
}

std::string display_problem(const LegacyIgdUse& u) {
    if (u.dialect == IgdDialect::VmFile)
        return "needs the emulated display off (set display: none), but display is " + u.display;
    return "needs 'vga: none', but vga is " + quoted_or(u.display, "unset (std)");
}

std::string multifunction_problem(const LegacyIgdUse& u) {
    if (u.dialect == IgdDialect::VmFile)
        return "is not compatible with multifunction devices: bind the IGD under 'functions'";
    if (u.from_slot) {
        std::string list;
        for (const auto& f : u.functions) list += (list.empty() ? "" : ", ") + f.str();
        return "is not compatible with multifunction devices: the host has " + list + " at " + u.host +
               "; give the single function " + u.functions.front().str();
    }
    return "is not compatible with multifunction devices: give the single function 00:02.0";
}

}  // namespace

Chipset chipset_of(std::string_view machine) {
    if (machine.empty() || machine == "i440fx" || machine == "pc" || starts_with(machine, "pc-i440fx-"))
        return Chipset::I440fx;
    if (machine == "q35" || starts_with(machine, "pc-q35-")) return Chipset::Q35;
    // QEMU's oldest i440fx machine names: pc-0.12 .. pc-1.3.
    if (starts_with(machine, "pc-") && machine.size() > 3 && machine[3] >= '0' && machine[3] <= '9')
        return Chipset::I440fx;
    return Chipset::Other;
}

bool is_igd_address(const PciAddress& a) {
    return a.domain == 0 && a.bus == 0 && a.device == 2 && a.function == 0u;
}

std::vector<std::string> legacy_igd_problems(const LegacyIgdUse& u) {
    bool vm_file = u.dialect == IgdDialect::VmFile;
    std::vector<std::string> out;
    if (!u.earlier.empty())
        out.push_back(vm_file ? "is allowed for one device only (the first is at " + u.earlier + ")"
                              : "is allowed on one hostpci entry only (the first is '" + u.earlier + "')");
    if (vm_file && chipset_of(u.machine) != Chipset::I440fx) out.push_back(machine_problem(u));
    if (u.display != "none") out.push_back(display_problem(u));
    if (!vm_file && chipset_of(u.machine) == Chipset::Q35) out.push_back(machine_problem(u));
    if (u.x_vga) out.push_back("is not compatible with x-vga");
    if (!u.rombar) out.push_back("requires rombar to be enabled");
    if (u.mdev) out.push_back("is not compatible with mdev");
    if (u.functions.size() > 1)
        out.push_back(multifunction_problem(u));
    else if (u.functions.size() == 1 && !is_igd_address(u.functions.front()))
        out.push_back("only works for the device at host " + std::string(vm_file ? "0000:00:02.0" : "00:02.0") +
                      ", not " + u.host);
    return out;
}

}  // namespace vfiogen
