#include <doctest/doctest.h>

#include <filesystem>
#include <sys/stat.h>
#include <unistd.h>
#include <fstream>

#include <pugixml.hpp>

#include "render.h"
#include "test_helpers.h"

using namespace vfiogen;
namespace fs = std::filesystem;

namespace {

const char* const kExamples[] = {
    "pve-intel-igd-gen12", "pve-amd-igpu-5700u",     "pve-nvidia-gt1030",
    "libvirt-intel-hd630", "libvirt-intel-arc-a380", "libvirt-tesla-t10",
};

struct TargetCase {
    Target target;
    const char* suffix;
};
const TargetCase kTargets[] = {{Target::Pve, ".pve.conf"}, {Target::PveSnippet, ".pve-snippet.conf"}, {Target::Libvirt, ".libvirt.xml"}};

Vm load_example(const std::string& stem) {
    auto profiles = test::test_profiles();
    return load_vm(test::source_dir() + "/examples/" + stem + ".yaml", profiles);
}

Vm load_text(const std::string& text) {
    auto profiles = test::test_profiles();
    return load_vm_text(text, "vm.yaml", profiles);
}

std::string render_error(const std::string& text, Target target) {
    return test::input_error_text([&] { render(load_text(text), target, TemplateSet()); });
}

// The first line where two texts differ, for a readable failure.
std::string first_difference(const std::string& want, const std::string& got) {
    std::istringstream a(want), b(got);
    std::string la, lb;
    for (int line = 1;; ++line) {
        bool ma = static_cast<bool>(std::getline(a, la)), mb = static_cast<bool>(std::getline(b, lb));
        if (!ma && !mb) return "";
        if (!ma || !mb || la != lb)
            return "line " + std::to_string(line) + ": golden '" + (ma ? la : "<end>") + "' vs rendered '" + (mb ? lb : "<end>") + "'";
    }
}

}  // namespace

TEST_CASE("every example renders to every target exactly as its reviewed golden file") {
    for (const char* stem : kExamples) {
        Vm vm = load_example(stem);
        for (const auto& t : kTargets) {
            std::string golden_path = test::source_dir() + "/tests/golden/" + stem + t.suffix;
            INFO(golden_path);
            REQUIRE(fs::exists(golden_path));
            std::string got = render(vm, t.target, TemplateSet()).text;
            CHECK(first_difference(test::read_file(golden_path), got) == "");
        }
    }
}

TEST_CASE("seed 003's final PVE conf entries are in the Intel gen12 rendering") {
    std::string conf = render(load_example("pve-intel-igd-gen12"), Target::Pve, TemplateSet()).text;
    for (const char* line : {"hostpci0: 0000:00:02.0,legacy-igd=1,romfile=gen12_igd.rom\n",
                             "hostpci1: 0000:00:1f.3,romfile=gen12_gop.rom\n",
                             "args: -set device.hostpci0.x-igd-gms=0x2 -set device.hostpci0.x-igd-opregion=on\n",
                             "bios: ovmf\n", "machine: pc-i440fx-8.0\n", "vga: none\n", "cpu: host\n", "cores: 4\n",
                             "memory: 16384\n", "ostype: win10\n",
                             "efidisk0: local-lvm:vm-130-disk-1,efitype=4m,size=4M\n"}) {
        INFO(line);
        CHECK(conf.find(line) != std::string::npos);
    }
}

TEST_CASE("libvirt output keeps GPU and audio in one guest slot and uses qemu:override") {
    std::string xml = render(load_example("pve-amd-igpu-5700u"), Target::Libvirt, TemplateSet()).text;
    pugi::xml_document doc;
    REQUIRE(doc.load_string(xml.c_str()));
    auto hostdevs = doc.select_nodes("/domain/devices/hostdev");
    REQUIRE(hostdevs.size() == 2);
    pugi::xml_node gpu = hostdevs[0].node(), audio = hostdevs[1].node();
    CHECK(std::string(gpu.child("driver").attribute("name").value()) == "vfio");
    CHECK(std::string(gpu.child("address").attribute("bus").value()) == audio.child("address").attribute("bus").value());
    CHECK(std::string(gpu.child("address").attribute("slot").value()) == audio.child("address").attribute("slot").value());
    CHECK(std::string(gpu.child("address").attribute("multifunction").value()) == "on");
    CHECK(std::string(audio.child("address").attribute("function").value()) == "0x1");
    CHECK(std::string(gpu.child("rom").attribute("file").value()) == "/usr/share/kvm/vbios_1638.dat");
    auto xvga = doc.select_node("/domain/qemu:override/qemu:device[@alias='ua-gpu0']/qemu:frontend/qemu:property[@name='x-vga']");
    CHECK(xvga);
    CHECK(xml.find("qemu:commandline") == std::string::npos);
}

