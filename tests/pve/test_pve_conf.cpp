#include <doctest/doctest.h>
#include <random>
#include <regex>

#include "pve/pve_check.h"
#include "pve/pve_conf.h"
#include "rules/check_rules.h"
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
    for (const char* bad : {"[snap] x", "key", "Key: v", "key:", ": v", "0key: v", "net0a: v"}) {
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
    REQUIRE(conf.warnings.size() == 1);
    CHECK(format_mark(conf.warnings[0].mark) == "130.conf:19:1");
}

TEST_CASE("findings point at the right line in the right section") {
    Findings f = check_pve_conf(parse_pve_conf(kWhole, "130.conf"));
    std::vector<std::string> got;
    for (const auto& x : f) got.push_back(format_mark(x.mark) + " " + x.rule);
    // The snapshot has no machine key: i440fx, so its pcie=1 fails; [special:cloudinit] is not checked;
    // the current config's legacy IGD is fine (vga none, i440fx by default, 00:02.0), but its OVMF has no efidisk0.
    CHECK(got == std::vector<std::string>{"130.conf:3:7 pve-efidisk-missing", "130.conf:15:22 pve-pcie-q35",
                                          "130.conf:19:1 pve-syntax"});
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
    std::string name = "name: " + std::string(300000, 'a') + "\n";  // pve-common dns-name: at most 253 characters
    Findings long_name = check_pve_conf(parse_pve_conf(name, "x.conf"));
    REQUIRE(long_name.size() == 1);
    CHECK(long_name[0].rule == "pve-value");
    CHECK(check_pve_conf(parse_pve_conf("name: " + std::string(253, 'a') + "\n", "x.conf")).empty());
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

// ---- parse_vm_config's order of regexes (qemu-server QemuServer.pm at e6352be6, 9.2.6) ----

namespace {

struct LineCase {
    const char* line;
    PveLine::Kind kind;
    const char* key;    // Entry: key; Section: name
    const char* value;  // Entry: value
    bool snapstate_suffix = false;
};

}  // namespace

TEST_CASE("each line is classified by the first of parse_vm_config's regexes that matches") {
    using K = PveLine::Kind;
    const LineCase cases[] = {
        {"   \t", K::Blank, "", ""},
        {"[PENDING]", K::Section, "PENDING", ""},
        {"[pending]  ", K::Section, "pending", ""},
        {"[special:cloudinit]", K::Section, "special:cloudinit", ""},
        {"[special:fleecing]", K::Section, "special:fleecing", ""},
        {"[snap-1_a]", K::Section, "snap-1_a", ""},
        {"[a]", K::Section, "a", ""},            // one letter: an unknown section, not a snapshot
        {"[:3]", K::Section, ":3", ""},          // unknown
        {"#snapstate: delete", K::Comment, "", ""},
        {"description: text snapstate: delete", K::Entry, "description", "text snapstate: delete"},
        {"snapstate: delete", K::Entry, "snapstate", "delete"},
        {"snapstate:prepare  ", K::Entry, "snapstate", "prepare"},
        {"hostpci0: 0000:01:00.0,romfile=snapstate:delete", K::Entry, "snapstate", "delete", true},
        {"args: -foo snapstate: prepare", K::Entry, "snapstate", "prepare", true},
        {"delete: net0 snapstate:delete", K::Entry, "snapstate", "delete", true},
        {"not a key line snapstate:delete", K::Entry, "snapstate", "delete", true},
        {"hostpci0: x,romfile=snapstate:deleted", K::Entry, "hostpci0", "x,romfile=snapstate:deleted"},
        {"args:  -cpu host  ", K::Entry, "args", "-cpu host"},
        {"args:  ", K::Entry, "args", " "},      // only white space: (.+?) takes the last space
        {"tags:\t\t", K::Entry, "tags", "\t"},
        {"tags: \r", K::Entry, "tags", "\r"},    // a CRLF file: \r is white space
        {"boot: order=scsi0\r", K::Entry, "boot", "order=scsi0"},
        {"amd-sev: type=snp", K::Entry, "amd-sev", "type=snp"},
        {"a-b_c12: x", K::Entry, "a-b_c12", "x"},
        {"vga:none", K::Entry, "vga", "none"},
        {"boot:", K::Bad, "", ""},
        {"[snap]x", K::Bad, "", ""},
    };
    for (const auto& c : cases) {
        INFO(c.line);
        auto lines = lex_pve_conf(c.line);
        REQUIRE(lines.size() == 1);
        CHECK(lines[0].kind == c.kind);
        CHECK(lines[0].key == c.key);
        if (c.kind == K::Entry) CHECK(lines[0].value == c.value);
        CHECK(lines[0].snapstate_suffix == c.snapstate_suffix);
    }
}

TEST_CASE("an unknown section hides its lines; a repeated section replaces the earlier one") {
    PveConf conf = parse_pve_conf("name: a\n[x y]\nhostpci0: 01:00.0\n#note\n[PENDING]\nmemory: 1\n[PENDING]\nmemory: 2\n", "1.conf");
    REQUIRE(conf.sections.size() == 2);
    CHECK(conf.sections[1].find("memory")->value == "2");
    REQUIRE(conf.warnings.size() == 2);
    CHECK(format_mark(conf.warnings[0].mark) == "1.conf:2:1");
    CHECK(conf.warnings[0].message == "qemu-server skips unknown section '[x y]' with a warning, and its 2 line(s) up to the next section are never read");
    CHECK(format_mark(conf.warnings[1].mark) == "1.conf:7:1");
    CHECK(conf.warnings[1].message == "qemu-server warns \"duplicate section\" and drops the earlier [PENDING] (line 5) for this one");
}

TEST_CASE("check: 'key:' alone is a warning, as PVE only warns; a snapstate suffix is an error") {
    Findings f = check_pve_conf(parse_pve_conf("boot:\ntags:  \nhostpci0: 0000:01:00.0,romfile=a snapstate: delete\n", "1.conf"));
    REQUIRE(f.size() == 2);
    CHECK(f[0].rule == "pve-syntax");
    CHECK(format_mark(f[0].mark) == "1.conf:1:1");
    CHECK(f[0].message.find("it warns and skips it, so the VM starts without it") != std::string::npos);
    CHECK(check_rule("pve-syntax").severity == Severity::Warning);
    CHECK(f[1].rule == "pve-snapstate-line");
    CHECK(format_mark(f[1].mark) == "1.conf:3:1");
    CHECK(f[1].message.find("its 'hostpci0' entry is silently lost") != std::string::npos);
    CHECK(check_rule("pve-snapstate-line").severity == Severity::Error);
}

TEST_CASE("pve_line_problem: a value is safe exactly when the line reads back as it") {
    CHECK(pve_line_problem("args", "-cpu host") == "");
    CHECK(pve_line_problem("hostpci0", "0000:01:00.0,romfile=snapstate:deleted") == "");
    CHECK(pve_line_problem("hostpci0", "0000:01:00.0,romfile=snapstate:delete").find("snapshot state") != std::string::npos);
    CHECK(pve_line_problem("args", "a\nb").find("line break") != std::string::npos);
    CHECK(pve_line_problem("name", " x").find("trims") != std::string::npos);
    CHECK(pve_line_problem("name", "").find("it is empty") != std::string::npos);
}

// ---- generated lines against an independent oracle: parse_vm_config's regexes themselves ----

namespace {

// parse_vm_config's per-line decision, written with the Perl regexes as std::regex (ECMAScript:
// `[^\n]` stands for Perl's `.`, which unlike ECMAScript's matches "\r"). Only for short lines.
struct Oracle {
    PveLine::Kind kind;
    std::string key, value;
};

Oracle oracle(const std::string& line) {
    using K = PveLine::Kind;
    static const std::regex blank(R"(^\s*$)"), pending(R"(^\[PENDING\]\s*$)", std::regex::icase),
        special(R"(^\[special:(cloudinit|fleecing)\]\s*$)", std::regex::icase),
        snapshot(R"(^\[([a-z][a-z0-9_\-]+)\]\s*$)", std::regex::icase), unknown(R"(^\[([^\]]*)\]\s*$)"),
        comment(R"(^#)"), description(R"(^(description):\s*([^\n]*\S)\s*$)"),
        snapstate(R"(snapstate:\s*(prepare|delete)\s*$)"), args(R"(^(args):\s*([^\n]*\S)\s*$)"),
        del(R"(^(delete):\s*([^\n]*\S)\s*$)"), key(R"(^([a-z][a-z_\-]*\d*):\s*([^\n]+?)\s*$)");
    std::smatch m;
    if (std::regex_search(line, blank)) return {K::Blank, "", ""};
    for (const auto* r : {&pending, &special, &snapshot, &unknown})
        if (std::regex_search(line, m, *r)) return {K::Section, "", ""};
    if (std::regex_search(line, comment)) return {K::Comment, "", ""};
    if (std::regex_search(line, m, description)) return {K::Entry, m[1], m[2]};
    if (std::regex_search(line, m, snapstate)) return {K::Entry, "snapstate", m[1]};
    for (const auto* r : {&args, &del, &key})
        if (std::regex_search(line, m, *r)) return {K::Entry, m[1], m[2]};
    return {K::Bad, "", ""};
}

// A random line from pieces that hostile values use.
std::string hostile_line(std::mt19937& rng) {
    static const char* const pieces[] = {"hostpci0:", "args:", "description:", "delete:", "snapstate:", "tags:", "amd-sev:",
                                         "Key:", "net0a:", " ", "  ", "\t", "\r", "\v", "#", "[", "]", "PENDING", "special:",
                                         "cloudinit", "snap", "delete", "prepare", ":", "=", ",", "a", "0000:01:00.0", "romfile=x"};
    std::uniform_int_distribution<size_t> count(1, 7), pick(0, std::size(pieces) - 1);
    std::string line;
    for (size_t n = count(rng); n > 0; --n) line += pieces[pick(rng)];
    return line;
}

}  // namespace

TEST_CASE("generated hostile lines: the lexer agrees with parse_vm_config's regexes") {
    std::mt19937 rng(17);
    for (int i = 0; i < 20000; ++i) {
        std::string line = hostile_line(rng);
        INFO(line);
        Oracle want = oracle(line);
        PveLine got = lex_pve_conf(line).at(0);
        REQUIRE(got.kind == want.kind);
        if (want.kind == PveLine::Kind::Entry) {
            CHECK(got.key == want.key);
            CHECK(got.value == want.value);
        }
    }
}

TEST_CASE("generated hostile values: pve_line_problem is empty exactly when qemu-server reads the value back") {
    std::mt19937 rng(15);
    for (int i = 0; i < 20000; ++i) {
        std::string value = hostile_line(rng);
        for (const char* key : {"hostpci0", "args", "name"}) {
            INFO(key << ": " << value);
            std::string line = std::string(key) + ": " + value;
            Oracle back = oracle(line);
            bool reads_back = back.kind == PveLine::Kind::Entry && back.key == key && back.value == value;
            CHECK(pve_line_problem(key, value).empty() == reads_back);
        }
    }
}

TEST_CASE("section headers as qemu-server's parse-config tests use them") {
    // A snapshot may be called "cloudinit"; only [special:cloudinit] is the special section. An unknown
    // [special:...] is skipped with its lines, and a later known section is read again.
    PveConf conf = parse_pve_conf("parent: cloudinit\n[special:unknown1]\nname: a\n[special:cloudinit]\nname: b\n[cloudinit]\n"
                                  "snaptime: 1\n[:3]\ncat: x\n[Pending]\nbios: ovmf\n",
                                  "8006.conf");
    REQUIRE(conf.sections.size() == 4);
    CHECK(conf.sections[1].kind == PveSection::Kind::Cloudinit);
    CHECK(conf.sections[1].find("name")->value == "b");
    CHECK(conf.sections[2].kind == PveSection::Kind::Snapshot);
    CHECK(conf.sections[2].name == "cloudinit");
    CHECK(conf.sections[3].kind == PveSection::Kind::Pending);
    REQUIRE(conf.warnings.size() == 2);
    CHECK(format_mark(conf.warnings[0].mark) == "8006.conf:2:1");
    CHECK(format_mark(conf.warnings[1].mark) == "8006.conf:8:1");
}
