// define and attach against libvirt's in-process test driver (test:///default): real libvirt
// parsing, schema validation and domain bookkeeping, no host behind it.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <unistd.h>
#include <fstream>
#include <functional>
#include <sstream>

#include "app/render.h"
#include "libvirt/deploy.h"
#include "libvirt/domain_edit.h"
#include "libvirt/libvirt_api.h"
#include "test_helpers.h"

using namespace vfiogen;

namespace {

constexpr const char* kTestUri = "test:///default";

// Where define keeps replaced definitions during the tests (emptied per test case).
std::string saved_dir() {
    static std::string dir = std::filesystem::temp_directory_path() / ("vfiogen-saved-" + std::to_string(::getpid()));
    return dir;
}

// test:///default keeps its domains while any connection to it is open: each test case holds
// one, so define_vm's own connections see (and change) the same state, which starts fresh.
struct TestDriver {
    LibvirtConnection conn = LibvirtConnection::open(kTestUri, false);
    TestDriver() { std::filesystem::remove_all(saved_dir()); }
    ~TestDriver() { std::filesystem::remove_all(saved_dir()); }
};

Vm example(const std::string& stem) {
    auto profiles = test::test_profiles();
    return load_vm(test::source_dir() + "/examples/" + stem + ".yaml", profiles);
}

std::string libvirt_xml(const Vm& vm) { return render(vm, Target::Libvirt, TemplateSet()).text; }

DeployOptions options() {
    DeployOptions o;
    o.uri = kTestUri;
    o.saved_dir = saved_dir();
    return o;
}

std::vector<std::string> saved_files() {
    std::vector<std::string> files;
    if (std::filesystem::exists(saved_dir()))
        for (const auto& e : std::filesystem::directory_iterator(saved_dir())) files.push_back(e.path().string());
    return files;
}

std::string service_error_text(const std::function<void()>& f) {
    try {
        f();
    } catch (const ServiceError& e) {
        return e.what();
    }
    return "";
}

const std::string kTestDriverNote =
    ": note: preflight: test:///default is libvirt's test driver, which has no real host: host PCI devices, VFIO, "
    "machine type, firmware and ROM files were not checked\n";

}  // namespace

