// `vfiogen check` as a whole: kinds, VM files through their renderings, reports.
#include <doctest/doctest.h>

#include <algorithm>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "app/check.h"
#include "app/check_report.h"
#include "test_helpers.h"

using namespace vfiogen;
namespace fs = std::filesystem;

namespace {

CheckOptions options() {
    CheckOptions o;
    o.profile_dirs = {test::source_dir() + "/tests/data/profiles", test::source_dir() + "/profiles"};
    return o;
}

std::string lines_of(const FileResult& r) {
    std::string out;
    for (const auto& f : r.findings)
        out += format_mark(f.mark) + ": " + severity_name(f.severity()) + "[" + f.rule + "]: " + f.message + "\n";
    return out;
}

}  // namespace

TEST_CASE("kinds come from the extension, else from the content") {
    CHECK(detect_kind("a.conf", "<domain/>") == InputKind::PveConf);
    CHECK(detect_kind("a.xml", "name: x") == InputKind::LibvirtXml);
    CHECK(detect_kind("a.yaml", "functions:\n  - role: gpu\n") == InputKind::Profile);
    CHECK(detect_kind("a.yml", "name: vm\n") == InputKind::VmFile);
    CHECK(detect_kind("<stdin>", "  \n<domain type='kvm'/>") == InputKind::LibvirtXml);
    CHECK(detect_kind("<stdin>", "bios: ovmf\nhostpci0: 01:00.0\n") == InputKind::PveConf);
    CHECK(detect_kind("<stdin>", "name: vm\n\n[snap]\nname: vm\n") == InputKind::PveConf);
    CHECK(detect_kind("<stdin>", "name: vm\nmemory_mib: 4096\n") == InputKind::VmFile);
    CHECK(detect_kind("<stdin>", "description: x\nfunctions: []\n") == InputKind::Profile);
}

TEST_CASE("every example VM file, profile and golden rendering checks without errors") {
    Checker checker(options());
    std::vector<std::string> inputs = {test::source_dir() + "/profiles", test::source_dir() + "/tests/golden"};
    for (const auto& e : fs::directory_iterator(test::source_dir() + "/examples"))  // examples/ci holds a workflow
        if (e.path().extension() == ".yaml") inputs.push_back(e.path().string());
    std::vector<std::string> paths = expand_check_paths(inputs);
    size_t examples = test::example_stems().size();
    CHECK(examples >= 8);
    // examples, profiles, three renderings per example
    CHECK(paths.size() == examples + std::distance(fs::directory_iterator(test::source_dir() + "/profiles"), {}) + 3 * examples);
    // A snippet is not a whole conf: it leaves out the machine key when the VM file pins no
    // version (the VM's own pinned one stays), so read alone it looks like i440fx.
    paths.erase(std::remove_if(paths.begin(), paths.end(),
                               [](const std::string& p) { return p.find(".pve-snippet.conf") != std::string::npos; }),
                paths.end());
    for (const auto& path : paths) {
        INFO(path);
        FileResult r = checker.check_file(path);
        CHECK_FALSE(r.unreadable);
        for (const auto& f : r.findings) {
            INFO(lines_of(r));
            CHECK(f.severity() != Severity::Error);
        }
    }
}

TEST_CASE("a finding of a rendering points at the VM file's binding and names the rendering line") {
    Checker checker(options());
    // rombar: false with a ROM file under OVMF: both renderings break romfile-rombar-off, each
    // reported at the function's binding with the rendering's line.
    FileResult r = checker.check_text("name: vm\nvmid: 100\npassthrough:\n  - profile: nvidia-gt1030\n    functions:\n"
                                      "      - {role: gpu, host: \"01:00.0\", romfile: gt1030.rom, rombar: false}\n"
                                      "      - {role: audio, host: \"01:00.1\"}\n",
                                      "vm.yaml");
    CHECK(lines_of(r) ==
          "vm.yaml:6:27: warning[romfile-rombar-off]: rombar=0 with romfile 'gt1030.rom' under bios: ovmf: QEMU then gives the ROM "
          "only to SeaBIOS (fw_cfg); OVMF never runs it (in the PVE rendering, line 8)\n"
          "vm.yaml:6:27: warning[romfile-rombar-off]: <rom bar='off' file='/usr/share/kvm/gt1030.rom'> under OVMF: QEMU then gives "
          "the ROM only to SeaBIOS (fw_cfg); OVMF never runs it (in the libvirt rendering, line 41)\n");
}