TEST_CASE("x-vga under OVMF warns for PVE, which drops it") {
    Rendered r = render(load_example("pve-amd-igpu-5700u"), Target::Pve, TemplateSet());
    REQUIRE(r.warnings.size() == 1);
    CHECK(r.warnings[0].str().find(":26:15: warning: x-vga has no effect with firmware ovmf in PVE") != std::string::npos);
}

TEST_CASE("text is XML-escaped in libvirt output and checked for PVE") {
    std::string vm = "name: \"a&b<c>'d\\\"\"\nvmid: 100\ndescription: \"x < y & 'z'\"\n";
    std::string xml = render(load_text(vm), Target::Libvirt, TemplateSet()).text;
    CHECK(xml.find("<name>a&amp;b&lt;c&gt;&apos;d&quot;</name>") != std::string::npos);
    CHECK(xml.find("<description>x &lt; y &amp; &apos;z&apos;</description>") != std::string::npos);
    CHECK(render_error(vm, Target::Pve) ==
          "vm.yaml:1:7: error: VM name 'a&b<c>'d\"' is not valid for PVE: it must be a DNS name (letters, digits, inner '-', '.')");
}

TEST_CASE("PVE target rules") {
    CHECK(render_error("name: my_vm\nvmid: 100\n", Target::Pve) ==
          "vm.yaml:1:7: error: VM name 'my_vm' is not valid for PVE: it must be a DNS name (letters, digits, inner '-', '.')");
    CHECK(render_error("name: vm\n", Target::PveSnippet) ==
          "vm.yaml:1:1: error: missing key 'vmid': the pve targets need the VMID (100-999999999)");
    CHECK(render_error("name: vm\n", Target::Libvirt) == "");

    std::string whole = "name: vm\nvmid: 100\npassthrough:\n  - profile: test-gpu-audio-roms\n    host: 01:00\n";
    CHECK(render_error(whole, Target::Pve) ==
          "vm.yaml:5:11: error: PVE applies romfile, rombar and x-vga only to function .0 of hostpci '0000:01:00', so role "
          "'audio' cannot keep its own; bind each role under 'functions' to give it its own hostpciN");
    CHECK(render_error(whole, Target::Libvirt) == "");  // libvirt has one hostdev per function

    std::string many = "name: vm\nvmid: 100\npassthrough:\n";
    for (int i = 0; i < 17; ++i) {
        char bus[8];
        std::snprintf(bus, sizeof bus, "%02x", i + 1);
        many += "  - profile: test-single\n    host: " + std::string(bus) + ":00.0\n";
    }
    CHECK(render_error(many, Target::Pve) ==
          "vm.yaml:36:14: error: PVE allows at most 16 hostpci entries (hostpci0-hostpci15); this VM needs 17 so far");
    CHECK(render_error(many, Target::Libvirt) == "");

    std::string disks = "name: vm\nvmid: 100\ndisks:\n";
    for (int i = 0; i < 7; ++i) disks += "  - bus: sata\n    size_gib: 1\n";
    CHECK(render_error(disks, Target::Pve) == "vm.yaml:16:5: error: PVE allows at most 6 sata disks");
}

TEST_CASE("whole-device binding renders PVE's all-functions form") {
    std::string conf = render(load_example("pve-nvidia-gt1030"), Target::PveSnippet, TemplateSet()).text;
    CHECK(conf.find("hostpci0: 0000:01:00,pcie=1\n") != std::string::npos);
    CHECK(conf.find("cpu: host,hidden=1,hv-vendor-id=vfiogen\n") != std::string::npos);
}

TEST_CASE("libvirt target rules") {
    CHECK(render_error("name: a/b\n", Target::Libvirt) ==
          "vm.yaml:1:7: error: VM name 'a/b' is not valid for libvirt: it must not contain '/'");
    CHECK(render_error("name: vm\nmachine:\n  type: i440fx\nfirmware:\n  secure_boot: true\n", Target::Libvirt) ==
          "vm.yaml:5:16: error: secure boot OVMF needs machine type q35 (SMM) in libvirt; Debian's secboot firmware does not run on i440fx");
    std::string xml = render(load_text("name: vm\nfirmware:\n  secure_boot: true\n"), Target::Libvirt, TemplateSet()).text;
    CHECK(xml.find("<loader readonly='yes' secure='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE_4M.secboot.fd</loader>") != std::string::npos);
    CHECK(xml.find("<smm state='on'/>") != std::string::npos);
    std::string autoselect = render(load_text("name: vm\nfirmware:\n  autoselect: true\n"), Target::Libvirt, TemplateSet()).text;
    CHECK(autoselect.find("<os firmware='efi'>") != std::string::npos);
    CHECK(autoselect.find("<feature enabled='no' name='secure-boot'/>") != std::string::npos);
    CHECK(autoselect.find("<loader") == std::string::npos);
    std::string seabios = render(load_text("name: vm\nfirmware:\n  type: seabios\n"), Target::Libvirt, TemplateSet()).text;
    CHECK(seabios.find("<loader") == std::string::npos);
    CHECK(seabios.find("firmware=") == std::string::npos);
    std::string tcg = render(load_text("name: vm\naccel: tcg\n"), Target::Libvirt, TemplateSet()).text;
    CHECK(tcg.find("<domain type='qemu'>") != std::string::npos);
    CHECK(tcg.find("<cpu mode='maximum' check='none'>") != std::string::npos);
}

