// The host model and `host scan` on the fixture trees in tests/data/hosts (see its README).
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "host/host_check.h"
#include "host/host_scan.h"
#include "sysfs/host.h"
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

namespace {

namespace fs = std::filesystem;

// A copy of fixture `name` in a temporary directory, for a test to plant FIFOs and large files in.
struct HostileTree {
    fs::path root = fs::temp_directory_path() / ("vfiogen-hostile-" + std::to_string(::getpid()));
    explicit HostileTree(const std::string& name) {
        fs::remove_all(root);
        fs::copy(test::source_dir() + "/tests/data/hosts/" + name, root,
                 fs::copy_options::recursive | fs::copy_options::copy_symlinks);
    }
    ~HostileTree() { fs::remove_all(root); }
    // Replaces `relative` (resolving symlinked directories) with a FIFO; returns its path as given.
    std::string fifo(const std::string& relative) const {
        std::string path = (root / relative).string();
        fs::remove(path);
        REQUIRE(::mkfifo(path.c_str(), 0600) == 0);
        return path;
    }
};

// While alive, opens `fifo` for writing whenever a reader waits on it and closes it at once, so
// a reader that blocked in open(2) (the defect) sees an empty file and the test fails instead of
// hanging. A non-blocking open for writing succeeds only when a reader has the FIFO open.
class FifoUnblocker {
public:
    explicit FifoUnblocker(std::string fifo)
        : thread_([this, fifo = std::move(fifo)] {
              while (!done_) {
                  int fd = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK);
                  if (fd >= 0) ::close(fd);
                  std::this_thread::sleep_for(std::chrono::milliseconds(20));
              }
          }) {}
    ~FifoUnblocker() {
        done_ = true;
        thread_.join();
    }

private:
    std::atomic<bool> done_{false};
    std::thread thread_;
};

std::string read_host_error(const fs::path& root) {
    return test::input_error_text([&] { read_host(HostRoot::under(root.string())); });
}

}  // namespace

TEST_CASE("a FIFO anywhere vfiogen reads in a host tree is refused at once, naming it") {
    for (const char* relative : {"proc/modules", "proc/cpuinfo", "proc/cmdline", "proc/sys/kernel/osrelease",
                                 "sys/bus/pci/devices/0000:00:02.0/vendor", "sys/bus/pci/devices/0000:00:02.0/boot_vga"}) {
        CAPTURE(relative);
        HostileTree tree("intel-adl");
        std::string fifo = tree.fifo(relative);
        FifoUnblocker unblock(fifo);
        CHECK(read_host_error(tree.root) == fifo + ": error: not a regular file (a FIFO)");
    }
}

TEST_CASE("a host tree's file over 1 MiB is refused, naming it; a device there too") {
    HostileTree tree("intel-adl");
    std::string cpuinfo = (tree.root / "proc/cpuinfo").string();
    std::string head = test::read_file(cpuinfo);
    std::ofstream(cpuinfo, std::ios::app) << std::string((1u << 20) + 1 - head.size(), '\n');
    CHECK(read_host_error(tree.root) == cpuinfo + ": error: file too large (over 1048576 bytes)");
    std::ofstream(cpuinfo, std::ios::trunc) << head << std::string((1u << 20) - head.size(), '\n');
    CHECK(read_host_error(tree.root) == "");
    // /dev/zero as proc/cpuinfo was read until memory ran out.
    fs::remove(cpuinfo);
    fs::create_symlink("/dev/zero", cpuinfo);
    CHECK(read_host_error(tree.root) == cpuinfo + ": error: not a regular file (a character device)");
}

TEST_CASE("host check: a FIFO or device as a ROM file fails the romfile check instead of hanging") {
    HostileTree tree("intel-adl");
    std::string rom = tree.fifo("usr/share/kvm/gen12_gop.rom");
    FifoUnblocker unblock(rom);
    auto profiles = test::test_profiles();
    Vm vm = load_vm(test::source_dir() + "/examples/pve-intel-igd-gen12.yaml", profiles);
    Host host = read_host(HostRoot::under(tree.root.string()));
    PciNames names;
    std::vector<std::string> roms;
    for (const auto& f : check_host(host, vm, names))
        if (f.rule == "romfile" && f.status == CheckStatus::Fail) roms.push_back(f.message);
    CHECK(roms == std::vector<std::string>{"0000:00:1f.3 (audio of intel-igd-gen12): romfile /usr/share/kvm/gen12_gop.rom "
                                           "(PVE and libvirt): not a regular file (a FIFO)"});
}

TEST_CASE("SR-IOV: the 12th-gen host with 7 iGPU VFs reads PF and VFs, and host scan shows both sides") {
    Host host = fixture("intel-adl-sriov");
    const HostDevice* pf = host.find(bdf("0000:00:02.0"));
    REQUIRE(pf);
    CHECK(pf->sriov_totalvfs == 7u);
    CHECK(pf->sriov_numvfs == 7u);
    REQUIRE(pf->virtfns.size() == 7);
    CHECK(pf->virtfns.front() == bdf("0000:00:02.1"));
    CHECK(pf->virtfns.back() == bdf("0000:00:02.7"));
    CHECK(!pf->physfn);
    const HostDevice* vf = host.find(bdf("0000:00:02.1"));
    REQUIRE(vf);
    CHECK(vf->physfn == bdf("0000:00:02.0"));
    CHECK(!vf->sriov_totalvfs);
    CHECK(vf->driver == "vfio-pci");
    CHECK(vf->iommu_group == 21u);  // each VF in its own group
    // A function without SR-IOV has none of it.
    CHECK(!fixture("intel-adl").find(bdf("0000:00:02.0"))->sriov_totalvfs);

    PciNames names;
    std::string text = host_scan_text(host, names, false);
    CHECK(text.find("  SR-IOV: 7 of 7 VFs enabled: 0000:00:02.1, 0000:00:02.2, 0000:00:02.3, 0000:00:02.4, "
                    "0000:00:02.5, 0000:00:02.6, 0000:00:02.7\n") != std::string::npos);
    CHECK(text.find("0000:00:02.3 VGA compatible controller") != std::string::npos);
    CHECK(text.find("  SR-IOV VF of 0000:00:02.0\n") != std::string::npos);
    auto json = nlohmann::json::parse(host_scan_json(host, names, false));
    CHECK(json["devices"][0]["sriov"]["totalvfs"] == 7);
    CHECK(json["devices"][0]["sriov"]["vfs"].size() == 7);
    CHECK(json["devices"][1]["physfn"] == "0000:00:02.0");
}