TEST_CASE("a VM file's own finding hides the same rule from its renderings") {
    Checker checker(options());
    // The VM file's qemu_args carry the rule at their own mark; the libvirt rendering would report it again.
    FileResult r = checker.check_text("name: vm\nqemu_args: [\"-set\", \"device.x.x-vga=on\"]\n", "vm.yaml", InputKind::VmFile);
    CHECK(lines_of(r) ==
          "vm.yaml:2:13: error[lv-commandline-set]: '-set device.x.x-vga=on' lands in <qemu:commandline> of the libvirt "
          "rendering, which current libvirt breaks (devices are passed as JSON)\n");
    // A VM without vmid is for libvirt only: no PVE rendering, no vmid error.
    CHECK(lines_of(checker.check_text("name: vm\n", "vm.yaml", InputKind::VmFile)) == "");
    // A target rule of one rendering is a vm-invalid finding at the VM file's mark.
    CHECK(lines_of(checker.check_text("name: my_vm\nvmid: 100\n", "vm.yaml", InputKind::VmFile)) ==
          "vm.yaml:1:7: error[vm-invalid]: VM name 'my_vm' is not valid for PVE: it must be a DNS name (letters, digits, inner '-', '.')\n");
}

TEST_CASE("unreadable inputs are results, never exceptions") {
    Checker checker(options());
    FileResult missing = checker.check_file("/nonexistent/x.conf");
    CHECK(missing.unreadable);
    CHECK(lines_of(missing) == "/nonexistent/x.conf: error[unreadable]: cannot open: No such file or directory\n");
    FileResult dir = checker.check_file(test::source_dir() + "/templates");
    CHECK(lines_of(dir) == test::source_dir() + "/templates: error[unreadable]: no .yaml, .yml, .conf or .xml file in this directory\n");
    CHECK(lines_of(checker.check_text(std::string("a\0b", 3), "x.conf")) == "x.conf: error[unreadable]: binary file: expected text\n");
    CHECK(lines_of(checker.check_text(" \n", "x.xml")) == "x.xml: error[unreadable]: empty file\n");
    FileResult profile = checker.check_text("functions: [\n", "p.yaml", InputKind::Profile);
    CHECK(profile.unreadable);
}

TEST_CASE("a missing schema is an error naming it") {
    CheckOptions o = options();
    o.schema_path = "/nonexistent/domain.rng";
    Checker checker(o);
    CHECK(test::input_error_text([&] { checker.check_text("<domain/>", "d.xml"); }) ==
          "/nonexistent/domain.rng: error: cannot read the libvirt RelaxNG schema (missing or not RelaxNG); install libvirt-common");
}

TEST_CASE("directories are searched recursively for the four kinds, sorted, hidden entries skipped") {
    fs::path dir = fs::temp_directory_path() / ("vfiogen-check-" + std::to_string(::getpid()));
    fs::create_directories(dir / "sub" / "deeper");
    fs::create_directories(dir / ".git");
    for (const char* f : {"b.conf", "a.xml", "sub/c.yaml", "sub/deeper/d.yml", "notes.txt", ".hidden.conf", ".git/e.conf"})
        std::ofstream(dir / f) << "x";
    fs::create_directories(dir / "empty");
    auto paths = expand_check_paths({dir.string(), "-", "/nonexistent", (dir / "empty").string()});
    std::vector<std::string> want = {(dir / "a.xml").string(), (dir / "b.conf").string(), (dir / "sub/c.yaml").string(),
                                     (dir / "sub/deeper/d.yml").string(), "-", "/nonexistent", (dir / "empty").string()};
    CHECK(paths == want);
    fs::remove_all(dir);
}

