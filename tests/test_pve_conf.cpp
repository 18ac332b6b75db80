#include <doctest/doctest.h>

#include "pve_check.h"
#include "pve_conf.h"
#include "test_helpers.h"

using namespace vfiogen;

namespace {

// A conf with every part of the format (qemu-server QemuServer.pm parse_vm_config).
const char* kWhole =
    "#Windows 10 with the iGPU\n"        // 1 description
    "#%3A notes in PVE's encoding\n"     // 2
    "bios: ovmf\n"                       // 3
    "hostpci0: 0000:00:02.0,legacy-igd=1\r\n"  // 4 (CRLF)
    "vga:none\n"                         // 5 (no space after ':', as the regex allows)
    "\n"                                 // 6
    "[PENDING]\n"                        // 7
    "delete: hostpci1\n"                 // 8
    "memory: 8192\n"                     // 9
    "\n"                                 // 10
    "[before-driver]\n"                  // 11 snapshot
    "#snapshot notes\n"                  // 12
    "parent: first\n"                    // 13
    "snaptime: 1700000000\n"             // 14
    "hostpci0: 0000:01:00,pcie=1\n"      // 15
    "\n"                                 // 16
    "[special:cloudinit]\n"              // 17
    "ipconfig0: ip=dhcp\n"               // 18
    "  indented: no\n";                  // 19 not a key line

}  // namespace

TEST_CASE("the lexer classifies lines as qemu-server does, with their numbers") {
    auto lines = lex_pve_conf(kWhole);
    REQUIRE(lines.size() == 19);
    CHECK(lines[0].kind == PveLine::Kind::Comment);
    CHECK(lines[0].value == "Windows 10 with the iGPU");
    CHECK(lines[3].kind == PveLine::Kind::Entry);
    CHECK(lines[3].key == "hostpci0");
    CHECK(lines[3].value == "0000:00:02.0,legacy-igd=1");  // the \r is not part of the value
    CHECK(lines[3].value_column == 11);
    CHECK(lines[4].key == "vga");
    CHECK(lines[4].value == "none");
    CHECK(lines[4].value_column == 5);
    CHECK(lines[5].kind == PveLine::Kind::Blank);
    CHECK(lines[6].kind == PveLine::Kind::Section);
    CHECK(lines[6].key == "PENDING");
    CHECK(lines[10].key == "before-driver");
    CHECK(lines[16].key == "special:cloudinit");
    CHECK(lines[18].kind == PveLine::Kind::Bad);
    CHECK(lines[18].number == 19);
    // Not section headers: a one-letter name, a name starting with a digit, text after ']'.
    for (const char* bad : {"[a]", "[1snap]", "[snap] x", "key", "Key: v", "key:", "key: ", ": v"}) {
        INFO(bad);
        CHECK(lex_pve_conf(bad).at(0).kind == PveLine::Kind::Bad);
    }
}

TEST_CASE("the model puts entries and notes in their sections with their marks") {
    PveConf conf = parse_pve_conf(kWhole, "130.conf");
    REQUIRE(conf.sections.size() == 4);
    const PveSection& current = conf.sections[0];
    CHECK(current.kind == PveSection::Kind::Current);
    CHECK(current.notes.size() == 2);
    CHECK(current.entries.size() == 3);
    CHECK(format_mark(current.find("hostpci0")->mark) == "130.conf:4:1");
    CHECK(format_mark(current.find("hostpci0")->value_mark(13)) == "130.conf:4:24");
    CHECK(conf.sections[1].kind == PveSection::Kind::Pending);
    CHECK(conf.sections[1].find("delete")->value == "hostpci1");
    CHECK(conf.sections[2].kind == PveSection::Kind::Snapshot);
    CHECK(conf.sections[2].name == "before-driver");
    CHECK(format_mark(conf.sections[2].mark) == "130.conf:11:1");
    CHECK(conf.sections[2].notes.at(0).first == "snapshot notes");
    CHECK(conf.sections[2].find("hostpci0")->value == "0000:01:00,pcie=1");
    CHECK(conf.sections[3].kind == PveSection::Kind::Cloudinit);
    REQUIRE(conf.bad_lines.size() == 1);
    CHECK(conf.bad_lines[0].number == 19);
}