TEST_SUITE("test-driver") {

TEST_CASE("define --start defines and starts a domain; defining again updates it, still one domain") {
    TestDriver driver;
    Vm vm = example("libvirt-tesla-t10");
    std::ostringstream out, err;
    DeployOptions opts = options();
    opts.start = true;
    define_vm(vm, libvirt_xml(vm), opts, out, err);
    CHECK(out.str() == "defined domain 'debian-t10' on test:///default\nstarted domain 'debian-t10'\n");
    CHECK(err.str() == vm.file + kTestDriverNote);
    auto first = driver.conn.lookup_domain("debian-t10");
    REQUIRE(first);
    CHECK(first->active);
    CHECK(vfiogen_mark(first->inactive_xml) == vm.file);  // libvirt kept vfiogen's <metadata> mark

    // The same name again (now with 16 → 8 GiB): an update of the same UUID, applied at next start.
    vm.memory_mib = 8192;
    std::ostringstream out2, err2;
    define_vm(vm, libvirt_xml(vm), opts, out2, err2);
    auto saved = saved_files();
    REQUIRE(saved.size() == 1);
    CHECK(test::read_file(saved[0]) == first->inactive_xml);  // the replaced definition, as libvirt gave it
    CHECK(saved[0].find("/debian-t10-" + first->uuid + "-") != std::string::npos);
    CHECK(out2.str() == "updated domain 'debian-t10' (UUID " + first->uuid + ") on test:///default\n"
                        "its previous definition is saved as " + saved[0] + " (restore: virsh define " + saved[0] + ")\n"
                        "domain 'debian-t10' is running: the new definition applies at its next start\n");
    auto second = driver.conn.lookup_domain("debian-t10");
    CHECK(second->uuid == first->uuid);
    CHECK(second->inactive_xml.find("<memory unit='KiB'>8388608</memory>") != std::string::npos);
}

TEST_CASE("--dry-run prints the XML and the plan and changes nothing") {
    TestDriver driver;
    Vm vm = example("libvirt-intel-arc-a380");
    std::ostringstream out, err;
    DeployOptions opts = options();
    opts.dry_run = true;
    opts.start = true;
    define_vm(vm, libvirt_xml(vm), opts, out, err);
    CHECK(out.str() == with_vfiogen_mark(libvirt_xml(vm), vm.file));
    CHECK(err.str() == vm.file + kTestDriverNote +
                           "dry run: would define new domain 'win11-arc' on test:///default and start it; nothing was "
                           "changed\n");
    CHECK_FALSE(driver.conn.lookup_domain("win11-arc"));
}

TEST_CASE("define replaces only domains vfiogen defined; the dry run shows what it would replace") {
    TestDriver driver;  // test:///default holds a domain 'test' that vfiogen did not define
    Vm vm = example("libvirt-tesla-t10");
    vm.name = "test";
    std::string before = driver.conn.lookup_domain("test")->inactive_xml;
    std::ostringstream out, err;
    std::string message = test::input_error_text([&] { define_vm(vm, libvirt_xml(vm), options(), out, err); });
    CHECK(message == vm.file + ":4:7: error: domain 'test' on test:///default was not defined by vfiogen (its <metadata> "
                               "has no vfiogen mark): defining would replace its disks, NICs and everything the VM "
                               "file does not name; add the passthrough to it with 'vfiogen attach --domain test " +
                               vm.file + "', or give this VM another name");
    CHECK(driver.conn.lookup_domain("test")->inactive_xml == before);
    CHECK(saved_files().empty());

    // Once vfiogen defined it, a dry run names what it would replace and shows the change.
    vm.name = "debian-t10";
    define_vm(vm, libvirt_xml(vm), options(), out, err);
    auto defined = driver.conn.lookup_domain("debian-t10");
    vm.memory_mib = 8192;
    std::ostringstream out2, err2;
    DeployOptions opts = options();
    opts.dry_run = true;
    define_vm(vm, libvirt_xml(vm), opts, out2, err2);
    CHECK(err2.str().find("dry run: would replace domain 'debian-t10' (UUID " + defined->uuid +
                          ") on test:///default, keeping its current definition in " + saved_dir() +
                          "; nothing was changed\n") != std::string::npos);
    CHECK(err2.str().find("-  <memory unit='KiB'>16777216</memory>\n") != std::string::npos);
    CHECK(err2.str().find("+  <memory unit='MiB'>8192</memory>\n") != std::string::npos);
    CHECK(saved_files().empty());
    CHECK(driver.conn.lookup_domain("debian-t10")->inactive_xml == defined->inactive_xml);
}

TEST_CASE("XML that libvirt's schema refuses is reported with libvirt's message and leaves the old definition") {
    TestDriver driver;
    Vm vm = example("libvirt-tesla-t10");
    std::ostringstream out, err;
    define_vm(vm, libvirt_xml(vm), options(), out, err);
    std::string before = driver.conn.lookup_domain("debian-t10")->inactive_xml;

    // An element libvirt does not know: without VIR_DOMAIN_DEFINE_VALIDATE it would be dropped silently.
    std::string bad = libvirt_xml(vm);
    bad.replace(bad.find("<devices>"), 9, "<devices>\n    <gpu-of-my-dreams/>");
    std::string message = service_error_text([&] { define_vm(vm, bad, options(), out, err); });
    CAPTURE(message);
    CHECK(message.rfind("define 'debian-t10' on test:///default: XML document failed to validate against schema: ", 0) == 0);
    CHECK(message.find("(libvirt error code 92)") != std::string::npos);  // VIR_ERR_XML_INVALID_SCHEMA
    CHECK(driver.conn.lookup_domain("debian-t10")->inactive_xml == before);
}

TEST_CASE("libvirt errors name what vfiogen was doing and where") {
    Vm vm = example("libvirt-tesla-t10");
    std::ostringstream out, err;
    DeployOptions opts = options();
    opts.uri = "test:///no/such/host.xml";
    std::string message = service_error_text([&] { define_vm(vm, libvirt_xml(vm), opts, out, err); });
    CHECK(message.rfind("connect to test:///no/such/host.xml: ", 0) == 0);
    CHECK(message.find("/no/such/host.xml") != std::string::npos);
}

TEST_CASE("attach adds the passthrough parts to a virt-manager domain, keeps the rest, and is idempotent") {
    TestDriver driver;
    driver.conn.define(test::read_file(test::source_dir() + "/tests/data/libvirt/virt-manager-win10.xml"));
    std::string original = driver.conn.lookup_domain("win10")->inactive_xml;

    Vm vm = example("pve-nvidia-gt1030");  // q35, OVMF, GPU + audio, kvm hidden, hv vendor_id
    DeployOptions opts = options();
    opts.domain = "win10";
    opts.diff = true;
    std::ostringstream out, err;
    attach_vm(vm, libvirt_xml(vm), opts, out, err);
    // The golden diff names the VM file relative to the source tree.
    std::string shown = out.str();
    for (size_t at; (at = shown.find(test::source_dir() + "/")) != std::string::npos;)
        shown.erase(at, test::source_dir().size() + 1);
    if (std::getenv("VFIOGEN_UPDATE_GOLDEN"))
        std::ofstream(test::source_dir() + "/tests/golden/attach-gt1030-win10.diff")
            << shown.substr(0, shown.find("updated domain"));
    CHECK(shown == test::read_file(test::source_dir() + "/tests/golden/attach-gt1030-win10.diff") +
                       "updated domain 'win10' on test:///default with the passthrough settings of "
                       "examples/pve-nvidia-gt1030.yaml\n");
    std::string attached = driver.conn.lookup_domain("win10")->inactive_xml;
    CHECK(attached != original);

    // Everything but the passthrough parts is as it was: the diff above touches only them, and
    // a second run finds nothing to change.
    std::ostringstream out2, err2;
    attach_vm(vm, libvirt_xml(vm), opts, out2, err2);
    CHECK(out2.str() == "domain 'win10' on test:///default already has the passthrough settings of " + vm.file +
                            "; nothing changed\n");
    CHECK(driver.conn.lookup_domain("win10")->inactive_xml == attached);
}

TEST_CASE("attach refuses to move a domain between i440fx and q35, at the VM file's machine line") {
    TestDriver driver;
    driver.conn.define(test::read_file(test::source_dir() + "/tests/data/libvirt/virt-manager-win10.xml"));
    Vm vm = example("libvirt-intel-hd630");  // i440fx, legacy IGD
    DeployOptions opts = options();
    opts.domain = "win10";
    std::ostringstream out, err;
    std::string error = test::input_error_text([&] { attach_vm(vm, libvirt_xml(vm), opts, out, err); });
    CHECK(error == vm.file + ":12:9: error: domain 'win10' uses machine type 'pc-q35-7.2' but this VM file needs "
                             "i440fx; attach cannot move a domain between i440fx and q35 (its device addresses differ): "
                             "define a new domain with 'vfiogen define'");
}

TEST_CASE("attach to a domain that does not exist says so") {
    TestDriver driver;
    Vm vm = example("pve-nvidia-gt1030");
    DeployOptions opts = options();
    opts.domain = "nope";
    std::ostringstream out, err;
    CHECK(service_error_text([&] { attach_vm(vm, libvirt_xml(vm), opts, out, err); }) ==
          "attach to 'nope' on test:///default: there is no domain 'nope' (list them with 'virsh --connect "
          "test:///default list --all')");
}

}  // TEST_SUITE
