// `host config` on the fixture hosts: the files and commands, exactly.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "host/host_config.h"
#include "test_helpers.h"

using namespace vfiogen;

namespace {

std::string file_text(const HostConfig& c, const std::string& path) {
    for (const auto& f : c.files)
        if (f.path == path) return f.text;
    return "(no " + path + ")";
}

}  // namespace

TEST_CASE("GT 1030 on PVE 7 (seed 000): ids, softdeps for nouveau/nvidia/snd_hda_intel, vfio_virqfd before 6.2") {
    test::HostCase c = test::host_case("gt1030", "examples/pve-nvidia-gt1030.yaml");
    HostConfig config = host_config(c.vm, c.host, Distro::Proxmox, default_boot(Distro::Proxmox, c.host));
    CHECK(config.cmdline == std::vector<std::string>{"intel_iommu=on", "iommu=pt", "initcall_blacklist=sysfb_init"});
    CHECK(file_text(config, "/etc/modprobe.d/vfio.conf") ==
          "# Written by vfiogen host config for VM 'win10-gt1030': claim its functions for vfio-pci at boot.\n"
          "options vfio-pci ids=10de:1d01,10de:0fb8 disable_vga=1\n"
          "# Load vfio-pci before the host drivers these functions would otherwise get.\n"
          "softdep nouveau pre: vfio-pci\n"
          "softdep nvidia pre: vfio-pci\n"
          "softdep snd_hda_intel pre: vfio-pci\n");
    CHECK(file_text(config, "/etc/modules-load.d/vfio.conf") ==
          "# Written by vfiogen host config: load VFIO at boot.\nvfio\nvfio_iommu_type1\nvfio_pci\n"
          "# Kernel 5.15.108-1-pve: vfio_virqfd is separate before 6.2.\nvfio_virqfd\n");
    CHECK(file_text(config, "/etc/default/grub.d/vfio.cfg") ==
          "# Written by vfiogen host config: read by update-grub after /etc/default/grub.\n"
          "GRUB_CMDLINE_LINUX_DEFAULT=\"$GRUB_CMDLINE_LINUX_DEFAULT intel_iommu=on iommu=pt initcall_blacklist=sysfb_init\"\n");
    CHECK(config.commands == std::vector<std::string>{"update-grub", "update-initramfs -u -k all", "reboot"});
    CHECK(config.warnings.empty());
}

TEST_CASE("Intel 12th gen on kernel 6.2 (seed 003): no vfio_virqfd; i915 softdep although the iGPU is on vfio-pci already") {
    test::HostCase c = test::host_case("intel-adl", "examples/pve-intel-igd-gen12.yaml");
    HostConfig config = host_config(c.vm, c.host, Distro::Proxmox, Boot::Grub);
    CHECK(file_text(config, "/etc/modules-load.d/vfio.conf") ==
          "# Written by vfiogen host config: load VFIO at boot.\nvfio\nvfio_iommu_type1\nvfio_pci\n");
    CHECK(file_text(config, "/etc/modprobe.d/vfio.conf") ==
          "# Written by vfiogen host config for VM 'windows': claim its functions for vfio-pci at boot.\n"
          "options vfio-pci ids=8086:4692,8086:7ad0 disable_vga=1\n"
          "# Load vfio-pci before the host drivers these functions would otherwise get.\n"
          "softdep i915 pre: vfio-pci\n"
          "softdep snd_hda_intel pre: vfio-pci\n");
}

TEST_CASE("AMD 5700U (seed 003): no intel_iommu, amdgpu softdep; systemd-boot appends to /etc/kernel/cmdline") {
    test::HostCase c = test::host_case("amd-5700u", "examples/pve-amd-igpu-5700u.yaml");
    HostConfig config = host_config(c.vm, c.host, Distro::Proxmox, Boot::SystemdBoot);
    CHECK(config.cmdline == std::vector<std::string>{"iommu=pt", "initcall_blacklist=sysfb_init"});
    CHECK(file_text(config, "/etc/modprobe.d/vfio.conf").find("softdep amdgpu pre: vfio-pci\nsoftdep snd_hda_intel pre: vfio-pci\n") !=
          std::string::npos);
    CHECK(file_text(config, "/etc/kernel/cmdline") == "root=ZFS=rpool/ROOT/pve-1 boot=zfs iommu=pt initcall_blacklist=sysfb_init\n");
    CHECK(config.commands == std::vector<std::string>{"proxmox-boot-tool refresh", "update-initramfs -u -k all", "reboot"});
    CHECK(default_boot(Distro::Proxmox, c.host) == Boot::SystemdBoot);
    CHECK(default_boot(Distro::Debian, c.host) == Boot::Grub);
}

