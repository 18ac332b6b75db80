#include "model/legacy_igd.h"

#include <doctest/doctest.h>

using namespace vfiogen;

namespace {
PciAddress addr(unsigned bus, unsigned device, unsigned function) { return PciAddress{0, bus, device, function}; }
}  // namespace

TEST_CASE("chipset_of: i440fx, q35 and anything else") {
    for (const char* m : {"", "pc", "i440fx", "pc-i440fx-8.1", "pc-i440fx-9.2+pve0", "pc-1.0", "pc-0.12"})
        CHECK_MESSAGE(chipset_of(m) == Chipset::I440fx, m);
    for (const char* m : {"q35", "pc-q35-8.1", "pc-q35-8.0+pve1", "pc-q35-rhel9.2.0"})
        CHECK_MESSAGE(chipset_of(m) == Chipset::Q35, m);
    for (const char* m : {"microvm", "virt", "pc-", "pcq35", "Q35", "isapc"}) CHECK_MESSAGE(chipset_of(m) == Chipset::Other, m);
}

TEST_CASE("is_igd_address: 0000:00:02.0 only") {
    CHECK(is_igd_address(addr(0, 2, 0)));
    CHECK_FALSE(is_igd_address(addr(0, 2, 1)));
    CHECK_FALSE(is_igd_address(addr(1, 2, 0)));
    CHECK_FALSE(is_igd_address(PciAddress{1, 0, 2, 0u}));
    CHECK_FALSE(is_igd_address(PciAddress{0, 0, 2, std::nullopt}));
}

TEST_CASE("legacy_igd_problems: one rule, each requirement on both sides") {
    LegacyIgdUse ok;
    ok.dialect = IgdDialect::PveConf;
    ok.host = "0000:00:02.0";
    ok.functions = {addr(0, 2, 0)};
    ok.machine = "pc";
    ok.display = "none";
    CHECK(legacy_igd_problems(ok).empty());

    auto only = [&](LegacyIgdUse u, const std::string& expected) {
        auto problems = legacy_igd_problems(u);
        REQUIRE(problems.size() == 1);
        CHECK(problems[0] == expected);
    };
    LegacyIgdUse u = ok;
    u.machine = "pc-q35-9.0";
    only(u, "needs an i440fx machine type (pc or pc-i440fx-X.Y), not 'pc-q35-9.0'");
    u = ok, u.display = "";
    only(u, "needs 'vga: none', but vga is unset (std)");
    u = ok, u.x_vga = true;
    only(u, "is not compatible with x-vga");
    u = ok, u.rombar = false;
    only(u, "requires rombar to be enabled");
    u = ok, u.mdev = true;
    only(u, "is not compatible with mdev");
    u = ok, u.earlier = "hostpci0";
    only(u, "is allowed on one hostpci entry only (the first is 'hostpci0')");
    u = ok, u.functions = {addr(0, 2, 1)}, u.host = "0000:00:02.1";
    only(u, "only works for the device at host 00:02.0, not 0000:00:02.1");
    u = ok, u.functions = {addr(0, 2, 0), addr(0, 2, 1)}, u.from_slot = true, u.host = "0000:00:02";
    only(u, "is not compatible with multifunction devices: the host has 0000:00:02.0, 0000:00:02.1 at 0000:00:02; "
            "give the single function 0000:00:02.0");
    u.from_slot = false;
    only(u, "is not compatible with multifunction devices: give the single function 00:02.0");

    // The VM file names its own keys; an unknown chipset is refused there (i440fx is required),
    // while a PVE conf only fails on q35 (its other machine types are i440fx or not x86 at all).
    LegacyIgdUse vm = ok;
    vm.dialect = IgdDialect::VmFile;
    vm.machine = "q35";
    only(vm, "needs machine type i440fx, but this VM uses q35 (set machine.type: i440fx)");
    vm.machine = "i440fx", vm.display = "std";
    only(vm, "needs the emulated display off (set display: none), but display is std");
}
