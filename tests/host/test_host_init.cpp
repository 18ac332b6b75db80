// `init --from-host` on the fixture hosts: the VM file binds every function and renders unedited.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>

#include "app/render.h"
#include "base/install_paths.h"
#include "host/host_init.h"
#include "test_helpers.h"

using namespace vfiogen;

namespace {

Host fixture(const std::string& name) { return read_host(HostRoot::under(test::source_dir() + "/tests/data/hosts/" + name)); }

InitResult init(const std::string& host_name, const char* bdf) {
    auto profiles = test::test_profiles();
    PciNames names;
    return init_from_host(fixture(host_name), *parse_pci_address(bdf, nullptr), profiles, names);
}

// Loads the VM text and renders all three targets; returns the PVE conf.
std::string round_trip(const InitResult& r) {
    auto profiles = test::test_profiles();
    Vm vm = load_vm_text(r.vm_yaml, "vm.yaml", profiles);
    TemplateSet templates;
    CHECK(!render(vm, Target::Libvirt, templates).text.empty());
    CHECK(!render(vm, Target::PveSnippet, templates).text.empty());
    return render(vm, Target::Pve, templates).text;
}

}  // namespace

TEST_CASE("init from the Intel 12th-gen iGPU finds the gen12 profile and the PCH audio at 00:1f.3") {
    InitResult r = init("intel-adl", "00:02.0");
    CHECK(r.profile == "intel-igd-gen12");
    CHECK(!r.profile_yaml);
    // The first line points yaml-language-server at the installed schema.
    CHECK(r.vm_yaml ==
          "# yaml-language-server: $schema=" + installed_data_dir() + "/schemas/vm.schema.json\n"
          "# Written by vfiogen init --from-host 0000:00:02.0. Check name, memory, disks and ostype.\n"
          "#   0000:00:02.0 VGA compatible controller [0300]: Intel Corporation Alder Lake-S GT1 [UHD Graphics 730] [8086:4692]\n"
          "#   0000:00:1f.3 Audio device [0403]: Intel Corporation Alder Lake-S HD Audio Controller [8086:7ad0]\n"
          "name: intel-igd-gen12\nvmid: 100\nostype: win10\nmemory_mib: 8192\ncpu:\n  model: host\n  cores: 4\n"
          "machine:\n  type: i440fx\nfirmware:\n  type: ovmf\ndisplay: none\ndisks:\n  - bus: sata\n    size_gib: 64\n"
          "nics:\n  - model: virtio\npassthrough:\n  - profile: intel-igd-gen12\n    functions:\n"
          "      - role: igd\n        host: \"0000:00:02.0\"\n      - role: audio\n        host: \"0000:00:1f.3\"\n");
    std::string pve = round_trip(r);
    CHECK(pve.find("hostpci0: 0000:00:02.0,legacy-igd=1,romfile=gen12_igd.rom\n") != std::string::npos);
    CHECK(pve.find("hostpci1: 0000:00:1f.3,romfile=gen12_gop.rom\n") != std::string::npos);
}

TEST_CASE("init from a whole device: the GT 1030's two functions, on q35") {
    InitResult r = init("gt1030", "01:00");
    CHECK(r.profile == "nvidia-gt1030");
    CHECK(r.vm_yaml.find("machine:\n  type: q35\n") != std::string::npos);
    CHECK(r.vm_yaml.find("      - role: gpu\n        host: \"0000:01:00.0\"\n      - role: audio\n        host: \"0000:01:00.1\"\n") !=
          std::string::npos);
    std::string pve = round_trip(r);
    CHECK(pve.find("hostpci0: 0000:01:00.0,pcie=1\nhostpci1: 0000:01:00.1,pcie=1\n") != std::string::npos);
}

TEST_CASE("init on the AMD laptop and the Tesla host") {
    InitResult amd = init("amd-5700u", "0000:05:00.1");  // from the audio function: the GPU is found too
    CHECK(amd.profile == "amd-ryzen-5700u-igpu");
    CHECK(amd.vm_yaml.find("host: \"0000:05:00.0\"") != std::string::npos);
    round_trip(amd);
    InitResult t10 = init("two-t10", "d8:00.0");
    CHECK(t10.profile == "nvidia-tesla-t10");
    CHECK(t10.vm_yaml.find("display: std\n") != std::string::npos);  // a 3D controller drives no display
    CHECK(t10.vm_yaml.find("host: \"0000:d8:00.0\"") != std::string::npos);
    round_trip(t10);
}

TEST_CASE("init for a device no profile knows: a minimal profile") {
    InitResult r = init("gt1030", "02:00.0");
    CHECK(r.profile == "host-8086-1533");
    REQUIRE(r.profile_yaml);
    CHECK(*r.profile_yaml == "# yaml-language-server: $schema=" + installed_data_dir() + "/schemas/profile.schema.json\n"
                             "# Written by vfiogen init --from-host 0000:02:00.0: a minimal profile for this device.\n"
                             "name: host-8086-1533\n"
                             "description: Intel Corporation I210 Gigabit Network Connection [8086:1533]\n"
                             "functions:\n  - role: other\n    id: \"8086:1533\"\n    function: 0\n");
}

TEST_CASE("init errors") {
    auto error = [](const char* host, const char* bdf) {
        return test::input_error_text([&] { init(host, bdf); });
    };
    CHECK(error("gt1030", "00:01.0") == "--from-host: error: 0000:00:01.0 is a PCI bridge; give the GPU's address");
    CHECK(error("gt1030", "07:00.0") == "--from-host: error: no PCI function 0000:07:00.0 on this host (" + test::source_dir() +
                                            "/tests/data/hosts/gt1030/sys/bus/pci/devices); `vfiogen host scan` lists the GPUs");
}

TEST_CASE("write_init: the new profile beside the VM file, never over a file; none to stdout") {
    namespace fs = std::filesystem;
    fs::path dir = fs::temp_directory_path() / ("vfiogen-init-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    ProfileLibrary profiles({test::source_dir() + "/profiles"});
    PciNames names;
    InitResult nic = init_from_host(fixture("gt1030"), *parse_pci_address("02:00.0", nullptr), profiles, names);
    REQUIRE(nic.profile_yaml);
    CHECK(test::input_error_text([&] { write_init(nic, "-", false, "02:00.0", profiles); })
              .rfind("--from-host: error: no hardware profile matches 02:00.0", 0) == 0);
    std::string vm = (dir / "vm.yaml").string();
    CHECK(write_init(nic, vm, false, "02:00.0", profiles) ==
          std::vector<std::string>{"vfiogen: wrote the new profile " + (dir / "profiles/host-8086-1533.yaml").string()});
    CHECK(test::read_file(vm) == nic.vm_yaml);
    CHECK(test::read_file((dir / "profiles/host-8086-1533.yaml").string()) == *nic.profile_yaml);
    // The VM file exists now (and may hold edits); the profile too.
    CHECK_THROWS_AS(write_init(nic, vm, false, "02:00.0", profiles), OutputError);
    CHECK_THROWS_AS(write_init(nic, vm, true, "02:00.0", profiles), OutputError);  // profiles/host-8086-1533.yaml
    fs::remove_all(dir);
}
