#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <sys/stat.h>
#include <unistd.h>
#include <fstream>
#include <random>

#include <pugixml.hpp>

#include "app/render.h"
#include "libvirt/libvirt_xml.h"
#include "pve/pve_conf.h"
#include "test_helpers.h"

using namespace vfiogen;
namespace fs = std::filesystem;

namespace {


struct TargetCase {
    Target target;
    const char* suffix;
};
const TargetCase kTargets[] = {{Target::Pve, ".pve.conf"}, {Target::PveSnippet, ".pve-snippet.conf"}, {Target::Qm, ".qm.sh"}, {Target::Libvirt, ".libvirt.xml"}};

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
    for (const std::string& stem : test::example_stems()) {
        Vm vm = load_example(stem);
        for (const auto& t : kTargets) {
            std::string golden_path = test::source_dir() + "/tests/golden/" + stem + t.suffix;
            INFO(golden_path);
            std::string got = render(vm, t.target, TemplateSet()).text;
            // VFIOGEN_UPDATE_GOLDEN=1 rewrites the golden files; review the diff against the sources.
            if (std::getenv("VFIOGEN_UPDATE_GOLDEN")) std::ofstream(golden_path) << got;
            REQUIRE(fs::exists(golden_path));
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

TEST_CASE("x-vga under OVMF renders without a warning: qemu-server still sets kvm=off and hv_vendor_id for it") {
    // PCI.pm drops only QEMU's x-vga=on under OVMF; `vfiogen check` reports the cases where the
    // rest does nothing either (pve-xvga-ovmf).
    Rendered r = render(load_example("pve-amd-igpu-5700u"), Target::Pve, TemplateSet());
    CHECK(r.warnings.empty());
    CHECK(r.text.find("hostpci0: 0000:05:00.0,pcie=1,romfile=vbios_1638.dat,x-vga=1\n") != std::string::npos);
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
    // The snippet is pasted into a VM that has its own cpu type: the flags are a comment to merge.
    CHECK(conf.find("\ncpu:") == std::string::npos);
    CHECK(conf.find("add ',hidden=1,hv-vendor-id=vfiogen' to it") != std::string::npos);
}

TEST_CASE("the snippet names no volume and keeps a pinned machine version unless the VM file names one") {
    for (const std::string& stem : test::example_stems()) {
        std::string conf = render(load_example(stem), Target::PveSnippet, TemplateSet()).text;
        INFO(stem);
        CHECK(conf.find("\nefidisk0:") == std::string::npos);
        CHECK(conf.find("vm-") == std::string::npos);
        CHECK(conf.find("\ncpu:") == std::string::npos);
    }
    std::string unpinned = render(load_example("pve-amd-igpu-5700u"), Target::PveSnippet, TemplateSet()).text;
    CHECK(unpinned.find("\nmachine:") == std::string::npos);
    CHECK(unpinned.find("# efidisk0: OVMF keeps its variables there; if the VM has none, let PVE create it: qm set 131 "
                        "--efidisk0 local-lvm:1,efitype=4m,pre-enrolled-keys=0\n") != std::string::npos);
    std::string pinned = render(load_example("pve-intel-igd-gen12"), Target::PveSnippet, TemplateSet()).text;
    CHECK(pinned.find("\nmachine: pc-i440fx-8.0\n") != std::string::npos);
    std::string secure = render(load_text("name: vm\nvmid: 100\nstorage: tank\nfirmware:\n  secure_boot: true\n"),
                                Target::PveSnippet, TemplateSet()).text;
    CHECK(secure.find("qm set 100 --efidisk0 tank:1,efitype=4m,pre-enrolled-keys=1\n") != std::string::npos);
}

TEST_CASE("the qm target allocates every disk and the efidisk0, and keeps volumes the VM file names") {
    std::string sh = render(load_example("pve-nvidia-gt1030"), Target::Qm, TemplateSet()).text;
    CHECK(sh.rfind("#!/bin/sh\n", 0) == 0);
    CHECK(sh.find("\nset -e\nqm create 120 \\\n") != std::string::npos);
    CHECK(sh.find("  --scsi0 'local-lvm:80' \\\n") != std::string::npos);
    CHECK(sh.find("  --efidisk0 'local-lvm:1,efitype=4m,pre-enrolled-keys=0' \\\n") != std::string::npos);
    CHECK(sh.find("vm-120-disk") == std::string::npos);
    std::string named = render(load_text("name: vm\nvmid: 100\ndisks:\n  - size_gib: 8\n    volume: tank:vm-100-disk-7\n"),
                               Target::Qm, TemplateSet()).text;
    CHECK(named.find("  --scsi0 'tank:vm-100-disk-7,size=8G' \\\n") != std::string::npos);
    CHECK(named.find("# The VM file names the existing volume tank:vm-100-disk-7: it is attached, not created.\n") !=
          std::string::npos);
}

TEST_CASE("libvirt target rules") {
    CHECK(render_error("name: a/b\n", Target::Libvirt) ==
          "vm.yaml:1:7: error: VM name 'a/b' is not valid for libvirt: it must not contain '/'");
    CHECK(render_error("name: vm\nmachine:\n  type: i440fx\nfirmware:\n  secure_boot: true\n", Target::Libvirt) ==
          "vm.yaml:5:16: error: secure boot OVMF needs machine type q35 (SMM) in libvirt; Debian's secboot firmware does not run on i440fx");
    // Explicit files when autoselection is off: Debian's Secure Boot pair, and SMM.
    std::string xml = render(load_text("name: vm\nfirmware:\n  secure_boot: true\n  autoselect: false\n"),
                             Target::Libvirt, TemplateSet())
                          .text;
    CHECK(xml.find("<loader readonly='yes' secure='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE_4M.secboot.fd</loader>") != std::string::npos);
    CHECK(
        xml.find(
            "<nvram "
            "template='/usr/share/OVMF/OVMF_VARS_4M.ms.fd'>/var/lib/libvirt/qemu/nvram/vm_VARS.fd</nvram>") !=
        std::string::npos);
    CHECK(xml.find("<smm state='on'/>") != std::string::npos);
    // The default: libvirt's autoselection (libvirt >= 7.2 for <firmware><feature>).
    std::string autoselect = render(load_text("name: vm\n"), Target::Libvirt, TemplateSet()).text;
    CHECK(autoselect.find("<os firmware='efi'>") != std::string::npos);
    CHECK(autoselect.find("<feature enabled='no' name='enrolled-keys'/>") != std::string::npos);
    CHECK(autoselect.find("<feature enabled='no' name='secure-boot'/>") != std::string::npos);
    CHECK(autoselect.find("<loader") == std::string::npos);
    CHECK(autoselect.find("<nvram") == std::string::npos);  // libvirt names it
    std::string secure =
        render(load_text("name: vm\nfirmware:\n  secure_boot: true\n  nvram: /srv/vm_VARS.fd\n"),
               Target::Libvirt, TemplateSet())
            .text;
    CHECK(secure.find("      <feature enabled='yes' name='enrolled-keys'/>\n      <feature enabled='yes' "
                      "name='secure-boot'/>\n"
                      "    </firmware>\n    <nvram>/srv/vm_VARS.fd</nvram>\n") != std::string::npos);
    CHECK(secure.find("<smm state='on'/>") != std::string::npos);
    // A loader from the VM file turns autoselection off; the template defaults to Debian's.
    std::string given =
        render(load_text("name: vm\nfirmware:\n  loader: /usr/share/edk2/ovmf/OVMF_CODE.fd\n"),
               Target::Libvirt, TemplateSet())
            .text;
    CHECK(given.find("<os>") != std::string::npos);
    CHECK(given.find("<loader readonly='yes' type='pflash'>/usr/share/edk2/ovmf/OVMF_CODE.fd</loader>") !=
          std::string::npos);
    CHECK(render_error("name: vm\nfirmware:\n  autoselect: true\n  loader: /x.fd\n", Target::Libvirt) ==
          "vm.yaml:3:15: error: firmware autoselection and an explicit loader do not mix: drop one");
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
              ": error: template produced XML that libvirt cannot read: Opening and ending tag mismatch: name line 1 "
              "and domain at output line 1, column 31");
    fs::remove_all(dir);
    CHECK_THROWS_AS(TemplateSet("/nonexistent-dir"), UsageError);
}

TEST_CASE("tpm: PVE allocates a tpmstate0 v2.0 through qm, the conf names the volume after the efidisk, libvirt uses swtpm") {
    Vm vm = load_text("name: vm\nvmid: 100\ntpm: true\ndisks:\n  - size_gib: 32\n");
    std::string sh = render(vm, Target::Qm, TemplateSet()).text;
    CHECK(sh.find("  --tpmstate0 'local-lvm:1,version=v2.0' \\\n") != std::string::npos);
    std::string conf = render(vm, Target::Pve, TemplateSet()).text;
    CHECK(conf.find("\ntpmstate0: local-lvm:vm-100-disk-2,size=4M,version=v2.0\n") != std::string::npos);
    CHECK(conf.find("\nefidisk0: local-lvm:vm-100-disk-1,efitype=4m,size=4M\n") != std::string::npos);
    std::string snippet = render(vm, Target::PveSnippet, TemplateSet()).text;
    CHECK(snippet.find("# tpmstate0: if the VM has no TPM yet, let PVE create it: qm set 100 --tpmstate0 local-lvm:1,version=v2.0\n") !=
          std::string::npos);
    std::string xml = render(vm, Target::Libvirt, TemplateSet()).text;
    CHECK(xml.find("    <tpm model='tpm-crb'>\n      <backend type='emulator' version='2.0'/>\n    </tpm>\n") != std::string::npos);
    CHECK(render(load_text("name: vm\nvmid: 100\n"), Target::Libvirt, TemplateSet()).text.find("<tpm") == std::string::npos);
}

TEST_CASE("Looking Glass renders the shmem, SPICE input and no balloon for libvirt, ivshmem for PVE") {
    std::string vm = "name: lg\nvmid: 100\nlooking_glass:\n  resolution: 3840x2160\n";
    std::string xml = render(load_text(vm), Target::Libvirt, TemplateSet()).text;
    pugi::xml_document doc;
    REQUIRE(doc.load_string(xml.c_str()));
    pugi::xml_node devices = doc.child("domain").child("devices");
    pugi::xml_node shmem = devices.child("shmem");
    CHECK(std::string(shmem.attribute("name").value()) == "looking-glass");
    CHECK(std::string(shmem.child("model").attribute("type").value()) == "ivshmem-plain");
    CHECK(std::string(shmem.child("size").attribute("unit").value()) == "M");
    CHECK(std::string(shmem.child("size").text().get()) == "128");
    CHECK(std::string(devices.child("memballoon").attribute("model").value()) == "none");
    CHECK(std::string(devices.child("graphics").attribute("type").value()) == "spice");
    CHECK(std::string(devices.child("channel").child("target").attribute("name").value()) ==
          "com.redhat.spice.0");
    std::vector<std::string> inputs;
    for (auto i : devices.children("input"))
        inputs.push_back(std::string(i.attribute("type").value()) + "/" + i.attribute("bus").value());
    CHECK(inputs == std::vector<std::string>{"mouse/virtio", "keyboard/virtio"});
    CHECK_FALSE(devices.child("tpm"));  // l26: no TPM unless asked for

    std::string conf = render(load_text(vm), Target::Pve, TemplateSet()).text;
    CHECK(conf.find("\nivshmem: size=128,name=looking-glass\n") != std::string::npos);
    CHECK(conf.find("\nballoon: 0\n") != std::string::npos);
    std::string snippet = render(load_text(vm), Target::PveSnippet, TemplateSet()).text;
    CHECK(snippet.find("\nivshmem: size=128,name=looking-glass\n") != std::string::npos);

    // No Looking Glass: no shmem, the balloon stays libvirt's default, VNC as before.
    std::string plain = render(load_text("name: lg\n"), Target::Libvirt, TemplateSet()).text;
    CHECK(plain.find("<shmem") == std::string::npos);
    CHECK(plain.find("<memballoon") == std::string::npos);
    CHECK(plain.find("<graphics type='vnc'") != std::string::npos);
}

TEST_CASE("Looking Glass with kvmfr: libvirt's qemu:commandline from the B7 docs; PVE has no key for it") {
    std::string vm = "name: lg\nvmid: 100\nlooking_glass:\n  kvmfr: true\n";
    std::string xml = render(load_text(vm), Target::Libvirt, TemplateSet()).text;
    CHECK(xml.find("<shmem") == std::string::npos);
    CHECK(xml.find(
              "<qemu:arg value='{&apos;qom-type&apos;:&apos;memory-backend-file&apos;,&apos;id&apos;:&apos;"
              "looking-glass&apos;,&apos;mem-path&apos;:&apos;/dev/kvmfr0&apos;,&apos;size&apos;:33554432,"
              "&apos;share&apos;:true}'/>") != std::string::npos);
    CHECK(xml.find("xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'") != std::string::npos);
    CHECK(render_error(vm, Target::Pve) ==
          "vm.yaml:4:10: error: kvmfr is not available for PVE: qemu-server's ivshmem only backs onto "
          "/dev/shm/pve-shm-NAME; set looking_glass.kvmfr: false for the pve targets");
}

// ---- what qemu-server reads back is what the VM file meant (QemuServer.pm parse_vm_config) ----

namespace {

std::string yaml_single_quoted(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
    return out + "'";
}

std::string vm_with_romfile(const std::string& romfile) {
    return "name: vm\nvmid: 100\nmachine:\n  type: q35\npassthrough:\n  - profile: test-single\n    functions:\n"
           "      - role: other\n        host: \"0000:01:00.0\"\n        romfile: " + yaml_single_quoted(romfile) + "\n";
}

}  // namespace

TEST_CASE("a romfile or qemu_args value that qemu-server would read as snapstate is refused at its key") {
    CHECK(render_error(vm_with_romfile("vbios.rom snapstate:delete"), Target::Pve) ==
          "vm.yaml:10:18: error: refusing to write PVE line 'hostpci0': it ends in 'snapstate: delete', and qemu-server reads "
          "any line ending that way as the snapshot state (parse_vm_config matches it unanchored, before the key), so the "
          "whole 'hostpci0' line would be lost");
    CHECK(render_error(vm_with_romfile("snapstate:prepare"), Target::PveSnippet).find("vm.yaml:10:18: error: refusing") == 0);
    CHECK(render_error(vm_with_romfile("snapstate:deleted.rom"), Target::Pve) == "");
    CHECK(render_error(vm_with_romfile("vbios.rom snapstate:delete"), Target::Libvirt) == "");  // libvirt XML has no such parser

    std::string args = "name: vm\nvmid: 100\nqemu_args:\n  - -no-hpet\n  - snapstate:delete\n";
    CHECK(render_error(args, Target::Pve).find("vm.yaml:5:5: error: refusing to write PVE line 'args': it ends in "
                                               "'snapstate: delete'") == 0);
    std::string split = "name: vm\nvmid: 100\nqemu_args:\n  - \"snapstate:\"\n  - delete\n";
    CHECK(render_error(split, Target::Pve).find("vm.yaml:5:5: error: refusing to write PVE line 'args'") == 0);
}

TEST_CASE("a romfile from a profile is refused at the profile's key") {
    fs::path dir = fs::temp_directory_path() / ("vfiogen-render-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    std::ofstream(dir / "hostile.yaml") << "functions:\n  - role: gpu\n    id: \"10de:1d01\"\n"
                                           "    function: 0\n    romfile: \"x.rom  snapstate:  delete  \"\n";
    ProfileLibrary profiles({dir.string()});
    std::string text = "name: vm\nvmid: 100\npassthrough:\n  - profile: hostile\n    host: \"0000:01:00\"\n";
    std::string error = test::input_error_text([&] { render(load_vm_text(text, "vm.yaml", profiles), Target::Pve, TemplateSet()); });
    fs::remove_all(dir);
    CHECK(error.find((dir / "hostile.yaml").string() + ":5:14: error: refusing to write PVE line 'hostpci0'") == 0);
}

TEST_CASE("generated romfile values: either refused at the key, or every line reads back as written") {
    std::mt19937 rng(10);
    const char* const pieces[] = {"snapstate:", "delete", "prepare", " ", "  ", "#", "[", "]", "x", ".rom", ":", "="};
    std::uniform_int_distribution<size_t> count(1, 6), pick(0, std::size(pieces) - 1);
    int refused = 0, written = 0;
    for (int i = 0; i < 400; ++i) {
        std::string romfile;
        for (size_t n = count(rng); n > 0; --n) romfile += pieces[pick(rng)];
        INFO(romfile);
        if (!test::load_error(vm_with_romfile(romfile)).empty()) continue;  // the key table refused it
        std::string error;
        Rendered r;
        try {
            r = render(load_text(vm_with_romfile(romfile)), Target::Pve, TemplateSet());
        } catch (const InputError& e) {
            error = e.diagnostic().str();
        }
        if (!error.empty()) {
            ++refused;
            CHECK(error.find("vm.yaml:10:18: error: refusing to write PVE line 'hostpci0'") == 0);
            continue;
        }
        ++written;
        PveConf back = parse_pve_conf(r.text, "out.conf");
        CHECK(back.warnings.empty());
        REQUIRE(back.sections.front().find("hostpci0"));
        CHECK(back.sections.front().find("hostpci0")->value == "0000:01:00.0,pcie=1,romfile=" + romfile);
        for (const auto& e : back.sections.front().entries) CHECK_FALSE(e.snapstate_suffix);
    }
    CHECK(refused > 10);
    CHECK(written > 10);
}

// ---- PVE resource mappings (qemu-server PCI.pm, PVE 8.0+) ----

TEST_CASE("a passthrough entry bound by mapping gives hostpciN: mapping=ID; libvirt and host commands refuse it") {
    std::string vm = "name: vm\nvmid: 100\nmachine:\n  type: q35\npassthrough:\n  - profile: nvidia-gt1030\n    mapping: gt1030-pool\n";
    std::string conf = render(load_text(vm), Target::PveSnippet, TemplateSet(), PveVersion{8, 0}).text;
    CHECK(conf.find("\nhostpci0: mapping=gt1030-pool,pcie=1\n") != std::string::npos);
    CHECK(render_error(vm, Target::Libvirt) ==
          "vm.yaml:7:14: error: libvirt has no resource mappings (a PVE cluster feature); a <hostdev> needs host PCI addresses, "
          "but this entry names PVE resource mapping 'gt1030-pool': give 'host' or 'functions' instead");
    CHECK(test::input_error_text([&] { require_host_addresses(load_text(vm), "host check"); }).find("vm.yaml:7:14: error: host check") == 0);

    CHECK(test::load_error("name: vm\nvmid: 100\npassthrough:\n  - profile: nvidia-gt1030\n    mapping: 9gpu\n") ==
          "vm.yaml:5:14: error: mapping '9gpu' is not a PVE id: a letter, then letters, digits, '_' or '-' (pve-configid)");
    CHECK(test::load_error("name: vm\nvmid: 100\npassthrough:\n  - profile: nvidia-gt1030\n    mapping: gpu\n    host: 01:00\n") ==
          "vm.yaml:4:5: error: give one of 'host', 'functions' and 'mapping' in a passthrough entry, not several");
    // A profile whose function asks for legacy IGD (written here: the shipped one leaves the id to the VM file).
    fs::path dir = fs::temp_directory_path() / ("vfiogen-igd-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    std::ofstream(dir / "igd.yaml") << "functions:\n  - role: igd\n    id: \"8086:3e92\"\n    function: 0\n    legacy_igd: true\n";
    ProfileLibrary profiles({dir.string()});
    std::string error = test::input_error_text(
        [&] { load_vm_text("name: vm\nvmid: 100\npassthrough:\n  - profile: igd\n    mapping: igd\n", "vm.yaml", profiles); });
    fs::remove_all(dir);
    CHECK(error.find("vm.yaml:5:14: error: legacy IGD needs the host address 0000:00:02.0") == 0);
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
        text += "tags: x\n";  // a line qemu-server reads (the rendering is read back)
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
    std::string flat = "description: ";
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

// `check` leaves the built-in template's renderings out of RelaxNG (issue 13: speed); this is the
// proof it relies on. Every VM file in the repository that loads (examples, test VMs, rule cases,
// the fuzz seeds) renders to XML that libvirt's domain.rng accepts; the VM-file fuzzer checks
// the same on generated files.
TEST_CASE("every VM file in the repository renders to libvirt XML that domain.rng accepts") {
    DomainSchema schema;
    auto profiles = test::test_profiles();
    TemplateSet templates;
    size_t rendered = 0;
    for (const char* dir : {"examples", "tests/data/vms", "tests/data/check/rules", "tests/fuzz/corpus/yaml"}) {
        for (const auto& entry : fs::recursive_directory_iterator(test::source_dir() + "/" + dir)) {
            std::string path = entry.path().string();
            if (!entry.is_regular_file() || path.find(".profile.") != std::string::npos) continue;
            if (path.size() < 5 || (path.compare(path.size() - 5, 5, ".yaml") != 0 && path.find("/corpus/") == std::string::npos))
                continue;
            std::string xml;
            try {
                Vm vm = load_vm(path, profiles);
                if (std::any_of(vm.passthrough.begin(), vm.passthrough.end(), [](const auto& d) { return !d.mapping.empty(); }))
                    continue;  // PVE resource mappings: no libvirt rendering
                xml = render(vm, Target::Libvirt, templates).text;
            } catch (const InputError&) {
                continue;  // refused VM files have no rendering
            }
            CAPTURE(path);
            XmlDocument doc(xml, path);
            Findings findings = schema.validate(xml, doc);
            CHECK(findings.empty());
            for (const auto& f : findings) MESSAGE(f.mark.line << ": " << f.message);
            ++rendered;
        }
    }
    MESSAGE(rendered << " renderings validated");
    CHECK(rendered >= 20);  // 22 today: a loader that refused them all would prove nothing
}

TEST_CASE("refuse_foreign_vmid_conf: a conf written as another VM's N.conf is refused at vmid") {
    Vm vm = load_example("pve-nvidia-gt1030");  // vmid 120
    CHECK(test::input_error_text([&] { refuse_foreign_vmid_conf(vm, "/etc/pve/qemu-server/120.conf"); }) == "");
    CHECK(test::input_error_text([&] { refuse_foreign_vmid_conf(vm, "out/win10.conf"); }) == "");
    CHECK(test::input_error_text([&] { refuse_foreign_vmid_conf(vm, "121.conf.bak"); }) == "");
    CHECK(test::input_error_text([&] { refuse_foreign_vmid_conf(vm, "/etc/pve/qemu-server/121.conf"); }).find(
              ": error: vmid 120 does not match the output /etc/pve/qemu-server/121.conf: PVE reads 121.conf as VM 121, "
              "which would then use VM 120's disks") != std::string::npos);
    Vm no_vmid = load_text("name: x\n");
    CHECK(test::input_error_text([&] { refuse_foreign_vmid_conf(no_vmid, "121.conf"); }) ==
          "vm.yaml:1:1: error: the output 121.conf is the conf of VM 121, but this VM file has no vmid: set 'vmid: 121' if "
          "it describes that VM, or write to another file");
}
