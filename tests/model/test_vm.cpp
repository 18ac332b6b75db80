#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <unistd.h>
#include <fstream>

#include "test_helpers.h"

using namespace vfiogen;
using test::kMinimalVm;
using test::load_error;

namespace fs = std::filesystem;

namespace {

// Writes `bytes` to a fresh file in a temporary directory and returns the load error for it.
std::string file_error(const std::string& bytes) {
    fs::path dir = fs::temp_directory_path() / ("vfiogen-test-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    fs::path file = dir / "vm.yaml";
    std::ofstream(file, std::ios::binary) << bytes;
    auto profiles = test::test_profiles();
    std::string error = test::input_error_text([&] { load_vm(file.string(), profiles); });
    if (!error.empty()) error.replace(0, file.string().size(), "vm.yaml");
    fs::remove_all(dir);
    return error;
}

}  // namespace

TEST_CASE("a whole seed example loads into the model") {
    auto profiles = test::test_profiles();
    Vm vm = load_vm(test::source_dir() + "/examples/pve-intel-igd-gen12.yaml", profiles);
    CHECK(vm.name == "windows");
    CHECK(vm.vmid == 130);
    CHECK(vm.machine_type == MachineType::I440fx);
    REQUIRE(vm.passthrough.size() == 1);
    const auto& fns = vm.passthrough[0].functions;
    REQUIRE(fns.size() == 2);
    CHECK(fns[0].role == "igd");
    CHECK(fns[0].id.str() == "8086:4692");           // from intel-igd-gen12
    CHECK(fns[0].legacy_igd);                         // inherited from intel-igd-legacy
    CHECK(fns[0].igd_opregion);                       // inherited
    CHECK(fns[0].igd_gms == 2);
    CHECK(fns[0].romfile == "gen12_igd.rom");
    CHECK(fns[1].host.str() == "0000:00:1f.3");
    CHECK(fns[1].alias == "ua-audio0");
    CHECK_FALSE(vm.passthrough[0].pcie);              // i440fx has no PCIe root ports
}

TEST_CASE("profile Code 43 settings reach the VM unless the VM overrides them") {
    std::string base = std::string(kMinimalVm) + "passthrough:\n  - profile: nvidia-gt1030\n    host: 01:00\n";
    auto profiles = test::test_profiles();
    Vm vm = load_vm_text(base, "vm.yaml", profiles);
    CHECK(vm.kvm_hidden);
    CHECK(vm.hv_vendor_id == "vfiogen");
    Vm off = load_vm_text(base + "cpu:\n  kvm_hidden: false\n  hv_vendor_id: mine\n", "vm.yaml", profiles);
    CHECK_FALSE(off.kvm_hidden);
    CHECK(off.hv_vendor_id == "mine");
}

TEST_CASE("files that are not YAML VM files") {
    CHECK(file_error("") == "vm.yaml: error: empty file");
    CHECK(file_error("  \n\n") == "vm.yaml: error: empty file");
    CHECK(file_error(std::string("\x7f" "ELF\x02\x01\x01\0\0\0", 10)) == "vm.yaml: error: binary file: expected YAML text (UTF-8)");
    CHECK(file_error("name: caf\xe9\n") == "vm.yaml: error: binary file: expected YAML text (UTF-8)");
    CHECK(file_error("name: [unclosed\nvmid: 100\n") == "vm.yaml:2:5: error: YAML syntax: end of sequence flow not found");
    CHECK(file_error("name: a\n  vmid: 100\n") == "vm.yaml:2:7: error: YAML syntax: illegal map value");
    CHECK(file_error("- name: a\n") == "vm.yaml:1:1: error: expected a mapping of keys at the top level");
    CHECK(file_error("name: a\n---\nname: b\n") == "vm.yaml:3:1: error: expected one YAML document, found 2");
    // Found by tests/fuzz/fuzz_vm_yaml: yaml-cpp 0.7's LoadAll never returns on these and eats all memory.
    CHECK(file_error("  - a\n  , b\n") == "vm.yaml:1:3: error: expected a mapping of keys at the top level");
    CHECK(file_error(",") == "vm.yaml: error: empty file: no YAML document");
    CHECK(file_error("---\n  - a\n  , b\n") == "vm.yaml:3:3: error: YAML syntax: the document does not end (malformed input)");

    auto profiles = test::test_profiles();
    auto error_for = [&](const std::string& path) {
        InputError::Kind kind = InputError::Kind::Invalid;
        std::string error = test::input_error_text([&] { load_vm(path, profiles); }, &kind);
        CHECK(kind == InputError::Kind::Unreadable);
        return error;
    };
    CHECK(error_for(test::source_dir() + "/examples") == test::source_dir() + "/examples: error: is a directory, expected a YAML file");
    CHECK(error_for("/nonexistent/vm.yaml") == "/nonexistent/vm.yaml: error: cannot open: No such file or directory");
}

TEST_CASE("PCI addresses in VM files") {
    std::string head = std::string(kMinimalVm) + "passthrough:\n  - profile: nvidia-gt1030\n";
    CHECK(load_error(head + "    host: 01:00.8\n") == "vm.yaml:5:11: error: PCI function 8 in '01:00.8' is out of range 0-7");
    CHECK(load_error(head + "    host: 1:0\n") ==
          "vm.yaml:5:11: error: malformed PCI address '1:0': expected [dddd:]bb:dd[.f] in hexadecimal, e.g. 0000:01:00.0");
    CHECK(load_error(head + "    host: 0000:01:00.0\n") ==
          "vm.yaml:5:11: error: '0000:01:00.0' names one function but profile 'nvidia-gt1030' has 2 functions: "
          "give the device (0000:01:00) or bind each role under 'functions'");
    CHECK(load_error(head + "    host: 01:00\n  - profile: nvidia-gt1030\n    host: 0000:01:00\n") ==
          "vm.yaml:7:11: error: host PCI function 0000:01:00.0 is passed through twice (first at vm.yaml:5:11)");
    CHECK(load_error(head + "    functions:\n      - role: gpu\n        host: 01:00\n") ==
          "vm.yaml:7:15: error: '0000:01:00' is a device; a function binding needs dddd:bb:dd.f");
}

TEST_CASE("passthrough entries bind profiles") {
    std::string head = std::string(kMinimalVm) + "passthrough:\n";
    CHECK(load_error(head + "  - profile: nvidia-gt1003\n    host: 01:00\n") ==
          "vm.yaml:4:14: error: hardware profile 'nvidia-gt1003' not found (did you mean 'nvidia-gt1030'?); searched " +
              test::source_dir() + "/tests/data/profiles, " + test::source_dir() +
              "/profiles. Put nvidia-gt1003.yaml in one of them, or add its folder with --profiles DIR, "
              "VFIOGEN_PROFILE_PATH=DIR[:DIR] or profiles: in .vfiogen.yaml");
    CHECK(load_error(head + "  - profile: ../secret\n    host: 01:00\n") ==
          "vm.yaml:4:14: error: invalid profile name '../secret': use lowercase letters, digits, '-', '_' and '.'");
    CHECK(load_error(head + "  - profile: cycle-a\n    host: 01:00\n") ==
          "" + test::source_dir() + "/tests/data/profiles/cycle-b.yaml:2:10: error: cyclic profile reference: cycle-a -> cycle-b -> cycle-a");
    CHECK(load_error(head + "  - profile: nvidia-gt1030\n") ==
          "vm.yaml:4:5: error: passthrough entry for 'nvidia-gt1030' needs 'host' (the device), 'functions' (one per role) or "
          "'mapping' (a PVE resource mapping)");
    CHECK(load_error(head + "  - profile: nvidia-gt1030\n    functions:\n      - role: audoi\n        host: 01:00.1\n") ==
          "vm.yaml:6:15: error: 'role' must be one of gpu, igd, audio, usb, serial, other, got 'audoi' (did you mean 'audio'?)");
    CHECK(load_error(head + "  - profile: nvidia-gt1030\n    functions:\n      - role: usb\n        host: 01:00.1\n") ==
          "vm.yaml:6:15: error: profile 'nvidia-gt1030' has no function with role 'usb'");
    CHECK(load_error(head + "  - profile: intel-igd-gen12\n    host: 00:02\n") ==
          "vm.yaml:5:11: error: profile 'intel-igd-gen12' gives no function number for role 'audio' (" + test::source_dir() +
              "/profiles/intel-igd-gen12.yaml:15:11), so it cannot be bound by device address; bind each role under 'functions'");
}

TEST_CASE("legacy IGD rules from qemu-server PCI.pm hold for every target") {
    std::string igd = "passthrough:\n  - profile: intel-igd-gen12\n    functions:\n      - role: igd\n        host: HOST\n";
    auto vm = [&](const std::string& extra, const std::string& host = "0000:00:02.0") {
        std::string p = igd;
        p.replace(p.find("HOST"), 4, host);
        return std::string(kMinimalVm) + extra + p;
    };
    CHECK(load_error(vm("machine:\n  type: i440fx\ndisplay: none\n")) == "");
    CHECK(load_error(vm("display: none\n")) ==
          "vm.yaml:8:15: error: legacy IGD needs machine type i440fx, but this VM uses q35 (set machine.type: i440fx)");
    CHECK(load_error(vm("machine:\n  type: i440fx\n")) ==
          "vm.yaml:9:15: error: legacy IGD needs the emulated display off (set display: none), but display is std");
    CHECK(load_error(vm("machine:\n  type: i440fx\ndisplay: none\n", "0000:00:03.0")) ==
          "vm.yaml:10:15: error: legacy IGD only works for the device at host 0000:00:02.0, not 0000:00:03.0");
    std::string twice = vm("machine:\n  type: i440fx\ndisplay: none\n") +
                        "  - profile: intel-hd630\n    functions:\n      - role: igd\n        host: 0000:00:02.0\n";
    CHECK(load_error(twice) ==
          "vm.yaml:14:15: error: host PCI function 0000:00:02.0 is passed through twice (first at vm.yaml:10:15)");
    CHECK(load_error(vm("machine:\n  type: i440fx\ndisplay: none\n") +
                     "        x_vga: true\n") == "vm.yaml:10:15: error: legacy IGD is not compatible with x-vga");
    CHECK(load_error(vm("machine:\n  type: i440fx\ndisplay: none\n") + "        rombar: false\n") ==
          "vm.yaml:10:15: error: legacy IGD requires rombar to be enabled");
}

TEST_CASE("pcie needs q35") {
    std::string vm = std::string(kMinimalVm) + "machine:\n  type: i440fx\npassthrough:\n  - profile: nvidia-gt1030\n    host: 01:00\n    pcie: true\n";
    CHECK(load_error(vm) ==
          "vm.yaml:8:11: error: pcie needs machine type q35, but this VM uses i440fx (qemu-server: 'q35 machine model is not enabled')");
}

TEST_CASE("other VM values") {
    CHECK(load_error(std::string(kMinimalVm) + "cpu:\n  hv_vendor_id: toolongvendorid\n") ==
          "vm.yaml:4:17: error: hv_vendor_id 'toolongvendorid' must be 1 to 12 letters or digits");
    CHECK(load_error(std::string(kMinimalVm) + "machine:\n  version: 8\n") ==
          "vm.yaml:4:12: error: machine version must be MAJOR.MINOR such as 8.0, got '8'");
    CHECK(load_error(std::string(kMinimalVm) + "firmware:\n  type: seabios\n  secure_boot: true\n") ==
          "vm.yaml:5:16: error: secure boot needs firmware type ovmf");
    CHECK(load_error(std::string(kMinimalVm) + "nics:\n  - mac: 01:00:5e:00:00:01\n") ==
          "vm.yaml:4:10: error: '01:00:5e:00:00:01' is not a unicast MAC address XX:XX:XX:XX:XX:XX");
    CHECK(load_error(std::string(kMinimalVm) + "nics:\n  - bridge: \"vmbr0,tag=5\"\n") ==
          "vm.yaml:4:13: error: bridge name 'vmbr0,tag=5' may hold letters, digits, '-', '_' and '.' only");
    CHECK(load_error(std::string(kMinimalVm) + "storage: Local\n") ==
          "vm.yaml:3:10: error: 'Local' is not a PVE storage ID ([a-z][a-z0-9-_.]*[a-z0-9])");
    CHECK(load_error(std::string(kMinimalVm) + "disks:\n  - size_gib: 8\n    volume: local-lvm\n") ==
          "vm.yaml:5:13: error: 'volume' must be a PVE volume storage:volume (e.g. local-lvm:vm-100-disk-0), got 'local-lvm'");
    CHECK(load_error(std::string(kMinimalVm) + "qemu_args:\n  - \"-device foo\"\n") ==
          "vm.yaml:4:5: error: QEMU argument '-device foo' is empty or holds spaces, quotes or backslashes; give one argument per item");
}

TEST_CASE("Looking Glass size follows its B7 documentation's formula") {
    CHECK(looking_glass_size_mib(1920, 1080) == 32);
    CHECK(looking_glass_size_mib(2560, 1440) == 64);
    CHECK(looking_glass_size_mib(3840, 2160) == 128);
    CHECK(looking_glass_size_mib(1280, 720) == 32);  // 7.03 MiB + 10 = 17.03 -> 32
    CHECK(looking_glass_size_mib(1, 1) == 16);       // the 10 MiB overhead alone -> 16
    CHECK(looking_glass_size_mib(7680, 4320) == 512);
}

TEST_CASE("looking_glass in VM files") {
    auto profiles = test::test_profiles();
    auto lg = [&](const std::string& body) {
        return load_vm_text(std::string(kMinimalVm) + "looking_glass:\n" + body, "vm.yaml", profiles)
            .looking_glass;
    };
    CHECK_FALSE(load_vm_text(kMinimalVm, "vm.yaml", profiles).looking_glass);
    auto empty =
        load_vm_text(std::string(kMinimalVm) + "looking_glass: {}\n", "vm.yaml", profiles).looking_glass;
    REQUIRE(empty);
    CHECK(empty->size_mib == 32);  // 1920x1080 by default
    CHECK_FALSE(empty->resolution);
    CHECK(empty->mode == "0660");
    CHECK(empty->group == "kvm");
    CHECK(lg("  resolution: 3840x2160\n")->size_mib == 128);
    CHECK(lg("  size_mib: 256\n  resolution: 2560x1440\n")->size_mib == 256);
    CHECK(lg("  size_mib: 16\n")->size_mib == 16);  // no resolution given: only the power of two is checked
    CHECK(lg("  user: alice\n  mode: \"0600\"\n")->user == "alice");

    auto err = [&](const std::string& body) {
        return load_error(std::string(kMinimalVm) + "looking_glass:\n" + body);
    };
    CHECK(err("  size_mib: 48\n") ==
          "vm.yaml:4:13: error: Looking Glass size_mib 48 is not a power of two (IVSHMEM needs one; the next "
          "is 64)");
    CHECK(err("  resolution: 3840x2160\n  size_mib: 64\n") ==
          "vm.yaml:5:13: error: Looking Glass size_mib 64 is too small for 3840x2160: it needs 128 MiB "
          "(width x height x 4 x 2 + 10 MiB, as a power of two)");
    CHECK(err("  resolution: 1920*1080\n") ==
          "vm.yaml:4:15: error: Looking Glass resolution must be WIDTHxHEIGHT such as 2560x1440 (each 1 to "
          "16384), "
          "got '1920*1080'");
    CHECK(err("  resolution: 99999x1\n") ==
          "vm.yaml:4:15: error: Looking Glass resolution must be WIDTHxHEIGHT such as 2560x1440 (each 1 to "
          "16384), "
          "got '99999x1'");
    CHECK(err("  size_mib: 8192\n") == "vm.yaml:4:13: error: 'size_mib' is 8192, outside 1..4096");
    CHECK(err("  user: \"alice bob\"\n") ==
          "vm.yaml:4:9: error: Looking Glass user 'alice bob' is not a user name (lower-case letters, "
          "digits, '-', "
          "'_', at most 32)");
    CHECK(
        err("  group: \"kvm\\nroot\"\n") ==
        "vm.yaml:4:10: error: 'group' contains a control character or line break, which no target can hold");
    CHECK(err("  mode: \"666\"\n") ==
          "vm.yaml:4:9: error: Looking Glass mode must be four octal digits such as 0660, got '666'");
    CHECK(err("  resolutoin: 1920x1080\n") ==
          "vm.yaml:4:3: error: unknown key 'resolutoin' in 'looking_glass' (did you mean 'resolution'?)");
}

TEST_CASE("tpm and secure boot: ostype win11 turns both on, on q35") {
    auto profiles = test::test_profiles();
    auto vm = [&](const std::string& extra) {
        return load_vm_text(std::string(kMinimalVm) + extra, "vm.yaml", profiles);
    };
    Vm win11 = vm("ostype: win11\n");
    CHECK(win11.tpm);
    CHECK(win11.secure_boot);
    CHECK(format_mark(win11.tpm_mark) == "vm.yaml:3:9");  // the ostype that turned it on
    Vm win10 = vm("ostype: win10\n");
    CHECK_FALSE(win10.tpm);
    CHECK_FALSE(win10.secure_boot);
    Vm off = vm("ostype: win11\ntpm: false\nfirmware:\n  secure_boot: false\n");
    CHECK_FALSE(off.tpm);
    CHECK_FALSE(off.secure_boot);
    Vm i440fx = vm("ostype: win11\nmachine:\n  type: i440fx\n");
    CHECK(i440fx.tpm);
    CHECK_FALSE(i440fx.secure_boot);  // the SMM firmware does not run there: off unless asked for
    CHECK(vm("tpm: true\n").tpm);
    CHECK(load_error(std::string(kMinimalVm) + "tpm: maybe\n") ==
          "vm.yaml:3:6: error: 'tpm' must be true or false, got 'maybe'");
}

TEST_CASE("secure boot and legacy IGD do not mix (seed 003)") {
    std::string vm = std::string(kMinimalVm) +
                     "machine:\n  type: i440fx\ndisplay: none\nfirmware:\n  secure_boot: true\n"
                     "passthrough:\n  - profile: intel-igd-gen12\n    functions:\n      - role: igd\n        "
                     "host: 0000:00:02.0\n";
    CHECK(load_error(vm) ==
          "vm.yaml:7:16: error: secure boot and legacy IGD (vm.yaml:12:15) do not mix: the IGD ROMs are "
          "unsigned and "
          "legacy IGD needs i440fx (seed 003); set firmware.secure_boot: false");
}

namespace {

// `count` items "- ITEM" under `key`, one per line, after the minimal VM.
std::string with_list(const std::string& key, size_t count, const std::string& item) {
    std::string text = std::string(kMinimalVm) + key + ":\n";
    for (size_t i = 0; i < count; ++i) text += "  - " + item + "\n";
    return text;
}

}  // namespace

TEST_CASE("lists hold at most the items a real VM or profile can use, checked before any item") {
    CHECK(load_error(with_list("qemu_args", 256, "-no-hpet")) == "");
    CHECK(load_error(with_list("qemu_args", 257, "-no-hpet")) ==
          "vm.yaml:4:3: error: 'qemu_args' has 257 items, more than the 256 vfiogen accepts");
    // 50,000 items: refused at once, not after 50,000 item checks and a 50,000-argument rendering.
    CHECK(load_error(with_list("qemu_args", 50000, "-no-hpet")) ==
          "vm.yaml:4:3: error: 'qemu_args' has 50000 items, more than the 256 vfiogen accepts");
    CHECK(load_error(with_list("nics", 33, "{model: virtio}")) ==
          "vm.yaml:4:3: error: 'nics' has 33 items, more than the 32 vfiogen accepts");
    CHECK(load_error(with_list("disks", 58, "{size_gib: 1}")) ==
          "vm.yaml:4:3: error: 'disks' has 58 items, more than the 57 vfiogen accepts");
    CHECK(load_error(with_list("passthrough", 65, "{profile: nvidia-gt1030, host: \"01:00\"}")) ==
          "vm.yaml:4:3: error: 'passthrough' has 65 items, more than the 64 vfiogen accepts");
    std::string functions = std::string(kMinimalVm) + "passthrough:\n  - profile: nvidia-gt1030\n    functions:\n";
    for (int i = 0; i < 9; ++i) functions += "      - {role: gpu, host: \"01:00.0\"}\n";
    CHECK(load_error(functions) == "vm.yaml:6:7: error: 'functions' has 9 items, more than the 8 vfiogen accepts");
}

TEST_CASE("YAML aliases count as copies of their anchor: the expanded document is bounded, the error is at the alias") {
    // Aliases as people use them load as before.
    CHECK(load_error(std::string(kMinimalVm) +
                     "nics:\n  - &nic {model: virtio, bridge: vmbr0}\n  - *nic\nqemu_args: [&a -no-hpet, *a]\n") == "");

    // Nested lists of aliases ("billion laughs"): level K is ten aliases of level K-1. The document
    // nodes before level 4 are 12,351 (the root mapping, keys and lists included); each alias of
    // level 3 adds 11,111, so the 8th alias on line 5 passes 100,000. Today's loader would walk 1.1 million nodes.
    std::string laughs = "l0: &l0 [a, a, a, a, a, a, a, a, a, a]\n";
    for (int k = 1; k <= 5; ++k) {
        std::string prev = "*l" + std::to_string(k - 1);
        laughs += "l" + std::to_string(k) + ": &l" + std::to_string(k) + " [" + prev;
        for (int i = 1; i < 10; ++i) laughs += ", " + prev;
        laughs += "]\n";
    }
    InputError::Kind kind{};
    auto profiles = test::test_profiles();
    CHECK(test::input_error_text([&] { load_vm_text(laughs, "vm.yaml", profiles); }, &kind) ==
          "vm.yaml:5:45: error: alias *l3 expands the document past 100000 nodes (each alias counts as a copy of its anchor)");
    CHECK(kind == InputError::Kind::Unreadable);

    // One long value repeated: 5,000 aliases of a 1,000-byte argument are 5 MB of arguments from
    // a 40 KB file. Values before the aliases: 24 bytes of keys and values, the argument 1,000; so
    // the 4,194th alias (line 4 + 4,194) passes 4 MiB.
    std::string arg = "-" + std::string(999, 'x');
    std::string repeated = std::string(kMinimalVm) + "qemu_args:\n  - &arg " + arg + "\n";
    for (int i = 0; i < 5000; ++i) repeated += "  - *arg\n";
    CHECK(load_error(repeated) == "vm.yaml:4198:5: error: alias *arg expands the document past 4194304 bytes of values "
                                  "(each alias counts as a copy of its anchor)");

    // A list that holds itself is no value any key takes.
    CHECK(load_error(std::string(kMinimalVm) + "qemu_args: &a [*a]\n") ==
          "vm.yaml:3:16: error: alias *a refers to the node that contains it");
}

TEST_CASE("a document of more than 100,000 nodes is refused while it is read, at the node past the limit") {
    std::string text = std::string(kMinimalVm) + "qemu_args: [";
    for (int i = 0; i < 100000; ++i) text += "a,";
    text += "a]\n";
    // Nodes before the items: the root mapping, 5 scalars and the list; so item 99,994 (column
    // 13 + 2 * 99,993) passes.
    CHECK(load_error(text) == "vm.yaml:3:" + std::to_string(13 + 2 * 99993) + ": error: the document has more than 100000 nodes");
}

TEST_CASE("mdev: a mediated device type on a function binding, checked where the VM file writes it") {
    auto vm = [](const std::string& profile, const std::string& extra) {
        return std::string(kMinimalVm) + "passthrough:\n  - profile: " + profile +
               "\n    functions:\n      - role: igd\n        host: 0000:00:02.0\n" + extra;
    };
    auto profiles = test::test_profiles();
    Vm ok = load_vm_text(vm("intel-uhd630-gvtg", "        mdev: i915-GVTg_V5_4\n"), "vm.yaml", profiles);
    REQUIRE(ok.passthrough.at(0).functions.at(0).mdev);
    CHECK(*ok.passthrough[0].functions[0].mdev == "i915-GVTg_V5_4");
    CHECK(format_mark(ok.passthrough[0].functions[0].mdev_mark) == "vm.yaml:8:15");

    // The name reaches PVE's property string, a sysfs path and an mdevctl argument.
    for (const char* bad : {"i915/GVTg", "i915.GVTg", "\"a:b\"", "\"a b\"", "\"\""})
        CHECK(load_error(vm("intel-uhd630-gvtg", std::string("        mdev: ") + bad + "\n")).find(
                  "vm.yaml:8:15: error: mdev type '") == 0);
    CHECK(load_error(vm("intel-uhd630-gvtg", "        mdev: i915-GVTg_V5_4\n        x_vga: true\n")) ==
          "vm.yaml:8:15: error: x-vga needs the host device's VGA region, which a mediated device does not offer "
          "(QEMU hw/vfio/pci.c): set x_vga: false for role 'igd'");
    // qemu-server: "legacy IGD assignment is not compatible with mdev".
    CHECK(load_error("machine:\n  type: i440fx\ndisplay: none\n" + vm("intel-igd-gen12", "        mdev: i915-GVTg_V5_4\n")) ==
          "vm.yaml:10:15: error: legacy IGD is not compatible with mdev");

    // Two instances of one function are two mdevs; the function itself cannot also go whole.
    std::string second = "  - profile: intel-uhd630-gvtg\n    functions:\n      - role: igd\n        host: 0000:00:02.0\n";
    CHECK(load_error(vm("intel-uhd630-gvtg", "        mdev: i915-GVTg_V5_8\n") + second + "        mdev: i915-GVTg_V5_8\n") == "");
    CHECK(load_error(vm("intel-uhd630-gvtg", "        mdev: i915-GVTg_V5_8\n") + second) ==
          "vm.yaml:12:15: error: host PCI function 0000:00:02.0 is passed through twice (first at vm.yaml:7:15); a "
          "function given whole cannot also host mdevs");
}

TEST_CASE("mdev_uuid: the same for the same VM, function and alias; different for another VM") {
    auto profiles = test::test_profiles();
    auto load = [&](const std::string& name) {
        return load_vm_text("name: " + name + "\npassthrough:\n  - profile: intel-uhd630-gvtg\n    functions:\n"
                            "      - {role: igd, host: 0000:00:02.0, mdev: i915-GVTg_V5_4}\n",
                            "vm.yaml", profiles);
    };
    Vm a = load("a"), again = load("a"), b = load("b");
    std::string uuid = mdev_uuid(a, a.passthrough[0].functions[0]);
    CHECK(uuid.size() == 36);
    CHECK(uuid[14] == '5');  // a version 5 (name-based, SHA-1) UUID
    CHECK(uuid == mdev_uuid(again, again.passthrough[0].functions[0]));
    CHECK(uuid != mdev_uuid(b, b.passthrough[0].functions[0]));
}

TEST_CASE("load_vm_input: '-' reads the VM file from the stream, a path from the file; inputs lists what was read") {
    std::istringstream in("name: piped\npassthrough:\n  - profile: nvidia-gt1030\n    host: 0000:01:00\n");
    std::vector<std::string> inputs;
    Vm piped = load_vm_input("-", {test::source_dir() + "/profiles"}, in, &inputs);
    CHECK(piped.file == "<stdin>");
    CHECK(piped.name == "piped");
    CHECK(inputs == std::vector<std::string>{test::source_dir() + "/profiles/nvidia-gt1030.yaml"});
    std::istringstream unused;
    inputs.clear();
    Vm file = load_vm_input(test::source_dir() + "/examples/pve-nvidia-gt1030.yaml", {}, unused, &inputs);
    CHECK(file.vmid == 120);
    REQUIRE(inputs.size() == 2);
    CHECK(inputs[0] == test::source_dir() + "/examples/pve-nvidia-gt1030.yaml");
}
