// `host check` on each fixture host (tests/data/hosts) with the seed's VM file: the exact findings.
#include <doctest/doctest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "host/host_check.h"
#include "host/host_config.h"
#include "test_helpers.h"

using namespace vfiogen;
namespace fs = std::filesystem;

namespace {

std::vector<HostFinding> check(const std::string& host_name, const std::string& vm_file) {
    auto [vm, host] = test::host_case(host_name, vm_file);
    PciNames names;
    return check_host(host, vm, names);
}

// "WARN boot-vga" for each finding that is not a PASS, in order.
std::vector<std::string> problems(const std::vector<HostFinding>& findings) {
    std::vector<std::string> out;
    const char* words[] = {"PASS", "INFO", "WARN", "FAIL"};
    for (const auto& f : findings)
        if (f.status != CheckStatus::Pass) out.push_back(std::string(words[static_cast<int>(f.status)]) + " " + f.rule);
    return out;
}

const HostFinding& find(const std::vector<HostFinding>& findings, CheckStatus status, const std::string& rule) {
    auto it = std::find_if(findings.begin(), findings.end(),
                           [&](const HostFinding& f) { return f.status == status && f.rule == rule; });
    REQUIRE(it != findings.end());
    return *it;
}

// Each fixture host with the VM file of its seed.
const std::pair<const char*, const char*> kFixtureVms[] = {{"intel-adl", "examples/pve-intel-igd-gen12.yaml"},
                                                           {"amd-5700u", "examples/pve-amd-igpu-5700u.yaml"},
                                                           {"gt1030", "examples/pve-nvidia-gt1030.yaml"},
                                                           {"iommu-off", "examples/libvirt-intel-hd630.yaml"},
                                                           {"two-t10", "tests/data/vms/two-t10.yaml"}};

// A host tree whose distribution cannot be told (no os-release) gets the usual GRUB advice.
const char* kGrub = " GRUB_CMDLINE_LINUX_DEFAULT in /etc/default/grub, then run `update-grub` "
                    "(Fedora: `grub2-mkconfig -o /boot/grub2/grub.cfg`) and reboot";

}  // namespace

TEST_CASE("every finding names a rule from the table, and every WARN and FAIL names a fix") {
    for (auto [host, vm] : kFixtureVms) {
        for (const auto& f : check(host, vm)) {
            CAPTURE(f.message);
            CHECK(check_rule(f.rule).scope == RuleScope::Host);
            if (f.status == CheckStatus::Warn || f.status == CheckStatus::Fail) CHECK(!f.fix.empty());
        }
    }
}

namespace {

// The `...`-quoted parts of a fix, in order, but for the `vfiogen ...` command it names.
std::vector<std::string> quoted(const std::string& fix) {
    std::vector<std::string> out;
    for (size_t open = fix.find('`'); open != std::string::npos; open = fix.find('`', open + 1)) {
        size_t close = fix.find('`', open + 1);
        if (close == std::string::npos) break;
        std::string part = fix.substr(open + 1, close - open - 1);
        if (part.rfind("vfiogen ", 0) != 0) out.push_back(part);
        open = close;
    }
    return out;
}

// The directive lines (not comments) of the vfio.conf host config writes.
std::vector<std::string> vfio_conf_directives(const Vm& vm, const Host& host) {
    for (const auto& f : host_config(vm, host, Distro::Debian, Boot::Grub).files) {
        if (f.path != "/etc/modprobe.d/vfio.conf") continue;
        std::vector<std::string> lines;
        std::istringstream in(f.text);
        for (std::string line; std::getline(in, line);)
            if (!line.empty() && line[0] != '#') lines.push_back(line);
        return lines;
    }
    return {};
}

}  // namespace

TEST_CASE("host check's vfio.conf fix quotes exactly the lines host config writes, on every fixture") {
    for (auto [host_name, vm_file] : kFixtureVms) {
        auto [vm, host] = test::host_case(host_name, vm_file);
        // Every passed function on a host driver, so host-driver has a fix on every fixture.
        for (auto& d : host.devices)
            for (const auto& dev : vm.passthrough)
                for (const auto& f : dev.functions)
                    if (f.host == d.address) d.driver = d.is_display() ? "nouveau" : "snd_hda_intel";
        PciNames names;
        std::string fixture = host_name;
        CAPTURE(fixture);
        CHECK(quoted(find(check_host(host, vm, names), CheckStatus::Warn, "host-driver").fix) ==
              vfio_conf_directives(vm, host));
    }
}

