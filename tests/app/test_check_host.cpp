// `vfiogen check` with what it knows beyond the file: the host (--host-root), so that a slot ID
// stands for the functions that exist there, and the target QEMU (--qemu-version).
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "app/check.h"
#include "rules/check_common.h"
#include "test_helpers.h"

using namespace vfiogen;
namespace fs = std::filesystem;

namespace {

std::string fixture(const std::string& name) { return test::source_dir() + "/tests/data/hosts/" + name; }

CheckOptions with_host(const std::string& root) {
    CheckOptions o;
    o.profile_dirs = {test::source_dir() + "/profiles"};
    o.host_root = root;
    return o;
}

std::string lines(const FileResult& r) {
    std::string out;
    for (const auto& f : r.findings)
        out += format_mark(f.mark) + ": " + severity_name(f.severity()) + "[" + f.rule + "]: " + f.message +
               "\n";
    return out;
}

// A copy of fixture host `name` in a temporary directory, removed with the object; `add_function`
// adds a function by copying an existing one's sysfs directory (as an SR-IOV VF appears).
struct HostCopy {
    fs::path dir;
    explicit HostCopy(const std::string& name) {
        dir = fs::temp_directory_path() / ("vfiogen-host-" + name + "-" + std::to_string(::getpid()));
        fs::remove_all(dir);
        fs::copy(fixture(name), dir, fs::copy_options::recursive | fs::copy_options::copy_symlinks);
    }
    ~HostCopy() { fs::remove_all(dir); }
    void add_function(const std::string& from, const std::string& to) {
        fs::path devices = dir / "sys/devices/pci0000:00";
        fs::copy(devices / from, devices / to, fs::copy_options::recursive | fs::copy_options::copy_symlinks);
        fs::create_symlink("../../../devices/pci0000:00/" + to, dir / "sys/bus/pci/devices" / to);
    }
    void remove_function(const std::string& bdf) { fs::remove(dir / "sys/bus/pci/devices" / bdf); }
    std::string str() const { return dir.string(); }
};

}  // namespace

TEST_CASE("legacy-igd on a slot ID: the IGD alone without host data, the host's functions with it") {
    const char* conf = "hostpci0: 0000:00:02,legacy-igd=1\nvga: none\n";
    CHECK(lines(Checker(CheckOptions{}).check_text(conf, "100.conf")).empty());
    CHECK(lines(Checker(with_host(fixture("intel-adl"))).check_text(conf, "100.conf")).empty());

    HostCopy sriov("intel-adl");  // 12th gen with one SR-IOV VF at 00:02.1
    sriov.add_function("0000:00:02.0", "0000:00:02.1");
    CHECK(lines(Checker(with_host(sriov.str())).check_text(conf, "100.conf")) ==
          "100.conf:1:22: error[pve-legacy-igd]: legacy-igd is not compatible with multifunction devices: "
          "the host has "
          "0000:00:02.0, 0000:00:02.1 at 0000:00:02; give the single function 0000:00:02.0\n");
}

TEST_CASE("gpu-without-audio: a GPU the host shows without function .1 needs no audio function") {
    const char* conf = "bios: seabios\nhostpci0: 0000:01:00.0,x-vga=1\n";
    std::string want =
        "100.conf:2:11: warning[gpu-without-audio]: GPU 0000:01:00.0 is passed without its audio function "
        "0000:01:00.1\n";
    CHECK(lines(Checker(CheckOptions{}).check_text(conf, "100.conf")) == want);
    CHECK(lines(Checker(with_host(fixture("gt1030"))).check_text(conf, "100.conf")) == want);
    HostCopy no_audio("gt1030");
    no_audio.remove_function("0000:01:00.1");
    CHECK(lines(Checker(with_host(no_audio.str())).check_text(conf, "100.conf")).empty());
}

TEST_CASE("chipset-slot names the host's audio function, and is silent on an AMD host") {
    const char* conf = "hostpci1: 0000:00:1f\n";
    CHECK(lines(Checker(with_host(fixture("intel-adl"))).check_text(conf, "100.conf")) ==
          "100.conf:1:11: warning[chipset-slot]: this passes the whole chipset slot 0000:00:1f (LPC/ISA "
          "bridge, SMBus, SPI and "
          "audio), which the host needs; for the onboard audio give the single function 0000:00:1f.3\n");
    CHECK(lines(Checker(with_host(fixture("amd-5700u"))).check_text(conf, "100.conf")).empty());
}

TEST_CASE("romfile-device: with the host, a ROM on a function that is not a GPU") {
    const char* conf =
        "hostpci0: 0000:00:02.0,legacy-igd=1,romfile=gen12_gop.rom\nhostpci1: "
        "0000:00:1f.3,romfile=gen12_gop.rom\nvga: none\n";
    // Without the host: the same file on two devices.
    CHECK(lines(Checker(CheckOptions{}).check_text(conf, "100.conf")) ==
          "100.conf:2:24: warning[romfile-device]: ROM file 'gen12_gop.rom' is given to 0000:00:1f.3 and to "
          "0000:00:02.0 (at "
          "100.conf:1:37); a ROM belongs to one device\n");
    const char* audio_only = "hostpci1: 0000:00:1f.3,romfile=gen12_gop.rom\n";
    CHECK(lines(Checker(CheckOptions{}).check_text(audio_only, "100.conf")).empty());
    CHECK(lines(Checker(with_host(fixture("intel-adl"))).check_text(audio_only, "100.conf")) ==
          "100.conf:1:24: warning[romfile-device]: ROM file 'gen12_gop.rom' is given to 0000:00:1f.3, class "
          "0403 (8086:7ad0), which "
          "is not a GPU; a VBIOS belongs to the GPU function\n");
}