TEST_CASE("findings point at the right line in the right section") {
    Findings f = check_pve_conf(parse_pve_conf(kWhole, "130.conf"));
    std::vector<std::string> got;
    for (const auto& x : f) got.push_back(format_mark(x.mark) + " " + x.rule);
    // The snapshot has no machine key: i440fx, so its pcie=1 fails; [special:cloudinit] is not checked;
    // the current config's legacy IGD is fine (vga none, i440fx by default, 00:02.0).
    CHECK(got == std::vector<std::string>{"130.conf:15:22 pve-pcie-q35", "130.conf:19:1 pve-syntax"});
}

TEST_CASE("property strings: default key, key=value, offsets and errors") {
    PropertyList p = parse_property_string("0000:01:00.0,pcie=1,x-vga=on", "host");
    REQUIRE(p.properties.size() == 3);
    CHECK(p.properties[0].key == "host");
    CHECK(p.properties[0].bare);
    CHECK(p.properties[1].key == "pcie");
    CHECK(p.properties[1].value == "1");
    CHECK(p.properties[1].offset == 13);
    CHECK(p.properties[2].offset == 20);
    CHECK(p.error.empty());

    PropertyList named = parse_property_string("host=01:00.0;01:00.1,rombar=0", "host");
    CHECK(named.find("host")->value == "01:00.0;01:00.1");
    CHECK_FALSE(named.find("host")->bare);

    PropertyList two = parse_property_string("01:00.0,02:00.0", "host");
    CHECK(two.error == "'02:00.0' has no '=value' (the default sub-key 'host' is already given)");
    CHECK(two.error_offset == 8);
    PropertyList empty = parse_property_string("01:00.0,,pcie=1", "host");
    CHECK(empty.error == "empty item in property string");
    CHECK(empty.error_offset == 8);
    CHECK(parse_property_string("a", "").error == "'a' has no '=value' and this key has no default sub-key");
}

TEST_CASE("realistic confs from the seeds and the golden files check clean") {
    for (const char* name : {"pve-intel-igd-gen12.pve.conf", "pve-nvidia-gt1030.pve.conf", "libvirt-intel-hd630.pve.conf",
                             "libvirt-intel-arc-a380.pve.conf", "libvirt-tesla-t10.pve.conf"}) {
        INFO(name);
        std::string text = test::read_file(test::source_dir() + "/tests/golden/" + name);
        CHECK(check_pve_conf(parse_pve_conf(text, name)).empty());
    }
    // Seed 003's AMD conf: x-vga=1 under OVMF with `vga:` unset still makes the GPU the only
    // display (qemu-server sets vga none), so it is no finding.
    CHECK(check_pve_conf(parse_pve_conf(test::read_file(test::source_dir() + "/tests/golden/pve-amd-igpu-5700u.pve.conf"), "a.conf")).empty());
}

TEST_CASE("huge values and keys are checked in linear time without deep recursion") {
    std::string name = "name: " + std::string(300000, 'a') + "\n";
    CHECK(check_pve_conf(parse_pve_conf(name, "x.conf")).empty());
    std::string bad_size = "scsi0: local:vm-100-disk-0,size=" + std::string(300000, '1') + "X\n";
    REQUIRE(check_pve_conf(parse_pve_conf(bad_size, "x.conf")).size() == 1);
    std::string ids = "hostpci0: host=";
    for (int bus = 0; bus < 256; ++bus)
        for (int dev = 0; dev < 32; ++dev) {
            char id[16];
            std::snprintf(id, sizeof id, "%s%02x:%02x.0", bus || dev ? ";" : "", bus, dev);
            ids += id;
        }
    Findings many = check_pve_conf(parse_pve_conf(ids + ";00:00.0\n", "x.conf"));
    REQUIRE(many.size() == 2);  // the one repeat, and the chipset's LPC bridge 00:1f.0 among them
    CHECK(many[0].rule == "chipset-slot");
    CHECK(many[1].rule == "duplicate-host-function");
}