TEST_CASE("two identical Tesla T10 (seed 004), the VM's on nvidia: the fix sets driver_override, never ids=") {
    auto [vm, host] = test::host_case("two-t10", "tests/data/vms/two-t10.yaml");
    for (auto& d : host.devices)
        if (d.address.str() == "0000:d8:00.0") d.driver = "nvidia";
    PciNames names;
    const std::string fix = find(check_host(host, vm, names), CheckStatus::Warn, "host-driver").fix;
    CHECK(fix.find("ids=") == std::string::npos);  // ids=10de:1e37 would take the host's own 3b:00.0
    CHECK(fix ==
          "claim it at boot: /etc/modprobe.d/vfio.conf with `install vfio-pci for d in 0000:d8:00.0; do echo vfio-pci > "
          "/sys/bus/pci/devices/$d/driver_override; done; /sbin/modprobe --ignore-install vfio-pci $CMDLINE_OPTS`, "
          "`softdep nvidia pre: vfio-pci`, `softdep nouveau pre: vfio-pci`, then rebuild the initramfs "
          "(`vfiogen host config` writes it)");
    CHECK(quoted(fix) == vfio_conf_directives(vm, host));
}

TEST_CASE("Intel 12th gen (seed 003): the PCH audio's group and the EFI file posing as a ROM") {
    auto findings = check("intel-adl", "examples/pve-intel-igd-gen12.yaml");
    CHECK(problems(findings) == std::vector<std::string>{"INFO cmdline-iommu-pt", "WARN boot-vga", "WARN host-driver",
                                                         "FAIL romfile", "FAIL iommu-group"});
    const auto& group = find(findings, CheckStatus::Fail, "iommu-group");
    CHECK(group.message == "IOMMU group 13 also holds 0000:00:1f.4 [0c05] 8086:7aa3 on i801_smbus, which the VM does "
                           "not pass: QEMU refuses a group that is not viable");
    CHECK(group.fix == "pass it to the VM as well, or take it from the host too: /etc/modprobe.d/vfio.conf with "
                       "`options vfio-pci ids=8086:4692,8086:7ad0,8086:7aa3 disable_vga=1`, `softdep i915 pre: vfio-pci`, "
                       "`softdep snd_hda_intel pre: vfio-pci`, `softdep i801_smbus pre: vfio-pci` (`vfiogen host config` "
                       "claims only the VM's own functions); a slot with its own group avoids this");
    const auto& rom = find(findings, CheckStatus::Fail, "romfile");
    CHECK(rom.message == "0000:00:1f.3 (audio of intel-igd-gen12): romfile /usr/share/kvm/gen12_gop.rom starts with 4d 5a, "
                         "not the option ROM signature 55 AA (\"MZ\": an EFI driver, not a ROM)");
    CHECK(rom.fix == "convert the .efi with edk2's `EfiRom -f 0x8086 -i 0x4692 -e FILE.efi` and copy the .rom to "
                     "/usr/share/kvm/gen12_gop.rom");
    const auto& driver = find(findings, CheckStatus::Warn, "host-driver");
    // The lines host config writes into vfio.conf for this VM on this host (test_host_config.cpp).
    CHECK(driver.fix == "claim it at boot: /etc/modprobe.d/vfio.conf with `options vfio-pci ids=8086:4692,8086:7ad0 "
                        "disable_vga=1`, `softdep i915 pre: vfio-pci`, `softdep snd_hda_intel pre: vfio-pci`, then rebuild "
                        "the initramfs (`vfiogen host config` writes it)");
    // A PVE host without /etc/kernel/cmdline boots with GRUB.
    CHECK(find(findings, CheckStatus::Warn, "boot-vga").fix ==
          "add initcall_blacklist=sysfb_init to GRUB_CMDLINE_LINUX_DEFAULT in /etc/default/grub, then run `update-grub` "
          "and reboot (kernel 5.15 and later; video=efifb:off for older ones)");
    CHECK(findings_exit_code(findings, false) == 1);
}

