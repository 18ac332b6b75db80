// libvirt's real QEMU driver, in-process (qemu:///embed?root=DIR): what libvirt would run for each
// example (virConnectDomainXMLToNative, nothing started), and one hostdev-less TCG domain really
// started and destroyed. Needs qemu-system-x86, ovmf and libvirt-daemon-driver-qemu (README).
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "app/render.h"
#include "libvirt/deploy.h"
#include "libvirt/libvirt_api.h"
#include "libvirt/preflight.h"
#include "test_helpers.h"

using namespace vfiogen;
namespace fs = std::filesystem;

namespace {

// A private root for the embedded driver: short (its UNIX socket paths must fit 108 bytes),
// world-readable (QEMU runs as libvirt-qemu when the tests run as root), and with
// stdio_handler = "file" so QEMU's output goes to a log file instead of virtlogd.
class EmbedRoot {
public:
    EmbedRoot() {
        char tmpl[] = "/tmp/vfg-XXXXXX";
        REQUIRE(::mkdtemp(tmpl) != nullptr);
        dir_ = tmpl;
        ::chmod(dir_.c_str(), 0755);
        fs::create_directories(dir_ + "/etc");
        std::ofstream(dir_ + "/etc/qemu.conf") << "stdio_handler = \"file\"\n";
    }
    ~EmbedRoot() {
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }
    std::string uri() const { return "qemu:///embed?root=" + dir_; }
    const std::string& dir() const { return dir_; }

  private:
    std::string dir_;
};

// One embedded driver for the whole file: starting it probes QEMU's capabilities (seconds).
EmbedRoot& embed_root() {
    static EmbedRoot root;
    return root;
}

LibvirtConnection& embedded() {
    static LibvirtConnection conn = LibvirtConnection::open(embed_root().uri(), false);
    return conn;
}

// The lines of a qemu-argv that matter for passthrough: -machine, the pflash -blockdev files
// and every vfio-pci -device, one per line, JSON quotes unwrapped.
std::string passthrough_argv(const std::string& argv) {
    std::istringstream in(argv);
    std::ostringstream out;
    std::string option, value;
    while (in >> option) {
        if (option != "-machine" && option != "-device" && option != "-blockdev" && option != "-object" &&
            option != "-tpmdev")
            continue;
        if (!(in >> value)) break;
        if (value.size() >= 2 && value.front() == '\'') value = value.substr(1, value.size() - 2);
        auto device_is = [&](const char* driver) {
            return option == "-device" &&
                   value.find(std::string("\"driver\":\"") + driver + "\"") != std::string::npos;
        };
        // The TPM's -tpmdev names a per-run socket path: keep its type only.
        if (option == "-tpmdev") value = value.substr(0, value.find(','));
        bool keep = option == "-machine" || option == "-tpmdev" || device_is("vfio-pci") ||
                    device_is("ivshmem-plain") || device_is("tpm-crb") ||
                    (option == "-object" && value.find("\"mem-path\":\"/dev/shm/") != std::string::npos) ||
                    (option == "-blockdev" && value.find("pflash") != std::string::npos &&
                     value.find("\"filename\"") != std::string::npos);
        // Files libvirt names itself (the NVRAM with autoselected firmware) live under the
        // temporary root: written as <embed-root> so the golden files stay the same.
        for (size_t at; (at = value.find(embed_root().dir())) != std::string::npos;)
            value.replace(at, embed_root().dir().size(), "<embed-root>");
        if (keep) out << option << " " << value << "\n";
    }
    return out.str();
}

// The domain type libvirt's QEMU driver offers here: "kvm" where /dev/kvm is usable, else "qemu"
// (TCG). libvirt refuses <domain type='kvm'> on a machine without KVM even for domxml-to-native,
// and the passthrough devices, machine and firmware in the argv are the same for both types.
const std::string& offered_virt_type() {
    static const std::string type = [] {
        try {
            embedded().domain_capabilities("", "kvm");
            return std::string("kvm");
        } catch (const LibvirtError& e) {
            std::cout << "no KVM on this machine (" << e.what() << "): converting the examples as type='qemu'\n";
            return std::string("qemu");
        }
    }();
    return type;
}


}  // namespace