TEST_CASE("two identical Tesla T10 (seed 004): ids= would take the host's card too, so driver_override") {
    test::HostCase c = test::host_case("two-t10", "tests/data/vms/two-t10.yaml");
    HostConfig config = host_config(c.vm, c.host, Distro::Arch, Boot::Grub);
    CHECK(config.warnings == std::vector<std::string>{
                                 "ids=10de:1e37 would also claim 0000:3b:00.0 (nvidia), which the VM does not pass: "
                                 "vfio.conf claims the VM's functions by address with driver_override instead"});
    CHECK(file_text(config, "/etc/modprobe.d/vfio.conf") ==
          "# Written by vfiogen host config for VM 'debian-t10': claim its functions for vfio-pci at boot.\n"
          "# ids= would also claim 0000:3b:00.0, which the host keeps: set driver_override\n"
          "# for the VM's functions only, when vfio-pci is loaded.\n"
          "install vfio-pci for d in 0000:d8:00.0; do echo vfio-pci > /sys/bus/pci/devices/$d/driver_override; done; "
          "/sbin/modprobe --ignore-install vfio-pci $CMDLINE_OPTS\n"
          "# Load vfio-pci before the host drivers these functions would otherwise get.\n"
          "softdep nouveau pre: vfio-pci\n"
          "softdep nvidia pre: vfio-pci\n");
    CHECK(file_text(config, "/etc/mkinitcpio.conf.d/vfio.conf") ==
          "# Written by vfiogen host config: VFIO in the initramfs (HOOKS must keep modconf).\n"
          "MODULES+=(vfio_pci vfio vfio_iommu_type1)\n");
    CHECK(config.commands == std::vector<std::string>{"grub-mkconfig -o /boot/grub/grub.cfg", "mkinitcpio -P", "reboot"});
}

TEST_CASE("HD 630 with the IOMMU off on Fedora (seed 002): grubby and dracut") {
    test::HostCase c = test::host_case("iommu-off", "examples/libvirt-intel-hd630.yaml");
    HostConfig config = host_config(c.vm, c.host, Distro::Fedora, Boot::Grub);
    CHECK(config.cmdline == std::vector<std::string>{"intel_iommu=on", "iommu=pt", "initcall_blacklist=sysfb_init"});
    CHECK(file_text(config, "/etc/modprobe.d/vfio.conf").find("options vfio-pci ids=8086:5912,8086:a170 disable_vga=1\n") !=
          std::string::npos);
    CHECK(file_text(config, "/etc/dracut.conf.d/vfio.conf") ==
          "# Written by vfiogen host config: VFIO in the initramfs.\nforce_drivers+=\" vfio_pci vfio vfio_iommu_type1 \"\n");
    CHECK(config.commands ==
          std::vector<std::string>{"grubby --update-kernel=ALL --args=\"intel_iommu=on iommu=pt initcall_blacklist=sysfb_init\"",
                                   "grub2-mkconfig -o /boot/grub2/grub.cfg", "dracut -f --regenerate-all", "reboot"});
}