TEST_CASE("AMD 5700U (seed 003): amd_iommu=on does nothing, the reset bug, a missing GOP ROM") {
    auto findings = check("amd-5700u", "examples/pve-amd-igpu-5700u.yaml");
    CHECK(problems(findings) == std::vector<std::string>{"INFO cmdline-amd-iommu", "INFO cmdline-iommu-pt",
                                                         "INFO interrupt-remapping", "WARN vfio-modules",
                                                         "WARN reset-method", "FAIL romfile"});
    // This laptop boots with proxmox-boot-tool (it has /etc/kernel/cmdline), so the fix names that file.
    CHECK(find(findings, CheckStatus::Info, "cmdline-amd-iommu").fix ==
          "remove amd_iommu=on from the first line of /etc/kernel/cmdline, then run `proxmox-boot-tool refresh` and reboot");
    CHECK(find(findings, CheckStatus::Warn, "reset-method").message ==
          "0000:05:00.0 (gpu of amd-ryzen-5700u-igpu): no reset method (sysfs has no reset_method): the device cannot be "
          "reset between VM starts (the AMD reset bug)");
    CHECK(find(findings, CheckStatus::Fail, "romfile").message ==
          "0000:05:00.1 (audio of amd-ryzen-5700u-igpu): romfile /usr/share/kvm/AMDGopDriver.rom (PVE and libvirt) does not exist");
    CHECK(find(findings, CheckStatus::Warn, "vfio-modules").fix ==
          "add the lines vfio, vfio_iommu_type1, vfio_pci to /etc/modules-load.d/vfio.conf (one per line); vfio_virqfd is "
          "part of vfio since kernel 6.2");
    CHECK(find(findings, CheckStatus::Pass, "iommu-group").message ==
          "IOMMU group 7 (0000:00:08.1, 0000:05:00.0, 0000:05:00.1) holds only passed functions, bridges and unbound or "
          "vfio-pci devices");
    CHECK(find(findings, CheckStatus::Pass, "boot-vga").message ==
          "0000:05:00.0 (gpu of amd-ryzen-5700u-igpu): boot VGA device, the firmware framebuffer is off "
          "(initcall_blacklist=sysfb_init)");
}

TEST_CASE("GT 1030 (seed 000): still on nouveau, and a NIC of another slot in its group") {
    auto findings = check("gt1030", "examples/pve-nvidia-gt1030.yaml");
    CHECK(problems(findings) == std::vector<std::string>{"INFO cmdline-iommu-pt", "WARN vfio-modules", "WARN host-driver",
                                                         "WARN boot-vga", "WARN host-driver", "FAIL iommu-group"});
    CHECK(find(findings, CheckStatus::Fail, "iommu-group").message ==
          "IOMMU group 1 also holds 0000:02:00.0 [0200] 8086:1533 on igb, which the VM does not pass: QEMU refuses a "
          "group that is not viable");
    CHECK(find(findings, CheckStatus::Warn, "host-driver").message ==
          "0000:01:00.0 (gpu of nvidia-gt1030): on nouveau; PVE unbinds it and binds vfio-pci at VM start, libvirt does "
          "the same for managed='yes' hostdevs (vfiogen's default; unmanaged ones need `virsh nodedev-detach "
          "pci_0000_01_00_0` first), but a host driver in use may not let go");
    // Kernel 5.15: vfio_virqfd is still a module of its own.
    CHECK(find(findings, CheckStatus::Warn, "vfio-modules").fix ==
          "add the lines vfio, vfio_iommu_type1, vfio_pci, vfio_virqfd to /etc/modules-load.d/vfio.conf (one per line)");
}

TEST_CASE("IOMMU off (seed 002): one FAIL naming intel_iommu=on, no group findings") {
    auto findings = check("iommu-off", "examples/libvirt-intel-hd630.yaml");
    CHECK(problems(findings) == std::vector<std::string>{"FAIL iommu-enabled", "WARN vfio-modules", "WARN host-driver",
                                                         "WARN boot-vga", "WARN host-driver"});
    const auto& off = find(findings, CheckStatus::Fail, "iommu-enabled");
    CHECK(off.message == "IOMMU off: /sys/kernel/iommu_groups is empty");
    CHECK(off.fix == std::string("add intel_iommu=on to") + kGrub);
}

TEST_CASE("two Tesla T10 (seed 004): the passed card is ready; the ACS override is flagged") {
    auto findings = check("two-t10", "tests/data/vms/two-t10.yaml");
    CHECK(problems(findings) == std::vector<std::string>{"WARN cmdline-acs-override"});
    CHECK(findings_exit_code(findings, false) == 0);
    CHECK(findings_exit_code(findings, true) == 1);
    CHECK(find(findings, CheckStatus::Pass, "ovmf").message ==
          "firmware autoselection finds UEFI without Secure Boot for q35: "
          "/usr/share/qemu/firmware/60-edk2-x86_64.json "
          "(/usr/share/OVMF/OVMF_CODE_4M.fd)");
}