TEST_CASE("reports: text with hints and a summary, JSON, SARIF 2.1.0") {
    Checker checker(options());
    std::vector<FileResult> results = {
        checker.check_text("bios: ovmf\nhostpci0: 0000:01:00,rombar=0,pcie=1,romfile=gpu.rom\nefidisk0: local-lvm:vm-100-disk-0,efitype=4m,size=4M\n", "100.conf"),
        checker.check_text("<domain>\n", "bad.xml"),
        checker.check_text("memory: 4096\n", "/srv/pve/101 new.conf"),
    };
    CHECK(format_text(results) ==
          "100.conf:2:22: warning[romfile-rombar-off]: rombar=0 with romfile 'gpu.rom' under bios: ovmf: QEMU then gives the ROM only "
          "to SeaBIOS (fw_cfg); OVMF never runs it\n"
          "    hint: Drop rombar=0 (bar='off') so the ROM is the device's ROM BAR, or drop the ROM file.\n"
          "100.conf:2:31: error[pve-pcie-q35]: pcie=1 needs a q35 machine type, but this VM uses 'pc' (qemu-server: \"q35 machine model is not enabled\")\n"
          "    hint: Set `machine: q35` (or pc-q35-X.Y) or drop pcie=1.\n"
          "bad.xml:1:9: error[unreadable]: XML is not well-formed: Start-end tags mismatch\n"
          "    hint: Fix the syntax at the position given; nothing else in the file was checked.\n"
          "3 files checked: 2 errors, 1 warning, 1 unreadable\n");
    CHECK(format_text({results[2]}) == "1 file checked: 0 errors, 0 warnings\n");

    auto json = nlohmann::json::parse(format_json(results));
    CHECK(json["summary"] == nlohmann::json({{"files", 3}, {"errors", 2}, {"warnings", 1}, {"unreadable", 1}}));
    CHECK(json["files"][0] == nlohmann::json({{"path", "100.conf"}, {"kind", "pve"}, {"unreadable", false}}));
    CHECK(json["files"][1]["unreadable"] == true);
    CHECK(json["findings"][1] == nlohmann::json({{"file", "100.conf"},
                                                 {"line", 2},
                                                 {"column", 31},
                                                 {"severity", "error"},
                                                 {"rule", "pve-pcie-q35"},
                                                 {"message", results[0].findings[1].message},
                                                 {"hint", "Set `machine: q35` (or pc-q35-X.Y) or drop pcie=1."}}));

    auto sarif = nlohmann::json::parse(format_sarif(results));
    CHECK(sarif["version"] == "2.1.0");
    const auto& run = sarif["runs"][0];
    CHECK(run["tool"]["driver"]["name"] == "vfiogen");
    REQUIRE(run["tool"]["driver"]["rules"].size() == check_rules().size());
    const auto& result = run["results"][1];
    CHECK(result["ruleId"] == "pve-pcie-q35");
    CHECK(run["tool"]["driver"]["rules"][result["ruleIndex"].get<size_t>()]["id"] == "pve-pcie-q35");
    CHECK(result["level"] == "error");
    CHECK(result["locations"][0]["physicalLocation"] ==
          nlohmann::json({{"artifactLocation", {{"uri", "100.conf"}}}, {"region", {{"startLine", 2}, {"startColumn", 31}}}}));
    CHECK(run["results"][0]["level"] == "warning");
    CHECK(run["results"].size() == 3);
    // Absolute paths become file URIs, percent-encoded.
    std::vector<FileResult> abs = {checker.check_text("memroy: 1\n", "/srv/pve/101 new.conf")};
    auto a = nlohmann::json::parse(format_sarif(abs));
    CHECK(a["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "file:///srv/pve/101%20new.conf");
}

TEST_CASE("reports are streamed: a file's findings are written when it is added, as one document") {
    Checker checker(options());
    FileResult first = checker.check_text("bios: ovmf\nhostpci0: 0000:01:00,rombar=0,pcie=1,romfile=gpu.rom\n", "100.conf");
    FileResult second = checker.check_text("<domain>\n", "bad.xml");
    REQUIRE(first.findings.size() >= 2);
    for (ReportFormat format : {ReportFormat::Text, ReportFormat::Json, ReportFormat::Sarif}) {
        std::ostringstream out;
        auto writer = ReportWriter::make(format, out);
        writer->add(first);
        CAPTURE(static_cast<int>(format));
        // The first file's last finding is out before the second file is even checked.
        CHECK(out.str().find("pve-pcie-q35") != std::string::npos);
        writer->add(second);
        CheckSummary s = writer->finish();
        CHECK(s.files == 2);
        CHECK(s.unreadable == 1);
        if (format == ReportFormat::Text) {
            CHECK(out.str() == format_text({first, second}));
            continue;
        }
        auto doc = nlohmann::json::parse(out.str());
        // SARIF comes out byte for byte as one nlohmann dump(2) of the whole document would.
        if (format == ReportFormat::Sarif) CHECK(out.str() == doc.dump(2) + "\n");
        else CHECK(doc["findings"].size() == first.findings.size() + second.findings.size());
    }
    // No files: still a whole document.
    CHECK(nlohmann::json::parse(format_sarif({}))["runs"][0]["results"].empty());
    CHECK(nlohmann::json::parse(format_json({}))["findings"].empty());
}

namespace {

// libvirt 10.x domain XML as its author's host writes it, with one real mistake (<vcpu> inside
// <devices>) between the names libvirt 9.0 does not know.
const char* kNewerDomain =
    "<domain type='kvm'>\n"
    "  <name>t</name>\n"
    "  <memory unit='MiB'>1024</memory>\n"
    "  <cpu mode='host-passthrough'>\n"
    "    <topology sockets='1' dies='1' clusters='1' cores='4' threads='1'/>\n"
    "  </cpu>\n"
    "  <os>\n"
    "    <type arch='x86_64' machine='pc-q35-9.2'>hvm</type>\n"
    "  </os>\n"
    "  <devices>\n"
    "    <watchdog model='itco' action='reset'/>\n"
    "    <vcpu>2</vcpu>\n"
    "    <audio id='1' type='pipewire'/>\n"
    "  </devices>\n"
    "</domain>\n";

// A copy of the installed schemas where cputypes.rng also knows <topology clusters=>, as
// libvirt 10.1's does: a stand-in for a newer libvirt's schema directory.
struct NewerSchemas {
    fs::path dir = fs::temp_directory_path() / ("vfiogen-rng-" + std::to_string(::getpid()));
    NewerSchemas() {
        fs::remove_all(dir);
        fs::copy("/usr/share/libvirt/schemas", dir);
        std::string cpu = test::read_file((dir / "cputypes.rng").string());
        std::string dies = "<attribute name=\"dies\">";
        size_t at = cpu.find(dies);
        REQUIRE(at != std::string::npos);
        size_t optional = cpu.rfind("<optional>", at);
        cpu.insert(optional,
                   "<optional><attribute name=\"clusters\"><ref "
                   "name=\"positiveInteger\"/></attribute></optional>\n      ");
        std::ofstream(dir / "cputypes.rng") << cpu;
    }
    ~NewerSchemas() { fs::remove_all(dir); }
};

}  // namespace

TEST_CASE(
    "libvirt schema: each failure once at its node, unknown names as warnings naming the schema's release") {
    CheckOptions o = options();
    o.libvirt_version = "9.0.0";
    Checker checker(o);
    FileResult r = checker.check_text(kNewerDomain, "new.xml");
    CHECK(lines_of(r) ==
          "new.xml:5:36: warning[lv-schema-unknown]: attribute 'clusters' of <topology> is not known to "
          "libvirt 9.0.0's schema: a "
          "newer libvirt's, or misspelt; libvirt ignores it\n"
          "new.xml:11:15: warning[lv-schema-unknown]: value 'itco' of <watchdog model> is not known to "
          "libvirt 9.0.0's schema: a newer "
          "libvirt's, or misspelt\n"
          "new.xml:12:5: error[lv-schema]: <vcpu> inside <devices> does not match libvirt 9.0.0's schema: it "
          "is not allowed there, or "
          "its text or a required attribute or child is wrong\n"
          "new.xml:13:19: warning[lv-schema-unknown]: value 'pipewire' of <audio type> is not known to "
          "libvirt 9.0.0's schema: a "
          "newer libvirt's, or misspelt\n");
}

TEST_CASE(
    "libvirt schema: another schema directory judges the file, named by its path or the release given") {
    NewerSchemas newer;
    CheckOptions o = options();
    o.schema_path = (newer.dir / "domain.rng").string();
    std::string text = kNewerDomain;
    text.replace(text.find("    <vcpu>2</vcpu>\n"), 19, "");
    FileResult r = Checker(o).check_text(text, "new.xml");
    std::string all = lines_of(r);
    CHECK(all.find("clusters") == std::string::npos);  // the newer schema knows it
    CHECK(all.find("value 'itco' of <watchdog model> is not known to the schema " + o.schema_path) !=
          std::string::npos);
    o.libvirt_version = "10.1.0";
    CHECK(lines_of(Checker(o).check_text(text, "new.xml")).find("not known to libvirt 10.1.0's schema") !=
          std::string::npos);
}

TEST_CASE(
    "libvirt schema: a misspelt attribute gets a did-you-mean, a document with many failures stays bounded") {
    CheckOptions o = options();
    o.libvirt_version = "9.0.0";
    Checker checker(o);
    std::string text =
        "<domain type='kvm'>\n  <name>t</name>\n  <memory unit='MiB'>1024</memory>\n  <os>\n    <type "
        "arch='x86_64'>hvm</type>\n"
        "  </os>\n  <devices>\n    <hostdev mode='subsystem' type='pci' managed='yes'>\n"
        "      <source><address domain='0x0000' bus='0x01' slot='0x00' functoin='0x0'/></source>\n    "
        "</hostdev>\n"
        "  </devices>\n</domain>\n";
    CHECK(lines_of(checker.check_text(text, "d.xml")) ==
          "d.xml:9:63: warning[lv-schema-unknown]: attribute 'functoin' of <address> is not known to libvirt "
          "9.0.0's schema (did you "
          "mean 'function'?): a newer libvirt's, or misspelt; libvirt ignores it\n");
    std::string many =
        "<domain type='kvm'>\n  <name>t</name>\n  <os>\n    <type>hvm</type>\n  </os>\n  <devices>\n";
    for (int i = 0; i < 500; ++i) many += "    <vcpu>2</vcpu>\n    <disk type='nope'/>\n";
    many += "  </devices>\n</domain>\n";
    FileResult r = checker.check_text(many, "many.xml");
    CHECK(r.findings.size() <= 20);
    CHECK_FALSE(r.findings.empty());
}

namespace {

std::string lines_of_text(const std::string& line, size_t count) {
    std::string out;
    out.reserve(line.size() * count);
    for (size_t i = 0; i < count; ++i) out += line;
    return out;
}

}  // namespace

TEST_CASE("one file reports at most 200 findings; the rest are counted in the note, the summary and the exit code") {
    Checker checker(options());
    // 3,000 lines of `a: 1`: 5,999 warnings (unknown key, then duplicate key on every line after the first).
    FileResult r = checker.check_text(lines_of_text("a: 1\n", 3000), "100.conf");
    REQUIRE(r.findings.size() == kMaxFindingsPerFile + 1);
    CHECK(r.findings.back().rule == "more-findings");
    CHECK(r.findings.back().message == "5799 more findings not shown (0 errors, 5799 warnings); the first 200 are above");
    CHECK(r.hidden_warnings == 5799);
    CheckSummary s = summarize({r});
    CHECK(s.warnings == 5999);
    CHECK(s.errors == 0);
    std::string sarif = format_sarif({r});
    size_t results = 0;
    for (size_t p = 0; (p = sarif.find("\"ruleId\"", p)) != std::string::npos; ++p) ++results;
    CHECK(results == kMaxFindingsPerFile + 1);
    CHECK(sarif.find("\"level\": \"note\"") != std::string::npos);
    // Hidden errors still count: 300 hostpci0 lines with a bad ID are 300 errors (and 299 duplicate
    // key warnings), most of them past the limit.
    FileResult errors = checker.check_text(lines_of_text("hostpci0: zz\n", 300), "101.conf");
    CHECK(errors.hidden_errors > 0);
    CHECK(summarize({errors}).errors == 300);
    CHECK(summarize({errors}).warnings == 299);
}

TEST_CASE("a conf over 20,000 lines and a domain over 5,000 elements are refused before the rules and the schema run") {
    Checker checker(options());
    FileResult conf = checker.check_text(lines_of_text("a: 1\n", 20001), "100.conf");
    CHECK(conf.unreadable);
    REQUIRE(conf.findings.size() == 1);
    CHECK(conf.findings[0].message == "conf has 20001 lines, more than the 20000 vfiogen checks in one qemu-server conf");
    CHECK_FALSE(checker.check_text(lines_of_text("a: 1\n", 20000), "100.conf").unreadable);

    // libxml2's RelaxNG validation is quadratic in the arguments of one <qemu:commandline>: 20,000
    // took 5 s, 100,000 would take minutes. 6 elements around the arguments.
    auto domain = [](size_t args) {
        return "<domain type='kvm' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>\n<name>t</name>\n"
               "<memory unit='MiB'>1024</memory>\n<os><type arch='x86_64' machine='pc'>hvm</type></os>\n"
               "<qemu:commandline>\n" +
               lines_of_text("<qemu:arg value='-no-hpet'/>\n", args) + "</qemu:commandline>\n</domain>\n";
    };
    FileResult big = checker.check_text(domain(100000), "domain.xml");
    CHECK(big.unreadable);
    REQUIRE(big.findings.size() == 1);
    CHECK(big.findings[0].message == "XML has 100006 elements, more than the 5000 vfiogen checks in one domain");
    FileResult fits = checker.check_text(domain(4994), "domain.xml");
    CHECK_FALSE(fits.unreadable);
}

TEST_CASE("a profile file is checked as itself: .yml loads, a .yaml of the same name beside it is not taken") {
    fs::path dir = fs::temp_directory_path() / ("vfiogen-yml-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir / "profiles");
    std::string good = "name: card\nfunctions:\n  - role: gpu\n    id: \"10de:1d01\"\n    function: 0\n";
    std::ofstream(dir / "profiles" / "card.yml") << good;
    Checker c(CheckOptions{});
    FileResult alone = c.check_file((dir / "profiles" / "card.yml").string());
    CHECK(alone.findings.empty());
    std::ofstream(dir / "profiles" / "card.yaml") << "name: card\nfunctions: []\n";  // broken twin
    FileResult yml = c.check_file((dir / "profiles" / "card.yml").string());
    CHECK(yml.findings.empty());
    FileResult yaml = c.check_file((dir / "profiles" / "card.yaml").string());
    REQUIRE(yaml.findings.size() == 1);
    CHECK(yaml.findings[0].rule == "profile-invalid");
    fs::remove_all(dir);
}

TEST_CASE("reports for CI: GitHub workflow commands escaped as actions/toolkit does, GitLab Code Quality") {
    FileResult r;
    r.path = "dir,1/a:b.conf";
    r.kind = InputKind::PveConf;
    r.findings.push_back({Mark{"dir,1/a:b.conf", 3, 7}, "pve-syntax", "50% of\nit\r::error::forged"});
    r.findings.push_back({Mark{"dir,1/a:b.conf", 0, 0}, "more-findings", "whole file"});
    // A file name or message with a newline cannot start a forged workflow command of its own line.
    CHECK(format_github({r}) ==
          "::warning file=dir%2C1/a%3Ab.conf,line=3,col=7,title=vfiogen pve-syntax::50%25 of\\nit\\r::error::forged\n"
          "::notice file=dir%2C1/a%3Ab.conf,title=vfiogen more-findings::whole file\n"
          "1 file checked: 0 errors, 1 warning, 1 note\n");

    auto gitlab = nlohmann::json::parse(format_gitlab({r}));
    REQUIRE(gitlab.size() == 2);
    CHECK(gitlab[0]["check_name"] == "pve-syntax");
    CHECK(gitlab[0]["severity"] == "minor");
    CHECK(gitlab[0]["location"] == nlohmann::json({{"path", "dir,1/a:b.conf"}, {"lines", {{"begin", 3}}}}));
    CHECK(gitlab[1]["severity"] == "info");
    CHECK(gitlab[1]["location"]["lines"]["begin"] == 1);  // a whole-file finding: line 1
    CHECK(gitlab[0]["fingerprint"] == finding_fingerprint(r.findings[0], ""));
    CHECK(gitlab[0]["fingerprint"] != gitlab[1]["fingerprint"]);
    CHECK(nlohmann::json::parse(format_gitlab({})).empty());

    // Fingerprints follow the line's text, not its number.
    Finding moved = r.findings[0];
    moved.mark.line = 30;
    CHECK(finding_fingerprint(moved, "hostpci0: x") == finding_fingerprint(r.findings[0], "hostpci0: x"));
    CHECK(finding_fingerprint(moved, "hostpci1: x") != finding_fingerprint(r.findings[0], "hostpci0: x"));

    CHECK(report_format("gitlab") == ReportFormat::Gitlab);
    CHECK(!report_format("GitHub"));
}