TEST_CASE("--templates overrides one template and reports broken ones with their file") {
    fs::path dir = fs::temp_directory_path() / ("vfiogen-tpl-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    std::ofstream(dir / "pve-snippet.conf.mustache") << "# {{machine}} for {{vga}}\n";
    Vm vm = load_example("pve-intel-igd-gen12");
    CHECK(render(vm, Target::PveSnippet, TemplateSet(dir.string())).text == "# pc-i440fx-8.0 for none\n");
    // Templates not in the directory come from the built-in set.
    CHECK(render(vm, Target::Libvirt, TemplateSet(dir.string())).text == render(vm, Target::Libvirt, TemplateSet()).text);

    std::ofstream(dir / "pve.conf.mustache") << "{{#hostpci}}hostpci{{index}}\n";
    CHECK(test::input_error_text([&] { render(vm, Target::Pve, TemplateSet(dir.string())); }) ==
          (dir / "pve.conf.mustache").string() + ": error: malformed template: Unclosed section \"hostpci\" at 0");
    std::ofstream(dir / "libvirt.xml.mustache") << "<domain><name>{{name}}</domain>\n";
    CHECK(test::input_error_text([&] { render(vm, Target::Libvirt, TemplateSet(dir.string())); }) ==
          (dir / "libvirt.xml.mustache").string() +
              ": error: template produced XML that is not well-formed: Start-end tags mismatch at output line 1");
    fs::remove_all(dir);
    CHECK_THROWS_AS(TemplateSet("/nonexistent-dir"), UsageError);
}

TEST_CASE("--templates: sections nest at most 32 deep, an override is a regular file of at most 256 KiB") {
    fs::path dir = fs::temp_directory_path() / ("vfiogen-tpl-deep-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    std::string file = (dir / "pve.conf.mustache").string();
    Vm vm = load_example("pve-intel-igd-gen12");
    auto error = [&](const std::string& text) {
        std::ofstream(file, std::ios::trunc) << text;
        return test::input_error_text([&] { render(vm, Target::Pve, TemplateSet(dir.string())); });
    };
    auto nested = [](const std::string& open, const std::string& close, int depth) {
        std::string text;
        for (int i = 0; i < depth; ++i) text += open;
        text += "x\n";
        for (int i = 0; i < depth; ++i) text += close;
        return text;
    };
    // 32 levels render; 10,000 levels of a true section crashed kainjow's recursive renderer (SIGSEGV).
    CHECK(error(nested("{{#name}}", "{{/name}}", 32)) == "");
    CHECK(error(nested("{{#name}}", "{{/name}}", 10000)) ==
          file + ":1:" + std::to_string(1 + 32 * 9) + ": error: template sections nest deeper than 32 levels");
    // Inverted sections, spaces in tags, and unclosed ones count the same way.
    CHECK(error(nested("{{^ nothing }}", "", 10000)) ==
          file + ":1:" + std::to_string(1 + 32 * 14) + ": error: template sections nest deeper than 32 levels");
    // Set-delimiter tags change what a tag looks like, not the limit.
    CHECK(error("{{=<% %>=}}\n" + nested("<%#name%>", "<%/name%>", 100)) ==
          file + ":2:" + std::to_string(1 + 32 * 9) + ": error: template sections nest deeper than 32 levels");
    // A template that closes its sections again never gets deep.
    std::string flat;
    for (int i = 0; i < 1000; ++i) flat += "{{#name}}{{name}}{{/name}}";
    CHECK(error(flat + "\n") == "");

    CHECK(error(std::string(256u << 10, ' ')) == "");
    CHECK(error(std::string((256u << 10) + 1, ' ')) == file + ": error: file too large (over 262144 bytes)");
    fs::remove(file);
    REQUIRE(::mkfifo(file.c_str(), 0600) == 0);
    CHECK(test::input_error_text([&] { render(vm, Target::Pve, TemplateSet(dir.string())); }) ==
          file + ": error: not a regular file (a FIFO)");
    fs::remove_all(dir);
}