TEST_CASE("a VM file for another host: the function is missing or another device") {
    auto findings = check("two-t10", "examples/libvirt-tesla-t10.yaml");
    const auto& missing = find(findings, CheckStatus::Fail, "function-present");
    CHECK(missing.message == "0000:01:00.0 (gpu of nvidia-tesla-t10): no such PCI function on this host");
    CHECK(missing.fix == "correct the address at " + test::source_dir() +
                             "/examples/libvirt-tesla-t10.yaml:25:11 (`vfiogen host scan` lists the host's GPUs)");
    findings = check("gt1030", "tests/data/vms/two-t10.yaml");
    CHECK(find(findings, CheckStatus::Fail, "function-present").message ==
          "0000:d8:00.0 (gpu of nvidia-tesla-t10): no such PCI function on this host");
    findings = check("intel-adl", "examples/libvirt-intel-hd630.yaml");
    const auto& wrong = find(findings, CheckStatus::Fail, "function-id");
    CHECK(wrong.message == "0000:00:02.0 (igd of intel-hd630): is 8086:4692 Alder Lake-S GT1 [UHD Graphics 730], but "
                           "profile intel-hd630 expects 8086:5912 for role igd");
}

TEST_CASE("findings as the checklist") {
    std::vector<HostFinding> f = {{CheckStatus::Pass, "cpu-virt", "vmx", ""},
                                  {CheckStatus::Warn, "boot-vga", "boot VGA", "add x"}};
    CHECK(format_findings_text(f) == "PASS  cpu-virt: vmx\nWARN  boot-vga: boot VGA\n      fix: add x\n"
                                     "1 passed, 0 notes, 1 warnings, 0 failed\n");
}

TEST_CASE("Looking Glass: a tmpfiles.d rule for the shared memory file, or kvmfr loaded with enough memory") {
    auto profiles = test::test_profiles();
    Vm vm = load_vm(test::source_dir() + "/examples/libvirt-looking-glass-win11.yaml", profiles);
    fs::path dir = fs::temp_directory_path() / ("vfiogen-lg-" + std::to_string(::getpid()));
    fs::create_directories(dir / "etc/tmpfiles.d");
    Host host = read_host(HostRoot::under(test::source_dir() + "/tests/data/hosts/gt1030"));
    host.root.files = dir.string();
    PciNames names;

    auto findings = check_host(host, vm, names);
    const auto& missing = find(findings, CheckStatus::Warn, "looking-glass");
    CHECK(missing.message ==
          "no tmpfiles.d rule for /dev/shm/looking-glass: QEMU creates it for its own user, and "
          "the Looking Glass client cannot open it");
    CHECK(missing.fix ==
          "add `f /dev/shm/looking-glass 0660 alice kvm -` to /etc/tmpfiles.d/10-looking-glass.conf "
          "(`vfiogen host config` writes it)");
    std::ofstream(dir / "etc/tmpfiles.d/10-looking-glass.conf")
        << "# Type Path Mode UID GID Age\n"
           "f /dev/shm/looking-glass 0660 alice kvm -\n";
    CHECK(find(check_host(host, vm, names), CheckStatus::Pass, "looking-glass").message ==
          "tmpfiles.d rule for /dev/shm/looking-glass: f /dev/shm/looking-glass 0660 alice kvm -");

    // A PVE host (its OVMF package is there): qemu-server's pve-shm- name.
    fs::create_directories(dir / "usr/share/pve-edk2-firmware");
    std::ofstream(dir / "usr/share/pve-edk2-firmware/OVMF_CODE_4M.fd") << "x";
    CHECK(find(check_host(host, vm, names), CheckStatus::Warn, "looking-glass").message ==
          "no tmpfiles.d rule for /dev/shm/pve-shm-looking-glass: QEMU creates it for its own user, and the "
          "Looking "
          "Glass client cannot open it");

    vm.looking_glass->kvmfr = true;
    CHECK(find(check_host(host, vm, names), CheckStatus::Fail, "looking-glass").message ==
          "the kvmfr module is not loaded (no /sys/module/kvmfr)");
    fs::create_directories(dir / "sys/module/kvmfr/parameters");
    std::ofstream(dir / "sys/module/kvmfr/parameters/static_size_mb") << "32\n";
    host.root.sysfs = (dir / "sys").string();
    host.modules.insert("kvmfr");
    findings = check_host(host, vm, names);
    const auto& small = find(findings, CheckStatus::Fail, "looking-glass");
    CHECK(small.message ==
          "kvmfr is loaded but /dev/kvmfr0 has 32 MiB (static_size_mb); the VM needs 64 MiB");
    CHECK(small.fix ==
          "set `options kvmfr static_size_mb=64` in /etc/modprobe.d/kvmfr.conf and reload kvmfr");
    std::ofstream(dir / "sys/module/kvmfr/parameters/static_size_mb") << "128\n";
    CHECK(find(check_host(host, vm, names), CheckStatus::Pass, "looking-glass").message ==
          "kvmfr is loaded and /dev/kvmfr0 has 128 MiB (the VM needs 64)");
    fs::remove_all(dir);
}

