#include "rules/qemu_args.h"

#include <algorithm>

namespace vfiogen {
namespace {

constexpr QemuVersion V(int major, int minor) { return QemuVersion{major, minor}; }

// System emulator options of QEMU 7.2 (qemu-options.hx; `qemu-system-x86_64 -h` and the
// invocation manual of Debian 12's qemu-system-common 7.2 agree), the later additions that
// PVE and libvirt users pass (-run-with, 8.1), and the options removed since 2.12
// (docs/about/removed-features.rst, read at QEMU 10.2). Target-specific options of other
// architectures are left out: a word after them is then taken as their value, never reported.
// clang-format off
const QemuOption kOptions[] = {
    // ---- present in 7.2, with a value ----
    {"accel", true, {}, ""}, {"acpitable", true, {}, ""}, {"action", true, {}, ""}, {"add-fd", true, {}, ""},
    {"append", true, {}, ""}, {"audio", true, {}, ""}, {"audiodev", true, {}, ""}, {"bios", true, {}, ""},
    {"blockdev", true, {}, ""}, {"boot", true, {}, ""}, {"cdrom", true, {}, ""}, {"chardev", true, {}, ""},
    {"chroot", true, V(9, 0), "-run-with chroot=DIR"}, {"compat", true, {}, ""}, {"cpu", true, {}, ""},
    {"D", true, {}, ""}, {"d", true, {}, ""}, {"debugcon", true, {}, ""}, {"device", true, {}, ""},
    {"dfilter", true, {}, ""}, {"display", true, {}, ""}, {"drive", true, {}, ""}, {"dtb", true, {}, ""},
    {"dump-vmstate", true, {}, ""}, {"echr", true, {}, ""}, {"fda", true, {}, ""}, {"fdb", true, {}, ""},
    {"fsdev", true, {}, ""}, {"fw_cfg", true, {}, ""}, {"gdb", true, {}, ""}, {"global", true, {}, ""},
    {"hda", true, {}, ""}, {"hdb", true, {}, ""}, {"hdc", true, {}, ""}, {"hdd", true, {}, ""},
    {"icount", true, {}, ""}, {"incoming", true, {}, ""}, {"initrd", true, {}, ""}, {"iscsi", true, {}, ""},
    {"k", true, {}, ""}, {"kernel", true, {}, ""}, {"L", true, {}, ""}, {"loadvm", true, {}, ""},
    {"M", true, {}, ""}, {"m", true, {}, ""}, {"machine", true, {}, ""}, {"mem-path", true, {}, ""},
    {"mon", true, {}, ""}, {"monitor", true, {}, ""}, {"msg", true, {}, ""}, {"mtdblock", true, {}, ""},
    {"name", true, {}, ""}, {"net", true, {}, ""}, {"netdev", true, {}, ""}, {"nic", true, {}, ""},
    {"numa", true, {}, ""}, {"object", true, {}, ""}, {"option-rom", true, {}, ""}, {"overcommit", true, {}, ""},
    {"parallel", true, {}, ""}, {"pflash", true, {}, ""}, {"pidfile", true, {}, ""}, {"plugin", true, {}, ""},
    {"qmp", true, {}, ""}, {"qmp-pretty", true, {}, ""}, {"readconfig", true, {}, ""},
    {"rotate", true, V(9, 2), ""}, {"rtc", true, {}, ""}, {"runas", true, V(10, 0), "-run-with user=USER"},
    {"sandbox", true, {}, ""}, {"sd", true, {}, ""}, {"seed", true, {}, ""}, {"serial", true, {}, ""},
    {"set", true, {}, ""}, {"smbios", true, {}, ""}, {"smp", true, {}, ""}, {"spice", true, {}, ""},
    {"tpmdev", true, {}, ""}, {"trace", true, {}, ""}, {"usbdevice", true, {}, ""}, {"uuid", true, {}, ""},
    {"vga", true, {}, ""}, {"virtfs", true, {}, ""}, {"vnc", true, {}, ""}, {"watchdog-action", true, {}, ""},
    {"xen-domid", true, {}, ""}, {"run-with", true, {}, ""},
    // ---- present in 7.2, without a value ----
    {"async-teardown", false, V(9, 0), "-run-with async-teardown=on"}, {"audio-help", false, V(8, 2), "-audiodev help"},
    {"daemonize", false, {}, ""}, {"enable-kvm", false, {}, ""}, {"enable-sync-profile", false, {}, ""},
    {"full-screen", false, {}, ""}, {"h", false, {}, ""}, {"help", false, {}, ""}, {"mem-prealloc", false, {}, ""},
    {"no-acpi", false, V(9, 0), "-machine acpi=off"}, {"no-fd-bootchk", false, {}, ""},
    {"no-hpet", false, V(9, 0), "-machine hpet=off"}, {"no-reboot", false, {}, ""}, {"no-shutdown", false, {}, ""},
    {"no-user-config", false, {}, ""}, {"nodefaults", false, {}, ""}, {"nographic", false, {}, ""},
    {"only-migratable", false, {}, ""}, {"portrait", false, V(9, 2), ""}, {"preconfig", false, {}, ""},
    {"S", false, {}, ""}, {"s", false, {}, ""}, {"singlestep", false, V(9, 0), "-accel tcg,one-insn-per-tb=on"},
    {"snapshot", false, {}, ""}, {"usb", false, {}, ""}, {"version", false, {}, ""}, {"win2k-hack", false, {}, ""},
    {"xen-attach", false, {}, ""}, {"xen-domid-restrict", false, {}, ""},
    // ---- removed before 7.2 ----
    {"hdachs", true, V(2, 12), "-device ide-hd,cyls=,heads=,secs="}, {"no-kvm-pit", false, V(2, 12), ""},
    {"tdf", false, V(2, 12), "-global kvm-pit.lost_tick_policy=delay"},
    {"no-kvm-irqchip", false, V(3, 0), "-machine kernel_irqchip=off"},
    {"no-kvm-pit-reinjection", false, V(3, 0), "-global kvm-pit.lost_tick_policy=discard"},
    {"balloon", true, V(3, 1), "-device virtio-balloon"}, {"bootp", true, V(3, 1), "-netdev user,bootp="},
    {"redir", true, V(3, 1), "-netdev user,hostfwd="}, {"smb", true, V(3, 1), "-netdev user,smb="},
    {"tftp", true, V(3, 1), "-netdev user,tftp="}, {"localtime", false, V(3, 1), "-rtc base=localtime"},
    {"nodefconfig", false, V(3, 1), "-no-user-config"}, {"rtc-td-hack", false, V(3, 1), "-rtc driftfix=slew"},
    {"startdate", true, V(3, 1), "-rtc base=DATE"}, {"no-kvm", false, V(5, 2), "-machine accel=tcg"},
    {"realtime", true, V(6, 0), "-overcommit mem-lock=on|off"}, {"show-cursor", false, V(6, 0), "-display ...,show-cursor=on"},
    {"tb-size", true, V(6, 0), "-accel tcg,tb-size="}, {"no-quit", false, V(7, 0), "-display ...,window-close=off"},
    {"enable-fips", false, V(7, 1), ""}, {"writeconfig", true, V(7, 1), ""},
    {"alt-grab", false, V(7, 1), "-display sdl,grab-mod=lshift-lctrl-lalt"},
    {"ctrl-grab", false, V(7, 1), "-display sdl,grab-mod=rctrl"}, {"sdl", false, V(7, 1), "-display sdl"},
    {"curses", false, V(7, 1), "-display curses"}, {"soundhw", true, V(7, 1), "-device (e.g. -device intel-hda -device hda-duplex) or -audio"},
    {"watchdog", true, V(7, 2), "-device (e.g. -device i6300esb)"},
};
// clang-format on

bool is_space(char c) { return c == ' ' || c == '\t'; }

}  // namespace

const QemuOption* find_qemu_option(std::string_view name) {
    if (name.substr(0, 2) == "--")
        name.remove_prefix(2);
    else if (name.substr(0, 1) == "-")
        name.remove_prefix(1);
    for (const auto& o : kOptions)
        if (o.name == name) return &o;
    return nullptr;
}

std::vector<QemuArg> split_pve_args(std::string_view value, const Mark& start) {
    std::vector<QemuArg> out;
    size_t i = 0;
    while (i < value.size()) {
        while (i < value.size() && is_space(value[i])) ++i;
        if (i >= value.size()) break;
        QemuArg arg{"", start};
        if (arg.mark.line > 0 && arg.mark.column > 0) arg.mark.column += static_cast<int>(i);
        char quote = 0;
        for (; i < value.size() && (quote || !is_space(value[i])); ++i) {
            char c = value[i];
            if (quote) {
                if (c == quote)
                    quote = 0;
                else if (c == '\\' && quote == '"' && i + 1 < value.size())
                    arg.text += value[++i];
                else
                    arg.text += c;
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (c == '\\' && i + 1 < value.size()) {
                arg.text += value[++i];
            } else {
                arg.text += c;
            }
        }
        out.push_back(std::move(arg));
    }
    return out;
}

void check_qemu_args(const std::vector<QemuArg>& args, const QemuVersion& target, Findings& out) {
    for (size_t i = 0; i < args.size(); ++i) {
        const QemuArg& a = args[i];
        if (a.text.empty() || a.text[0] != '-') {
            std::string previous = i > 0 ? " (after '" + args[i - 1].text.substr(0, 40) + "')" : "";
            out.push_back({a.mark, "qemu-arg-positional",
                           "'" + a.text.substr(0, 60) + "' is not the value of any option" + previous +
                               ": QEMU opens it as a disk image; a value needs its own option in front (e.g. "
                               "a second -set)"});
            continue;
        }
        const QemuOption* o = find_qemu_option(a.text);
        if (!o) {
            // Unknown to this table (a newer option, another architecture's): assume it takes the
            // next word if that is not an option, so that nothing after it is reported wrongly.
            if (i + 1 < args.size() && !args[i + 1].text.empty() && args[i + 1].text[0] != '-') ++i;
            continue;
        }
        if (o->removed_in) {
            bool removed = !(target < *o->removed_in);
            std::string instead = o->instead.empty() ? "" : "; use " + std::string(o->instead);
            out.push_back({a.mark, removed ? "qemu-arg-removed" : "qemu-arg-removed-later",
                           "'-" + std::string(o->name) + "' was removed in QEMU " + o->removed_in->str() +
                               (removed ? " (target QEMU " + target.str() + "): the VM does not start"
                                        : ": the VM stops starting once the host runs QEMU " +
                                              o->removed_in->str() + " (checked for " + target.str() + ")") +
                               instead});
        }
        if (o->takes_value) ++i;
    }
}

}  // namespace vfiogen