TEST_SUITE("qemu-embed") {

TEST_CASE("every example becomes the vfio-pci devices, machine and firmware it asks for in QEMU's argv") {
    const std::string& virt_type = offered_virt_type();
    std::cout << "examples converted as <domain type='" << virt_type << "'>\n";
    // tests/without_kvm.sh runs this suite a second time with /dev/kvm hidden and says what it expects.
    if (const char* expected = std::getenv("VFIOGEN_EXPECT_VIRT_TYPE")) CHECK(virt_type == expected);
    for (const std::string& stem : test::example_stems()) {
        CAPTURE(stem);
        auto profiles = test::test_profiles();
        Vm vm = load_vm(test::source_dir() + "/examples/" + stem + ".yaml", profiles);
        // The seed's PVE 8 host has pc-i440fx-8.0; Debian 12's QEMU 7.2 stops at 7.2, and
        // libvirt refuses a machine its QEMU lacks, so the gen12 example is checked on 7.2.
        if (vm.machine_version == "8.0") vm.machine_version = "7.2";
        if (virt_type == "qemu") vm.accel = Accel::Tcg;
        std::string xml = render(vm, Target::Libvirt, TemplateSet()).text;
        std::string argv = embedded().domain_xml_to_native(xml);
        std::string golden = test::source_dir() + "/tests/golden/" + stem + ".qemu-argv";
        if (std::getenv("VFIOGEN_UPDATE_GOLDEN")) std::ofstream(golden) << passthrough_argv(argv);
        CHECK(passthrough_argv(argv) == test::read_file(golden));
    }
}

TEST_CASE("a hostdev-less TCG domain is defined, started, seen running and destroyed") {
    LibvirtConnection& conn = embedded();
    std::string xml = test::read_file(test::source_dir() + "/tests/data/libvirt/tcg-no-hostdev.xml");
    REQUIRE(xml.find("<hostdev") == std::string::npos);  // never start a hostdev on a real QEMU
    CHECK(conn.define(xml) == "vfiogen-tcg-smoke");
    conn.start("vfiogen-tcg-smoke");
    auto running = conn.lookup_domain("vfiogen-tcg-smoke");
    REQUIRE(running);
    CHECK(running->active);
    conn.destroy("vfiogen-tcg-smoke");
    CHECK_FALSE(conn.lookup_domain("vfiogen-tcg-smoke")->active);
    conn.undefine("vfiogen-tcg-smoke");
    CHECK_FALSE(conn.lookup_domain("vfiogen-tcg-smoke"));
}

TEST_CASE("preflight on the real QEMU driver refuses a machine type its QEMU lacks, at the VM file's line") {
    auto profiles = test::test_profiles();
    Vm vm = load_vm(test::source_dir() + "/examples/pve-intel-igd-gen12.yaml", profiles);  // pc-i440fx-8.0
    vm.accel = Accel::Tcg;  // whether this machine has usable KVM is not what this test is about
    std::string xml = render(vm, Target::Libvirt, TemplateSet()).text;
    std::ostringstream out, err;
    DeployOptions opts;
    opts.uri = embedded().uri();
    opts.dry_run = true;
    std::vector<Diagnostic> found;
    try {
        define_vm(vm, xml, opts, out, err);
    } catch (const InputErrors& e) {
        found = e.diagnostics();
    }
    std::string text;
    for (const auto& d : found) text += d.str() + "\n";
    std::string vm_file = vm.file, profile = test::source_dir() + "/profiles/intel-igd-gen12.yaml";
    CHECK(text ==
          vm_file + ":34:15: note: preflight: host PCI function 0000:00:02.0 not checked: this function is not supported "
                    "by the connection driver: virNodeDeviceLookupByName\n" +
          vm_file + ":36:15: note: preflight: host PCI function 0000:00:1f.3 not checked: this function is not supported "
                    "by the connection driver: virNodeDeviceLookupByName\n" +
          vm_file + ":15:12: error: preflight: machine type 'pc-i440fx-8.0' is not offered by the host: invalid argument: "
                    "the machine 'pc-i440fx-8.0' is not supported by emulator '/usr/bin/qemu-system-x86_64'; set "
                    "machine.version to one that 'virsh domcapabilities --machine' accepts, or leave it out\n" +
          profile + ":13:14: error: preflight: ROM file /usr/share/kvm/gen12_igd.rom does not exist; copy gen12_igd.rom "
                    "into /usr/share/kvm or point rom_dir at the directory that holds it\n" +
          profile + ":17:14: error: preflight: ROM file /usr/share/kvm/gen12_gop.rom does not exist; copy gen12_gop.rom "
                    "into /usr/share/kvm or point rom_dir at the directory that holds it\n" +
          vm_file + ": error: define 'windows' on " + embedded().uri() +
          ": refused, the preflight checks above failed; nothing was changed\n");
    CHECK(out.str().empty());  // a refused dry run prints no XML
    CHECK_FALSE(embedded().lookup_domain("windows"));
}

}  // TEST_SUITE

TEST_CASE("preflight judges qemu_args against the QEMU the connection runs, not the --qemu-version default") {
    auto profiles = test::test_profiles();
    // -soundhw went in QEMU 7.1 (docs/about/removed-features.rst); Debian 12's QEMU is 7.2.
    Vm vm = load_vm_text(std::string(test::kMinimalVm) + "accel: tcg\nqemu_args:\n  - -soundhw\n  - hda\n", "vm.yaml", profiles);
    std::string xml = render(vm, Target::Libvirt, TemplateSet()).text;
    auto checks = preflight(vm, xml, embedded());
    unsigned long version = embedded().hypervisor_version();
    REQUIRE(version >= 7002000);
    std::string qemu = std::to_string(version / 1000000) + "." + std::to_string(version / 1000 % 1000);
    auto it = std::find_if(checks.begin(), checks.end(), [](const PreflightCheck& c) {
        return c.message.find("-soundhw") != std::string::npos;
    });
    REQUIRE(it != checks.end());
    CHECK(it->status == PreflightCheck::Status::Fail);
    CHECK(format_mark(it->mark) == "vm.yaml:5:5");
    CHECK(it->message == "QEMU " + qemu + " on " + embedded().uri() + ": '-soundhw' was removed in QEMU 7.1 (target QEMU " +
                             qemu + "): the VM does not start; use -device (e.g. -device intel-hda -device hda-duplex) or -audio");

    Vm fine = load_vm_text(std::string(test::kMinimalVm) + "accel: tcg\nqemu_args:\n  - -no-hpet\n", "vm.yaml", profiles);
    auto ok = preflight(fine, render(fine, Target::Libvirt, TemplateSet()).text, embedded());
    CHECK(std::any_of(ok.begin(), ok.end(), [&](const PreflightCheck& c) {
        return c.status == PreflightCheck::Status::Pass && c.message == "qemu_args use no option that QEMU " + qemu +
                                                                            " on " + embedded().uri() + " has removed";
    }));
}