namespace {

// `host check`'s finding of `rule` for `vm_text` on a host whose files are `dir` (sysfs of
// two-t10), or an Info finding of rule "none" when there is none.
HostFinding finding_of(const char* rule, const fs::path& dir, const std::string& vm_text) {
    auto profiles = test::test_profiles();
    Vm vm = load_vm_text(vm_text, "vm.yaml", profiles);
    Host host = read_host(HostRoot::under(test::source_dir() + "/tests/data/hosts/two-t10"));
    host.root.files = dir.string();
    PciNames names;
    for (const auto& f : check_host(host, vm, names))
        if (f.rule == rule) return f;
    return {CheckStatus::Info, "none", "", ""};
}

HostFinding ovmf_finding(const fs::path& dir, const std::string& vm_text) { return finding_of("ovmf", dir, vm_text); }

void write(const fs::path& path, const std::string& text) {
    fs::create_directories(path.parent_path());
    std::ofstream(path) << text;
}

}  // namespace

TEST_CASE("OVMF: QEMU's firmware descriptors for autoselection, each distribution's package in the fix") {
    const std::string two_t10 = test::source_dir() + "/tests/data/hosts/two-t10";
    // Debian 12 (two-t10): the Secure Boot descriptor names OVMF_CODE_4M.ms.fd, which is missing.
    HostFinding secure = ovmf_finding(two_t10, "name: w\nostype: win11\n");
    CHECK(secure.status == CheckStatus::Fail);
    CHECK(secure.message ==
          "no QEMU firmware descriptor in /etc/qemu/firmware or /usr/share/qemu/firmware offers UEFI "
          "with Secure Boot and enrolled keys for q35 (2 read; /usr/share/qemu/firmware/"
          "40-edk2-x86_64-secure-enrolled.json names /usr/share/OVMF/OVMF_CODE_4M.ms.fd, which is missing); "
          "libvirt's autoselection will fail");
    CHECK(secure.fix == "install OVMF on Debian/Ubuntu: `apt-get install ovmf`");
    // Explicit files (autoselection off) are looked up as given.
    HostFinding given = ovmf_finding(two_t10, "name: w\nfirmware:\n  autoselect: false\n");
    CHECK(given.status == CheckStatus::Pass);
    CHECK(given.message ==
          "OVMF present for libvirt: /usr/share/OVMF/OVMF_CODE_4M.fd, /usr/share/OVMF/OVMF_VARS_4M.fd");

    fs::path dir = fs::temp_directory_path() / ("vfiogen-ovmf-" + std::to_string(::getpid()));
    SUBCASE("Fedora: edk2-ovmf, and Debian's paths from a VM file are not there") {
        write(dir / "etc/os-release", "NAME=\"Fedora Linux\"\nID=fedora\n");
        HostFinding f = ovmf_finding(dir, "name: w\n");
        CHECK(f.message ==
              "no QEMU firmware descriptor in /etc/qemu/firmware or /usr/share/qemu/firmware offers UEFI "
              "without Secure Boot for q35 (0 read); libvirt's autoselection will fail");
        CHECK(f.fix == "install OVMF on Fedora/RHEL: `dnf install edk2-ovmf`");
        // edk2-ovmf installed, with its descriptor under /usr/share/qemu/firmware.
        write(dir / "usr/share/edk2/ovmf/OVMF_CODE.fd", "x");
        write(
            dir / "usr/share/qemu/firmware/50-edk2-ovmf-x64-nosb.json",
            R"({"interface-types": ["uefi"], "mapping": {"device": "flash", "executable": {"filename": )"
            R"("/usr/share/edk2/ovmf/OVMF_CODE.fd", "format": "raw"}}, "targets": [{"architecture": "x86_64", )"
            R"("machines": ["pc-q35-*"]}], "features": ["acpi-s3"]})");
        CHECK(ovmf_finding(dir, "name: w\n").message ==
              "firmware autoselection finds UEFI without Secure Boot for q35: "
              "/usr/share/qemu/firmware/50-edk2-ovmf-x64-nosb.json (/usr/share/edk2/ovmf/OVMF_CODE.fd)");
        HostFinding debian_paths =
            ovmf_finding(dir, "name: w\nfirmware:\n  loader: /usr/share/OVMF/OVMF_CODE_4M.fd\n");
        CHECK(debian_paths.message ==
              "OVMF files missing: /usr/share/OVMF/OVMF_CODE_4M.fd, /usr/share/OVMF/OVMF_VARS_4M.fd");
        CHECK(debian_paths.fix ==
              "install OVMF on Fedora/RHEL: `dnf install edk2-ovmf` (its files are in "
              "/usr/share/edk2/ovmf/), or drop firmware.loader and firmware.nvram_template: "
              "autoselection would use /usr/share/edk2/ovmf/OVMF_CODE.fd");
    }
    SUBCASE("Arch: edk2-ovmf in /usr/share/edk2/x64") {
        write(dir / "etc/os-release", "NAME=\"Arch Linux\"\nID=arch\n");
        HostFinding f = ovmf_finding(dir, "name: w\nfirmware:\n  autoselect: false\n");
        CHECK(f.fix ==
              "install OVMF on Arch: `pacman -S edk2-ovmf` (its files are in /usr/share/edk2/x64/), or set "
              "firmware.loader and firmware.nvram_template to the host's files");
    }
    SUBCASE("Proxmox VE: pve-edk2-firmware, secboot code on q35 and the Microsoft VARS for Secure Boot") {
        write(dir / "usr/share/pve-edk2-firmware/OVMF_CODE_4M.secboot.fd", "x");
        HostFinding f = ovmf_finding(dir, "name: w\nostype: win11\n");
        CHECK(f.message == "OVMF files missing for PVE: /usr/share/pve-edk2-firmware/OVMF_VARS_4M.ms.fd");
        CHECK(f.fix == "install PVE's OVMF: `apt-get install pve-edk2-firmware`");
        write(dir / "usr/share/pve-edk2-firmware/OVMF_VARS_4M.ms.fd", "x");
        CHECK(ovmf_finding(dir, "name: w\nostype: win11\n").status == CheckStatus::Pass);
    }
    SUBCASE("unknown distribution; descriptors that are not JSON or have other types are skipped") {
        write(dir / "usr/share/qemu/firmware/10-broken.json", "{not json");
        write(dir / "usr/share/qemu/firmware/20-types.json",
              R"({"interface-types": "uefi", "mapping": "flash", "targets": [{"architecture": 64}]})");
        write(dir / "usr/share/qemu/firmware/30-array.json", "[1, 2]");
        HostFinding f = ovmf_finding(dir, "name: w\n");
        CHECK(f.message ==
              "no QEMU firmware descriptor in /etc/qemu/firmware or /usr/share/qemu/firmware offers UEFI "
              "without Secure Boot for q35 (0 read); libvirt's autoselection will fail");
        CHECK(f.fix ==
              "install OVMF: `apt-get install ovmf` (Debian/Ubuntu), `dnf install edk2-ovmf` (Fedora/RHEL), "
              "`pacman -S edk2-ovmf` (Arch), `apt-get install pve-edk2-firmware` (Proxmox VE)");
    }
    fs::remove_all(dir);
}