TEST_CASE("systemd-boot: parameters go to the first line of /etc/kernel/cmdline, later lines are kept") {
    test::HostCase c = test::host_case("amd-5700u", "examples/pve-amd-igpu-5700u.yaml");
    std::string dir = std::filesystem::temp_directory_path() / ("vfiogen-cmdline-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir + "/etc/kernel");
    c.host.root.files = dir;
    auto with_cmdline = [&](const std::string& text) {
        std::ofstream(dir + "/etc/kernel/cmdline", std::ios::binary) << text;
        return host_config(c.vm, c.host, Distro::Proxmox, Boot::SystemdBoot);
    };
    HostConfig config = with_cmdline("root=ZFS=rpool/ROOT/pve-1 boot=zfs\nquiet\n# a note\n");
    CHECK(file_text(config, "/etc/kernel/cmdline") ==
          "root=ZFS=rpool/ROOT/pve-1 boot=zfs iommu=pt initcall_blacklist=sysfb_init\nquiet\n# a note\n");
    // Whole words: amd_iommu=pt does not hold iommu=pt; a parameter already there is not repeated.
    config = with_cmdline("root=/dev/sda1 amd_iommu=pt initcall_blacklist=sysfb_init");
    CHECK(file_text(config, "/etc/kernel/cmdline") == "root=/dev/sda1 amd_iommu=pt initcall_blacklist=sysfb_init iommu=pt\n");
    CHECK(config.warnings.empty());
    config = with_cmdline("root=/dev/sda1 iommu=off\n");
    CHECK(file_text(config, "/etc/kernel/cmdline") == "root=/dev/sda1 iommu=off iommu=pt initcall_blacklist=sysfb_init\n");
    CHECK(config.warnings ==
          std::vector<std::string>{"/etc/kernel/cmdline already sets iommu=off: iommu=pt is added after it; remove iommu=off unless both are meant"});
    // A host tree's cmdline with any control character (CR, ESC, NUL, DEL, ...) is refused, not copied.
    for (int byte = 0; byte < 0x80; ++byte) {
        if (byte >= 0x20 && byte != 0x7f) continue;
        if (byte == '\n' || byte == '\t') continue;
        CAPTURE(byte);
        std::string hostile = "root=/dev/sda1 quiet";
        hostile.insert(hostile.begin() + 5, static_cast<char>(byte));
        std::string error = test::input_error_text([&] { with_cmdline(hostile + "\n"); });
        CHECK(error.find(dir + "/etc/kernel/cmdline: error: ") == 0);
        CHECK(error.find("holds a control character") != std::string::npos);
    }
    std::filesystem::remove_all(dir);
}

TEST_CASE("Looking Glass: the tmpfiles.d rule for the shared memory file, by target; kvmfr's module files") {
    test::HostCase c = test::host_case("gt1030", "examples/libvirt-looking-glass-win11.yaml");
    HostConfig libvirt = host_config(c.vm, c.host, Distro::Debian, Boot::Grub);
    CHECK(file_text(libvirt, "/etc/tmpfiles.d/10-looking-glass.conf") ==
          "# Written by vfiogen host config for VM 'win11-lg': the Looking Glass shared memory file.\n"
          "# Type Path Mode User Group Age\n"
          "f /dev/shm/looking-glass 0660 alice kvm -\n");
    CHECK(std::count(libvirt.commands.begin(), libvirt.commands.end(),
                     "systemd-tmpfiles --create /etc/tmpfiles.d/10-looking-glass.conf") == 1);
    CHECK(libvirt.commands.back() == "reboot");

    // PVE: qemu-server's file name, and the warning that PVE deletes it at every stop.
    HostConfig pve = host_config(c.vm, c.host, Distro::Proxmox, Boot::Grub);
    CHECK(file_text(pve, "/etc/tmpfiles.d/10-looking-glass.conf")
              .find("f /dev/shm/pve-shm-looking-glass 0660 alice kvm -\n") != std::string::npos);
    CHECK(pve.warnings.back() ==
          "PVE deletes /dev/shm/pve-shm-looking-glass when the VM stops: run `systemd-tmpfiles --create "
          "/etc/tmpfiles.d/10-looking-glass.conf` before each start (a hookscript's pre-start phase can: qm "
          "set 170 "
          "--hookscript local:snippets/SCRIPT)");

    // kvmfr: module options with the VM's size, loaded at boot, /dev/kvmfr0 for the user.
    c.vm.looking_glass->kvmfr = true;
    HostConfig kvmfr = host_config(c.vm, c.host, Distro::Debian, Boot::Grub);
    CHECK(
        file_text(kvmfr, "/etc/modprobe.d/kvmfr.conf") ==
        "# Written by vfiogen host config for VM 'win11-lg': one kvmfr device of 64 MiB for Looking Glass.\n"
        "options kvmfr static_size_mb=64\n");
    CHECK(file_text(kvmfr, "/etc/modules-load.d/kvmfr.conf") ==
          "# Written by vfiogen host config: the Looking Glass kvmfr module.\nkvmfr\n");
    CHECK(file_text(kvmfr, "/etc/udev/rules.d/99-kvmfr.rules") ==
          "# Written by vfiogen host config: /dev/kvmfr0 for the Looking Glass client.\n"
          "SUBSYSTEM==\"kvmfr\", OWNER=\"alice\", GROUP=\"kvm\", MODE=\"0660\"\n");
    CHECK(file_text(kvmfr, "/etc/tmpfiles.d/10-looking-glass.conf") ==
          "(no /etc/tmpfiles.d/10-looking-glass.conf)");

    // No user: no rule that would hand the file to nobody in particular, and a warning saying why.
    c.vm.looking_glass->kvmfr = false;
    c.vm.looking_glass->user.clear();
    HostConfig nouser = host_config(c.vm, c.host, Distro::Debian, Boot::Grub);
    CHECK(file_text(nouser, "/etc/tmpfiles.d/10-looking-glass.conf") ==
          "(no /etc/tmpfiles.d/10-looking-glass.conf)");
    CHECK(nouser.warnings.back() ==
          "looking_glass.user is not set: /dev/shm/looking-glass stays QEMU's, so the Looking Glass client "
          "cannot "
          "open it; set looking_glass.user to the user who runs it");
}

TEST_CASE("several VMs on one host: one vfio.conf claims all their functions and names them all") {
    auto profiles = test::test_profiles();
    std::vector<Vm> vms = {load_vm(test::source_dir() + "/examples/pve-nvidia-gt1030.yaml", profiles),
                           load_vm(test::source_dir() + "/tests/data/vms/two-t10.yaml", profiles)};
    Host host = read_host(HostRoot::under(test::source_dir() + "/tests/data/hosts/two-t10"));
    HostConfig config = host_config(vms, host, Distro::Debian, Boot::Grub);
    // 3b:00.0 (the host's T10) shares 10de:1e37 with the VM's d8:00.0: by address, for both VMs.
    std::string vfio = file_text(config, "/etc/modprobe.d/vfio.conf");
    CHECK(vfio.rfind("# Written by vfiogen host config for VMs 'win10-gt1030', 'debian-t10': claim their functions "
                     "for vfio-pci at boot.\n", 0) == 0);
    CHECK(vfio.find("install vfio-pci for d in 0000:01:00.0 0000:01:00.1 0000:d8:00.0; do") != std::string::npos);
    CHECK(vms_claimed_in(vfio) == std::vector<std::string>{"win10-gt1030", "debian-t10"});
    CHECK(vms_claimed_in(file_text(host_config(vms[0], host, Distro::Debian, Boot::Grub), "/etc/modprobe.d/vfio.conf")) ==
          std::vector<std::string>{"win10-gt1030"});
    CHECK(vms_claimed_in("options vfio-pci ids=10de:1d01\n").empty());  // hand-written
    CHECK(vms_claimed_in("# Written by vfiogen host config: load VFIO at boot.\nvfio\n").empty());
    CHECK(vms_label(vms) == "VMs 'win10-gt1030', 'debian-t10'");
}

TEST_CASE("several VMs with Looking Glass: one tmpfiles.d rule when they agree, an error when they do not") {
    auto profiles = test::test_profiles();
    Vm a = load_vm(test::source_dir() + "/examples/libvirt-looking-glass-win11.yaml", profiles);
    Vm b = a;
    b.name = "second";
    b.file = "second.yaml";
    Host host = read_host(HostRoot::under(test::source_dir() + "/tests/data/hosts/gt1030"));
    HostConfig config = host_config(std::vector<Vm>{a, b}, host, Distro::Debian, Boot::Grub);
    CHECK(std::count_if(config.files.begin(), config.files.end(),
                        [](const ConfigFile& f) { return f.path == "/etc/tmpfiles.d/10-looking-glass.conf"; }) == 1);
    b.looking_glass->user = "bob";
    CHECK(test::input_error_text([&] { host_config(std::vector<Vm>{a, b}, host, Distro::Debian, Boot::Grub); }) ==
          "second.yaml: error: VM 'second' needs another /etc/tmpfiles.d/10-looking-glass.conf than a VM before it on "
          "the command line: run host config for one of them");
}

TEST_CASE("GVT-g (seed 001): the iGPU is not claimed; i915.enable_gvt=1 and kvmgt; mdevctl off PVE only") {
    test::HostCase c = test::host_case("intel-cfl-gvtg", "examples/libvirt-intel-gvtg.yaml");
    HostConfig config = host_config(c.vm, c.host, Distro::Debian, Boot::Grub);
    // The iGPU is the boot VGA, but it stays with the host: no sysfb_init blacklist, no vfio.conf.
    CHECK(config.cmdline == std::vector<std::string>{"intel_iommu=on", "iommu=pt", "i915.enable_gvt=1"});
    CHECK(file_text(config, "/etc/modprobe.d/vfio.conf") == "(no /etc/modprobe.d/vfio.conf)");
    CHECK(file_text(config, "/etc/modules-load.d/vfio.conf") ==
          "# Written by vfiogen host config: load VFIO at boot.\nvfio\nvfio_iommu_type1\nvfio_pci\n"
          "# Kernel 6.1.0-28-amd64: vfio_virqfd is separate before 6.2.\nvfio_virqfd\n"
          "# Intel GVT-g: kvmgt makes i915 (booted with i915.enable_gvt=1) offer mdev types.\nkvmgt\n");
    CHECK(config.commands ==
          std::vector<std::string>{"update-grub", "update-initramfs -u -k all",
                                   "mdevctl define --uuid ceb56547-d6da-5fac-b257-a755270359c2 --parent 0000:00:02.0 "
                                   "--type i915-GVTg_V5_4 --auto",
                                   "reboot"});
    CHECK(config.warnings == std::vector<std::string>{
                                 "mdevctl define needs mdevctl (the package of that name on Debian, Fedora and Arch); the "
                                 "instance starts at the next boot, or now with `mdevctl start --uuid "
                                 "ceb56547-d6da-5fac-b257-a755270359c2`"});
    // qemu-server creates and removes the instance itself.
    HostConfig pve = host_config(c.vm, c.host, Distro::Proxmox, Boot::Grub);
    CHECK(pve.commands == std::vector<std::string>{"update-grub", "update-initramfs -u -k all", "reboot"});
    CHECK(pve.warnings.empty());
}

TEST_CASE("SR-IOV (seed 001): a VF is not claimed at boot; a udev rule enables the PF's VFs when i915 binds") {
    test::HostCase c = test::host_case("intel-adl-sriov", "examples/pve-intel-sriov-vf.yaml");
    HostConfig config = host_config(c.vm, c.host, Distro::Proxmox, Boot::Grub);
    // ids=8086:4692 would take the PF too, and the VF does not exist when modprobe runs.
    CHECK(file_text(config, "/etc/modprobe.d/vfio.conf") == "(no /etc/modprobe.d/vfio.conf)");
    CHECK(file_text(config, "/etc/udev/rules.d/70-vfiogen-sriov.rules") ==
          "# Written by vfiogen host config for VM 'win11-sriov': enable the SR-IOV VFs passed through, once the PF's "
          "driver has bound.\n"
          "ACTION==\"bind\", SUBSYSTEM==\"pci\", KERNEL==\"0000:00:02.0\", DRIVER==\"i915\", ATTR{sriov_numvfs}=\"7\"\n");
    CHECK(config.cmdline == std::vector<std::string>{"intel_iommu=on", "iommu=pt"});  // VFs work already
    CHECK(config.warnings.empty());

    // No VFs enabled (stock i915 cannot): i915-sriov-dkms's parameters, and a warning naming it.
    for (auto& d : c.host.devices)
        if (d.sriov_totalvfs) d.sriov_numvfs = 0;
    c.host.devices.erase(std::remove_if(c.host.devices.begin(), c.host.devices.end(),
                                        [](const HostDevice& d) { return d.physfn.has_value(); }),
                         c.host.devices.end());
    HostConfig fresh = host_config(c.vm, c.host, Distro::Proxmox, Boot::Grub);
    CHECK(fresh.cmdline == std::vector<std::string>{"intel_iommu=on", "iommu=pt", "i915.enable_guc=3", "i915.max_vfs=7",
                                                    "module_blacklist=xe"});
    CHECK(file_text(fresh, "/etc/udev/rules.d/70-vfiogen-sriov.rules").find("ATTR{sriov_numvfs}=\"1\"") != std::string::npos);
    // A VF number past what the PF offers cannot be enabled at boot.
    Host four = c.host;
    for (auto& d : four.devices)
        if (d.sriov_totalvfs) d.sriov_totalvfs = 4;
    Vm fifth = c.vm;
    fifth.passthrough[0].functions[0].host = *parse_pci_address("0000:00:02.5", nullptr);
    CHECK(test::input_error_text([&] { host_config(fifth, four, Distro::Proxmox, Boot::Grub); }).find(
              "error: 0000:00:02.5 would be VF 5 of 0000:00:02.0, which offers at most 4 VFs (sriov_totalvfs)") != std::string::npos);
    REQUIRE(fresh.warnings.size() == 1);
    CHECK(fresh.warnings[0].find("0000:00:02.0 has no SR-IOV VFs enabled: an Intel iGPU (12th gen and later) needs the "
                                 "i915-sriov-dkms module") == 0);
}

TEST_CASE("choose_distro_and_boot: --distro and --boot as written, or the host tree's") {
    test::HostCase c = test::host_case("amd-5700u", "examples/pve-amd-igpu-5700u.yaml");
    CHECK(choose_distro_and_boot("", "", c.host) == std::pair{Distro::Proxmox, Boot::SystemdBoot});  // /etc/kernel/cmdline
    CHECK(choose_distro_and_boot("fedora", "grub", c.host) == std::pair{Distro::Fedora, Boot::Grub});
    auto usage = [&](const std::string& distro, const std::string& boot) {
        try {
            choose_distro_and_boot(distro, boot, c.host);
        } catch (const UsageError& e) {
            return std::string(e.what());
        }
        return std::string();
    };
    CHECK(usage("debain", "") == "unknown distro 'debain': use debian, proxmox, arch or fedora (did you mean 'debian'?)");
    CHECK(usage("", "grub2") == "unknown boot loader 'grub2': use grub or systemd-boot (did you mean 'grub'?)");
    test::HostCase unknown = test::host_case("gt1030", "examples/pve-nvidia-gt1030.yaml");
    unknown.host.root.files = "/nonexistent-vfiogen-root";
    std::string message;
    try {
        choose_distro_and_boot("", "", unknown.host);
    } catch (const UsageError& e) {
        message = e.what();
    }
    CHECK(message == "cannot tell the host's distribution from /nonexistent-vfiogen-root/etc/os-release: give --distro "
                     "debian, proxmox, arch or fedora");
}

TEST_CASE("write_host_config: every file under DIR, and no replacing another VM's vfio.conf without force") {
    namespace fs = std::filesystem;
    fs::path dir = fs::temp_directory_path() / ("vfiogen-hostcfg-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    test::HostCase gt = test::host_case("gt1030", "examples/pve-nvidia-gt1030.yaml");
    HostConfig config = host_config(gt.vm, gt.host, Distro::Proxmox, Boot::Grub);
    std::string done = write_host_config(config, {gt.vm}, dir.string(), false);
    const std::string vfio_conf = (dir / "etc/modprobe.d/vfio.conf").string();
    CHECK(done.rfind("wrote " + vfio_conf + "\n", 0) == 0);
    CHECK(done.find("\nKernel command line: add intel_iommu=on iommu=pt initcall_blacklist=sysfb_init\n") != std::string::npos);
    CHECK(done.find("\nThen run as root:\n  update-grub\n  update-initramfs -u -k all\n  reboot\n") != std::string::npos);
    CHECK(test::read_file((dir / "etc/modprobe.d/vfio.conf").string()) == file_text(config, "/etc/modprobe.d/vfio.conf"));
    CHECK(write_host_config(config, {gt.vm}, dir.string(), false).rfind("unchanged " + vfio_conf + "\n", 0) == 0);

    // Another VM alone would take win10-gt1030's claims away at the next boot.
    test::HostCase t10 = test::host_case("two-t10", "tests/data/vms/two-t10.yaml");
    HostConfig other = host_config(t10.vm, t10.host, Distro::Debian, Boot::Grub);
    std::string refused;
    try {
        write_host_config(other, {t10.vm}, dir.string(), false);
    } catch (const UsageError& e) {
        refused = e.what();
    }
    CHECK(refused.find("claims functions for VM 'win10-gt1030', which this run does not name") != std::string::npos);
    CHECK(test::read_file((dir / "etc/modprobe.d/vfio.conf").string()) == file_text(config, "/etc/modprobe.d/vfio.conf"));
    CHECK(write_host_config(other, {t10.vm}, dir.string(), true).rfind("replaced " + vfio_conf + "\n", 0) == 0);
    fs::remove_all(dir);
}