TEST_CASE("SR-IOV values that no kernel writes refuse the host tree, naming the file") {
    HostileTree tree("intel-adl-sriov");
    fs::path pf = tree.root / "sys/devices/pci0000:00/0000:00:02.0";
    std::ofstream(pf / "sriov_numvfs", std::ios::trunc) << "7\ninstall x /bin/sh\n";
    fs::path seen = tree.root / "sys/bus/pci/devices/0000:00:02.0";  // errors name the path as read
    CHECK(read_host_error(tree.root).find((seen / "sriov_numvfs").string() + ": error: '7\\ninstall x /bin/sh' is not a VF count") == 0);
    std::ofstream(pf / "sriov_numvfs", std::ios::trunc) << "70000\n";
    CHECK(read_host_error(tree.root).find("is not a VF count (a number up to 65535)") != std::string::npos);
    std::ofstream(pf / "sriov_numvfs", std::ios::trunc) << "7\n";
    fs::remove(pf / "virtfn0");
    fs::create_symlink("../x;y", pf / "virtfn0");
    CHECK(read_host_error(tree.root).find((seen / "virtfn0").string() + ": error: 'x;y' is not a PCI function") == 0);
}

TEST_CASE("GVT-g: the 9th-gen host's iGPU offers two mdev types, and host scan shows them") {
    Host host = fixture("intel-cfl-gvtg");
    const HostDevice* igd = host.find(bdf("0000:00:02.0"));
    REQUIRE(igd);
    CHECK(igd->driver == "i915");
    REQUIRE(igd->mdev_types.size() == 2);
    const MdevType* v54 = igd->find_mdev_type("i915-GVTg_V5_4");
    REQUIRE(v54);
    CHECK(v54->name == "GVTg_V5_4");
    CHECK(v54->available == 1u);
    CHECK(v54->instances.empty());  // devices/ holds only the fixture's .keep
    CHECK(v54->description == "low_gm_size: 128MB, high_gm_size: 512MB, fence: 4, resolution: 1920x1200, weight: 4");
    CHECK(igd->mdev_types[1].type == "i915-GVTg_V5_8");
    CHECK(!igd->find_mdev_type("i915-GVTg_V5_1"));
    CHECK(fixture("intel-adl").find(bdf("0000:00:02.0"))->mdev_types.empty());

    PciNames names;
    CHECK(host_scan_text(host, names, false).find(
              "  mdev type i915-GVTg_V5_8 (GVTg_V5_8): 2 available, 0 created; low_gm_size: 64MB, high_gm_size: 384MB, "
              "fence: 4, resolution: 1024x768, weight: 2\n") != std::string::npos);
    auto json = nlohmann::json::parse(host_scan_json(host, names, false));
    CHECK(json["devices"][0]["mdev_types"][0]["type"] == "i915-GVTg_V5_4");
    CHECK(json["devices"][0]["mdev_types"][0]["available_instances"] == 1);
}

TEST_CASE("mdev types that no kernel writes refuse the host tree; instance names that are no UUID are left out") {
    HostileTree tree("intel-cfl-gvtg");
    fs::path types = tree.root / "sys/devices/pci0000:00/0000:00:02.0/mdev_supported_types";
    fs::path seen = tree.root / "sys/bus/pci/devices/0000:00:02.0/mdev_supported_types";
    std::ofstream(types / "i915-GVTg_V5_4/available_instances", std::ios::trunc) << "1\nx\n";
    CHECK(read_host_error(tree.root).find((seen / "i915-GVTg_V5_4/available_instances").string() +
                                          ": error: '1\\nx' is not a number of instances") == 0);
    std::ofstream(types / "i915-GVTg_V5_4/available_instances", std::ios::trunc) << "1\n";
    fs::create_directories(types / "i915-GVTg_V5_4/devices/3f0c9a52-4a1e-4c52-9d3e-5b0f6c1d8e21");
    fs::create_directories(types / "i915-GVTg_V5_4/devices/not-a-uuid");
    Host host = read_host(HostRoot::under(tree.root.string()));
    CHECK(host.find(bdf("0000:00:02.0"))->find_mdev_type("i915-GVTg_V5_4")->instances ==
          std::vector<std::string>{"3f0c9a52-4a1e-4c52-9d3e-5b0f6c1d8e21"});
    fs::create_directories(types / "i915;reboot");
    CHECK(read_host_error(tree.root).find((seen / "i915;reboot").string() + ": error: 'i915;reboot' is not an mdev type name") == 0);
    fs::remove(types / "i915;reboot");
    for (int i = 0; i < 64; ++i) fs::create_directories(types / ("t" + std::to_string(i)));
    CHECK(read_host_error(tree.root).find("66 entries' is not a list of mdev types a driver offers (at most 64)") != std::string::npos);
}