TEST_CASE("a TPM needs swtpm on the host") {
    fs::path dir = fs::temp_directory_path() / ("vfiogen-tpm-" + std::to_string(::getpid()));
    auto tpm_finding = [&](const std::string& vm_text) { return finding_of("tpm", dir, vm_text); };
    write(dir / "etc/os-release", "ID=fedora\n");
    HostFinding missing = tpm_finding("name: w\nostype: win11\n");
    CHECK(missing.status == CheckStatus::Fail);
    CHECK(missing.message == "the VM has a TPM (tpm, or ostype win11) but swtpm is not installed");
    CHECK(missing.fix == "install it: `dnf install swtpm swtpm-tools`");
    write(dir / "usr/bin/swtpm", "x");
    CHECK(tpm_finding("name: w\ntpm: true\n").message == "swtpm for the emulated TPM 2.0: /usr/bin/swtpm");
    CHECK(tpm_finding("name: w\nostype: win10\n").rule == "none");  // no TPM, no finding
    fs::remove_all(dir);
}

TEST_CASE("SR-IOV: a passed VF names its PF; a VF not enabled yet says how to enable it") {
    auto profiles = test::test_profiles();
    auto vm_on = [&](const char* address) {
        return load_vm_text(std::string("name: vf\nvmid: 100\nmachine:\n  type: q35\npassthrough:\n  - profile: test-igd-vf\n"
                                        "    functions:\n      - {role: gpu, host: \"") + address + "\"}\n",
                            "vm.yaml", profiles);
    };
    Host host = read_host(HostRoot::under(test::source_dir() + "/tests/data/hosts/intel-adl-sriov"));
    PciNames names;
    auto findings = check_host(host, vm_on("00:02.1"), names);
    CHECK(find(findings, CheckStatus::Pass, "sriov-vf").message ==
          "0000:00:02.1 (gpu of test-igd-vf): an SR-IOV VF of 0000:00:02.0 (i915); it exists while that driver keeps 7 "
          "VFs enabled, so the PF stays with the host");
    CHECK(find(findings, CheckStatus::Pass, "iommu-group").message.find("IOMMU group 21 (0000:00:02.1)") == 0);

    // Only 2 VFs enabled: 00:02.5 does not exist yet, and the fix says how to make it.
    host.devices.erase(std::remove_if(host.devices.begin(), host.devices.end(),
                                      [](const HostDevice& d) { return d.physfn && *d.address.function > 2; }),
                       host.devices.end());
    for (auto& d : host.devices)
        if (d.sriov_totalvfs) d.sriov_numvfs = 2;
    auto without = check_host(host, vm_on("00:02.5"), names);
    // The kernel refuses a new count while VFs are enabled: 0 first.
    CHECK(find(without, CheckStatus::Fail, "function-present").fix ==
          "it is VF 5 of the SR-IOV PF 0000:00:02.0 (2 of 7 VFs enabled): enable them with `echo 0 > "
          "/sys/bus/pci/devices/0000:00:02.0/sriov_numvfs; echo 5 > /sys/bus/pci/devices/0000:00:02.0/sriov_numvfs` "
          "once the PF's driver (i915) has loaded, and at every boot (sysfsutils' /etc/sysfs.conf or a udev rule); "
          "writing 0 removes the 2 VFs there are now: shut down the VMs that use them first");
    // None enabled: nothing to remove first.
    host.devices.erase(std::remove_if(host.devices.begin(), host.devices.end(), [](const HostDevice& d) { return d.physfn.has_value(); }),
                       host.devices.end());
    for (auto& d : host.devices)
        if (d.sriov_totalvfs) d.sriov_numvfs = 0;
    auto none = check_host(host, vm_on("00:02.1"), names);
    CHECK(find(none, CheckStatus::Fail, "function-present").fix ==
          "it is VF 1 of the SR-IOV PF 0000:00:02.0 (0 of 7 VFs enabled): enable them with `echo 1 > "
          "/sys/bus/pci/devices/0000:00:02.0/sriov_numvfs` once the PF's driver (i915) has loaded, and at every boot "
          "(sysfsutils' /etc/sysfs.conf or a udev rule)");
    // A VF number above what the PF offers.
    for (auto& d : host.devices)
        if (d.sriov_totalvfs) d.sriov_totalvfs = 4;
    auto above = check_host(host, vm_on("00:02.5"), names);
    CHECK(find(above, CheckStatus::Fail, "function-present").fix ==
          "the SR-IOV PF 0000:00:02.0 offers at most 4 VFs (sriov_totalvfs), so there is no VF 5: correct the address at "
          "vm.yaml:8:27");
    // No SR-IOV in the slot: the usual advice.
    Host plain = read_host(HostRoot::under(test::source_dir() + "/tests/data/hosts/intel-adl"));
    auto plain_findings = check_host(plain, vm_on("00:02.5"), names);
    CHECK(find(plain_findings, CheckStatus::Fail, "function-present").fix ==
          "correct the address at vm.yaml:8:27 (`vfiogen host scan` lists the host's GPUs)");
}

