// The host model and `host scan` on the fixture trees in tests/data/hosts (see its README).
#include <doctest/doctest.h>

#include "host.h"
#include "host_scan.h"
#include "test_helpers.h"

using namespace vfiogen;

namespace {

Host fixture(const std::string& name) { return read_host(HostRoot::under(test::source_dir() + "/tests/data/hosts/" + name)); }

PciAddress bdf(const char* text) { return *parse_pci_address(text, nullptr); }

}  // namespace

TEST_CASE("the Intel 12th-gen host reads like its sysfs") {
    Host host = fixture("intel-adl");
    REQUIRE(host.devices.size() == 7);
    const HostDevice* igd = host.find(bdf("0000:00:02.0"));
    REQUIRE(igd);
    CHECK(igd->id.str() == "8086:4692");
    CHECK(igd->subsystem.str() == "1043:8694");
    CHECK(igd->class_code == 0x030000);
    CHECK(igd->driver == "vfio-pci");
    CHECK(igd->iommu_group == 1u);
    CHECK(igd->boot_vga == true);
    CHECK(igd->reset_method == "flr");
    CHECK(igd->is_display());
    const HostDevice* lpc = host.find(bdf("0000:00:1f.0"));
    REQUIRE(lpc);
    CHECK(lpc->driver == "");
    CHECK(!lpc->boot_vga);
    CHECK(!lpc->reset_method);
    CHECK(host.iommu_groups.at(13).size() == 4);
    REQUIRE(host.iommu_units.size() == 2);
    CHECK(host.iommu_units[0].name == "dmar0");
    CHECK(host.iommu_units[0].intel_ecap == 0xf050daull);
    CHECK(host.acpi_dmar);
    CHECK(!host.acpi_ivrs);
    CHECK(host.intel());
    CHECK(host.cmdline_value("intel_iommu") == "on");
    CHECK(!host.cmdline_value("iommu"));
    CHECK(host.cmdline_value("ro") == "");
    CHECK(host.cpu_flags.count("vmx") == 1);
    CHECK(host.modules.count("vfio_pci") == 1);
    CHECK(host.kernel_release == "6.2.16-3-pve");
    CHECK(host.kernel_at_least(6, 2));
    CHECK(!host.kernel_at_least(6, 3));
}

TEST_CASE("a device with a dangling driver link and no group: the IOMMU-off host") {
    Host host = fixture("iommu-off");
    const HostDevice* igd = host.find(bdf("0000:00:02.0"));
    REQUIRE(igd);
    CHECK(igd->driver == "i915");
    CHECK(!igd->iommu_group);
    CHECK(host.iommu_groups.empty());
    CHECK(host.iommu_units.empty());
    CHECK(host.group_of(*igd).empty());
}

TEST_CASE("a missing sysfs tree is unreadable input") {
    InputError::Kind kind{};
    std::string error = test::input_error_text([] { read_host(HostRoot::under("/nonexistent")); }, &kind);
    CHECK(error == "/nonexistent/sys/bus/pci/devices: error: cannot read the host's PCI devices: No such file or directory "
                   "(give --sysfs-root DIR or --root DIR for another host tree)");
    CHECK(kind == InputError::Kind::Unreadable);
}

TEST_CASE("group viability: bridges and unbound devices are allowed, host drivers block") {
    Host gt = fixture("gt1030");
    GroupViability v = group_viability(gt, *gt.find(bdf("0000:01:00.0")));
    CHECK(v.has_group);
    CHECK(v.group == 1);
    CHECK(v.members.size() == 5);
    REQUIRE(v.blockers.size() == 3);
    CHECK(v.blockers[2]->address.str() == "0000:02:00.0");
    // Passing the card's two functions still leaves the NIC of the other slot in the group.
    v = group_viability(gt, *gt.find(bdf("0000:01:00.0")), {bdf("0000:01:00.0"), bdf("0000:01:00.1")});
    REQUIRE(v.blockers.size() == 1);
    CHECK(v.blockers[0]->driver == "igb");

    Host amd = fixture("amd-5700u");
    CHECK(group_viability(amd, *amd.find(bdf("0000:05:00.0"))).viable());

    Host off = fixture("iommu-off");
    CHECK(!group_viability(off, *off.find(bdf("0000:00:02.0"))).has_group);
}

TEST_CASE("host scan shows display devices, their functions and HD audio, with names from pci.ids") {
    PciNames names;
    Host host = fixture("gt1030");
    CHECK(host_scan_text(host, names, false) ==
          "IOMMU: on (dmar0; ACPI DMAR), 2 groups\n"
          "\n"
          "0000:01:00.0 VGA compatible controller [0300]: NVIDIA Corporation GP108 [GeForce GT 1030] [10de:1d01]\n"
          "  subsystem: Gigabyte Technology Co., Ltd Device [1458:3771]\n"
          "  driver: nouveau  boot_vga: 1  reset_method: flr bus\n"
          "  IOMMU group 1: not viable while host drivers hold 0000:01:00.0 (nouveau), 0000:01:00.1 (snd_hda_intel), "
          "0000:02:00.0 (igb, another device)\n"
          "    0000:00:01.0 [0604] 8086:1901 pcieport (bridge)\n"
          "    0000:00:01.1 [0604] 8086:1905 pcieport (bridge)\n"
          "    0000:01:00.0 [0300] 10de:1d01 nouveau\n"
          "    0000:01:00.1 [0403] 10de:0fb8 snd_hda_intel\n"
          "    0000:02:00.0 [0200] 8086:1533 igb\n"
          "\n"
          "0000:01:00.1 Audio device [0403]: NVIDIA Corporation GP108 High Definition Audio Controller [10de:0fb8]\n"
          "  subsystem: Gigabyte Technology Co., Ltd Device [1458:3771]\n"
          "  driver: snd_hda_intel  reset_method: flr bus\n"
          "  IOMMU group 1: not viable while host drivers hold 0000:01:00.0 (nouveau), "
          "0000:01:00.1 (snd_hda_intel), 0000:02:00.0 (igb, another device)\n"
          "    0000:00:01.0 [0604] 8086:1901 pcieport (bridge)\n"
          "    0000:00:01.1 [0604] 8086:1905 pcieport (bridge)\n"
          "    0000:01:00.0 [0300] 10de:1d01 nouveau\n"
          "    0000:01:00.1 [0403] 10de:0fb8 snd_hda_intel\n"
          "    0000:02:00.0 [0200] 8086:1533 igb\n");
    auto all = scan_selection(host, true);
    CHECK(all.size() == 6);
    CHECK(scan_selection(fixture("intel-adl"), false).size() == 2);   // 00:02.0 and the PCH audio 00:1f.3
    CHECK(scan_selection(fixture("amd-5700u"), false).size() == 3);   // 05:00.0, .1 and the USB function .3
    CHECK(scan_selection(fixture("two-t10"), false).size() == 2);
}

TEST_CASE("host scan --json carries the same facts") {
    PciNames names;
    std::string json = host_scan_json(fixture("amd-5700u"), names, false);
    CHECK(json.find("\"bdf\": \"0000:05:00.0\"") != std::string::npos);
    CHECK(json.find("\"device_name\": \"Lucienne\"") != std::string::npos);
    CHECK(json.find("\"reset_method\": null") != std::string::npos);
    CHECK(json.find("\"viable\": true") != std::string::npos);
}