TEST_CASE("a host root that cannot be read stops the check") {
    CHECK(test::input_error_text([] { Checker c(with_host("/nonexistent")); }).find("/nonexistent") !=
          std::string::npos);
}

TEST_CASE("removed QEMU options are judged against the target QEMU") {
    const char* conf = "args: -no-hpet -soundhw hda\n";
    CheckOptions old;
    old.qemu = QemuVersion{7, 0};  // before -soundhw was removed (7.1)
    CHECK(lines(Checker(old).check_text(conf, "100.conf")) ==
          "100.conf:1:7: warning[qemu-arg-removed-later]: '-no-hpet' was removed in QEMU 9.0: the VM stops "
          "starting once the host runs "
          "QEMU 9.0 (checked for 7.0); use -machine hpet=off\n"
          "100.conf:1:16: warning[qemu-arg-removed-later]: '-soundhw' was removed in QEMU 7.1: the VM stops "
          "starting once the host "
          "runs QEMU 7.1 (checked for 7.0); use -device (e.g. -device intel-hda -device hda-duplex) or "
          "-audio\n");
    CheckOptions pve8;
    pve8.qemu = QemuVersion{9, 0};  // PVE 8.2
    CHECK(lines(Checker(pve8).check_text(conf, "100.conf")) ==
          "100.conf:1:7: error[qemu-arg-removed]: '-no-hpet' was removed in QEMU 9.0 (target QEMU 9.0): the "
          "VM does not start; use "
          "-machine hpet=off\n"
          "100.conf:1:16: error[qemu-arg-removed]: '-soundhw' was removed in QEMU 7.1 (target QEMU 9.0): the "
          "VM does not start; use "
          "-device (e.g. -device intel-hda -device hda-duplex) or -audio\n");
    CHECK(parse_qemu_version("9.0.2")->str() == "9.0");
    CHECK_FALSE(parse_qemu_version("9"));
    CHECK_FALSE(parse_qemu_version("nine.0"));
}

TEST_CASE("QEMU arguments: options that take a value swallow the next word, quotes group words") {
    // -cpu takes 'host,...'; -smbios takes 'type=1,...'; -no-hpet takes none, so 'x' is positional.
    CHECK(
        lines(Checker(CheckOptions{})
                  .check_text("args: -cpu 'host,+kvm_pv_unhalt' -smbios type=1,serial=\"a b\" --enable-kvm\n",
                              "100.conf"))
            .empty());
    CHECK(lines(Checker(CheckOptions{}).check_text("args: -S x\n", "100.conf")) ==
          "100.conf:1:10: error[qemu-arg-positional]: 'x' is not the value of any option (after '-S'): QEMU "
          "opens it as a disk image; "
          "a value needs its own option in front (e.g. a second -set)\n");
    // An option this table does not know (newer, or another architecture's) takes the next word.
    CHECK(lines(Checker(CheckOptions{}).check_text("args: -newer-option value\n", "100.conf")).empty());
}

namespace {

// A legacy option ROM image: 55 AA, the pointer at 0x18 to a PCI data structure with the IDs.
std::string option_rom(unsigned vendor, unsigned device) {
    std::string rom(512, '\0');
    rom[0] = '\x55', rom[1] = '\xaa', rom[2] = 1;
    rom[0x18] = 0x40;
    rom.replace(0x40, 4, "PCIR");
    rom[0x44] = static_cast<char>(vendor & 0xff), rom[0x45] = static_cast<char>(vendor >> 8);
    rom[0x46] = static_cast<char>(device & 0xff), rom[0x47] = static_cast<char>(device >> 8);
    return rom;
}

}  // namespace

TEST_CASE("romfile-device: with the host, a ROM built for another vendor's GPU") {
    HostCopy host("gt1030");  // GT 1030 10de:1d01 at 01:00.0
    fs::create_directories(host.dir / "usr/share/kvm");
    std::ofstream(host.dir / "usr/share/kvm/rx6600.rom", std::ios::binary) << option_rom(0x1002, 0x73ff);
    std::ofstream(host.dir / "usr/share/kvm/gt1030.rom", std::ios::binary) << option_rom(0x10de, 0x1d01);
    Checker checker(with_host(host.str()));
    CHECK(lines(checker.check_text("hostpci0: 0000:01:00,romfile=rx6600.rom\n", "100.conf")) ==
          "100.conf:1:22: warning[romfile-device]: ROM file 'rx6600.rom' is built for 1002:73ff (its PCI data structure), but "
          "0000:01:00.0 is 10de:1d01: a VBIOS of another vendor's GPU\n");
    CHECK(lines(checker.check_text("hostpci0: 0000:01:00,romfile=gt1030.rom\n", "100.conf")).empty());
    // Without the host nothing is read.
    CHECK(lines(Checker(CheckOptions{}).check_text("hostpci0: 0000:01:00,romfile=rx6600.rom\n", "100.conf")).empty());
    CHECK_FALSE(option_rom_id(fixture("intel-adl") + "/usr/share/kvm/gen12_gop.rom"));  // an EFI driver, no PCIR
    CHECK(option_rom_id((host.dir / "usr/share/kvm/rx6600.rom").string())->str() == "1002:73ff");
}