TEST_CASE("GVT-g (seed 001): the iGPU stays with i915, and mdev-type says what libvirt or PVE still needs") {
    auto findings = check("intel-cfl-gvtg", "examples/libvirt-intel-gvtg.yaml");
    for (const auto& f : findings) {
        CAPTURE(f.message);
        CHECK(check_rule(f.rule).scope == RuleScope::Host);
    }
    // No vfio-pci claim, boot VGA, reset or group advice for a function that stays with the host.
    CHECK(problems(findings) == std::vector<std::string>{"INFO cmdline-iommu-pt", "WARN mdev-type"});
    const HostFinding& warn = find(findings, CheckStatus::Warn, "mdev-type");
    CHECK(warn.message ==
          "0000:00:02.0 (igd of intel-uhd630-gvtg): offers i915-GVTg_V5_4 (1 more available), but the instance "
          "ceb56547-d6da-5fac-b257-a755270359c2 the domain names does not exist yet: libvirt does not create it");
    CHECK(warn.fix ==
          "run `mdevctl define --uuid ceb56547-d6da-5fac-b257-a755270359c2 --parent 0000:00:02.0 --type i915-GVTg_V5_4 "
          "--auto` (package mdevctl) and `mdevctl start --uuid ceb56547-d6da-5fac-b257-a755270359c2`");

    auto [vm, host] = test::host_case("intel-cfl-gvtg", "examples/libvirt-intel-gvtg.yaml");
    PciNames names;
    MdevType& type = host.devices[1].mdev_types[0];
    REQUIRE(type.type == "i915-GVTg_V5_4");
    // The instance exists (mdevctl started it): libvirt can start the domain.
    type.instances = {"ceb56547-d6da-5fac-b257-a755270359c2"};
    type.available = 0;
    CHECK(find(check_host(host, vm, names), CheckStatus::Pass, "mdev-type").message ==
          "0000:00:02.0 (igd of intel-uhd630-gvtg): the i915-GVTg_V5_4 instance ceb56547-d6da-5fac-b257-a755270359c2 "
          "the domain names exists");
    // Another VM holds the only one.
    type.instances = {"11111111-2222-5333-8444-555555555555"};
    CHECK(find(check_host(host, vm, names), CheckStatus::Fail, "mdev-type").fix ==
          "remove an unused i915-GVTg_V5_4 instance (`mdevctl list`), or pick a type with instances left");
    // On PVE (a tree with pve-edk2-firmware) qemu-server creates the instance at VM start.
    type.available = 1;
    host.root = HostRoot::under(test::source_dir() + "/tests/data/hosts/intel-adl");
    CHECK(find(check_host(host, vm, names), CheckStatus::Pass, "mdev-type").message ==
          "0000:00:02.0 (igd of intel-uhd630-gvtg): offers i915-GVTg_V5_4 (1 more available); qemu-server creates the "
          "instance at VM start");
    type.available = 0;
    CHECK(find(check_host(host, vm, names), CheckStatus::Fail, "mdev-type").message ==
          "0000:00:02.0 (igd of intel-uhd630-gvtg): offers i915-GVTg_V5_4 (0 more available): qemu-server cannot create "
          "the instance at VM start");

    // A type the iGPU does not offer: did-you-mean from those it does.
    host.devices[1].mdev_types[0].type = "i915-GVTg_V5_2";
    auto misspelt = check_host(host, vm, names);
    CHECK(find(misspelt, CheckStatus::Fail, "mdev-type").message ==
          "0000:00:02.0 (igd of intel-uhd630-gvtg): offers no mdev type 'i915-GVTg_V5_4' (did you mean "
          "'i915-GVTg_V5_2'?); it offers i915-GVTg_V5_2, i915-GVTg_V5_8");
}

TEST_CASE("GVT-g not set up: no mdev types, and the fix names i915.enable_gvt=1, kvmgt and vfio-pci's claim") {
    auto [vm, host] = test::host_case("intel-cfl-gvtg", "examples/libvirt-intel-gvtg.yaml");
    host.devices[1].mdev_types.clear();
    host.devices[1].driver = "vfio-pci";
    host.cmdline.pop_back();  // i915.enable_gvt=1
    host.modules.erase("kvmgt");
    PciNames names;
    auto findings = check_host(host, vm, names);
    const HostFinding& fail = find(findings, CheckStatus::Fail, "mdev-type");
    CHECK(fail.message ==
          "0000:00:02.0 (igd of intel-uhd630-gvtg): offers no mediated device types (no mdev_supported_types; driver vfio-pci)");
    CHECK(fail.fix ==
          "GVT-g needs the iGPU on i915, not vfio-pci: drop it from /etc/modprobe.d/vfio.conf, rebuild the initramfs; "
          "add i915.enable_gvt=1 to GRUB_CMDLINE_LINUX_DEFAULT in /etc/default/grub, then run `update-grub` and reboot; "
          "load kvmgt at boot (add it to /etc/modules-load.d/vfio.conf); GVT-g covers 5th to 10th gen iGPUs only "
          "(`vfiogen host config` writes the set-up)");
}

TEST_CASE("SR-IOV example (seed 001): a VF on its host driver passes, and no fix claims it at boot") {
    auto [vm, host] = test::host_case("intel-adl-sriov", "examples/pve-intel-sriov-vf.yaml");
    for (auto& d : host.devices)
        if (d.physfn) d.driver = "i915";
    PciNames names;
    auto findings = check_host(host, vm, names);
    CHECK(find(findings, CheckStatus::Pass, "host-driver").message ==
          "0000:00:02.1 (igd of intel-uhd730-sriov-vf): a VF on i915; PVE binds vfio-pci at VM start, libvirt too for "
          "managed='yes' hostdevs");
    CHECK(problems(findings) == std::vector<std::string>{"INFO cmdline-iommu-pt", "FAIL tpm"});  // the fixture has no swtpm
}
