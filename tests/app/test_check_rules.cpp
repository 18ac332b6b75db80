// Every row of the check rule table, triggered by one config and not by a close one.
#include <doctest/doctest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "app/check.h"
#include "app/check_report.h"
#include "test_helpers.h"

using namespace vfiogen;

namespace {

Checker& checker() {
    static Checker c([] {
        CheckOptions o;
        o.profile_dirs = {test::source_dir() + "/tests/data/profiles", test::source_dir() + "/profiles"};
        o.libvirt_version = "9.0.0";  // Debian 12's, named in the schema findings whatever is installed
        return o;
    }());
    return c;
}

// The pve-version case checks for PVE 8.4 (nothing in the table is newer than the newest line).
Checker& checker_for(std::string_view rule) {
    static Checker pve84([] {
        CheckOptions o;
        o.pve_version = {8, 4};
        return o;
    }());
    return rule == "pve-version" ? pve84 : checker();
}

// One rule case: tests/data/check/rules/<rule>/<n>.{bad,good}.<kind>, where <kind> is vm.yaml,
// profile.yaml, conf, xml or pci.cfg. A bad file ends with the first finding of <rule> it must
// give, in a trailing comment: `# expect: LINE:COL: SEVERITY[RULE]: MESSAGE` (`<!-- ... -->` in
// XML; no LINE:COL for a finding about the whole file). That footer is not part of the input.
// The good file beside it is a close config that must give no finding of <rule>.
struct RuleCase {
    std::string rule;
    std::string path;      // the bad file, for messages
    InputKind kind;
    std::string triggers;  // the bad file without its footer
    std::string expected;  // the footer, as `check` prints the finding after "FILE:"
    std::string clean;     // the good file
};

// The name each input is checked under, as the findings print it.
const char* label(InputKind kind) {
    switch (kind) {
        case InputKind::VmFile: return "vm.yaml";
        case InputKind::Profile: return "profile.yaml";
        case InputKind::PveConf: return "100.conf";
        case InputKind::LibvirtXml: return "domain.xml";
        case InputKind::PveMapping: return "mapping/pci.cfg";
    }
    return "";
}

std::optional<InputKind> kind_of(const std::string& name) {
    auto ends = [&](const std::string& s) { return name.size() > s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0; };
    if (ends(".vm.yaml")) return InputKind::VmFile;
    if (ends(".profile.yaml")) return InputKind::Profile;
    if (ends(".conf")) return InputKind::PveConf;
    if (ends(".xml")) return InputKind::LibvirtXml;
    if (ends(".pci.cfg")) return InputKind::PveMapping;
    return std::nullopt;
}

// Splits `text` into the input and the text of its trailing `expect:` comment lines.
std::pair<std::string, std::string> split_footer(const std::string& text) {
    std::string body = text, expected;
    while (true) {
        size_t end = body.size() && body.back() == '\n' ? body.size() - 1 : body.size();
        size_t start = body.rfind('\n', end ? end - 1 : 0);
        start = start == std::string::npos ? 0 : start + 1;
        std::string line = body.substr(start, end - start);
        std::string prefix = line.rfind("<!-- expect: ", 0) == 0 ? "<!-- expect: " : line.rfind("# expect: ", 0) == 0 ? "# expect: " : "";
        if (prefix.empty() || start == 0) break;
        line = line.substr(prefix.size());
        if (prefix[0] == '<') line = line.substr(0, line.rfind(" -->"));
        expected = expected.empty() ? line : line + "\n" + expected;
        body.resize(start);
    }
    return {body, expected};
}

std::vector<RuleCase> cases() {
    namespace fs = std::filesystem;
    std::vector<RuleCase> out;
    std::vector<fs::path> files;
    for (const auto& e : fs::recursive_directory_iterator(test::source_dir() + "/tests/data/check/rules"))
        if (e.is_regular_file() && e.path().filename().string().find(".bad.") != std::string::npos) files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (const auto& bad : files) {
        std::string name = bad.filename().string();
        auto kind = kind_of(name);
        REQUIRE_MESSAGE(kind, std::string(bad.string() + ": the name says no input kind"));
        fs::path good = bad.parent_path() / (name.substr(0, name.find(".bad.")) + ".good." + name.substr(name.find(".bad.") + 5));
        REQUIRE_MESSAGE(fs::is_regular_file(good), std::string(good.string() + " is missing"));
        auto [body, expected] = split_footer(test::read_file(bad.string()));
        REQUIRE_MESSAGE(!expected.empty(), std::string(bad.string() + " has no expect: footer"));
        out.push_back({bad.parent_path().filename().string(), bad.string(), *kind, body, expected, test::read_file(good.string())});
    }
    return out;
}

std::vector<std::string> texts_of(const FileResult& r, const std::string& rule) {
    std::vector<std::string> out;
    for (const auto& f : r.findings)
        if (f.rule == rule)
        {
            std::string where = format_mark(f.mark).substr(f.mark.file.size());  // ":LINE:COL" or ""
            out.push_back((where.empty() ? "" : where.substr(1) + ": ") + severity_name(f.severity()) + "[" + f.rule +
                          "]: " + f.message);
        }
    return out;
}

std::string all_texts(const FileResult& r) {
    std::string out;
    for (const auto& f : r.findings) out += format_mark(f.mark) + " [" + f.rule + "] " + f.message + "\n";
    return out;
}

}  // namespace

TEST_CASE("each rule is triggered by its case and not by the close clean config") {
    for (const auto& c : cases()) {
        INFO(c.path << ": " << c.expected);
        FileResult bad = checker_for(c.rule).check_text(c.triggers, label(c.kind), c.kind);
        auto found = texts_of(bad, c.rule);
        INFO("all findings:\n" << all_texts(bad));
        REQUIRE_FALSE(found.empty());
        CHECK(found.front() == c.expected);
        FileResult good = checker_for(c.rule).check_text(c.clean, label(c.kind), c.kind);
        INFO("clean findings:\n" << all_texts(good));
        CHECK(texts_of(good, c.rule).empty());
    }
}

TEST_CASE("pve-mapping-missing: a conf's mapping= against the pci.cfg given with it") {
    Checker c(CheckOptions{});
    std::vector<FileResult> results;
    results.push_back(c.check_text("hostpci0: mapping=gpu\nhostpci1: mapping=nic,pcie=1\nmachine: q35\n\n[PENDING]\nhostpci2: mapping=new\n",
                                   "105.conf"));
    std::vector<FileResult> alone = results;
    c.check_mappings(alone);  // no pci.cfg read yet: nothing to compare with
    CHECK(alone[0].findings.empty());
    results.push_back(c.check_text("gpu\n\tmap node=pve1,path=0000:01:00.0,id=10de:1d01\n", "mapping/pci.cfg"));
    CHECK(*results[1].kind == InputKind::PveMapping);
    c.check_mappings(results);
    REQUIRE(results[0].findings.size() == 1);
    const Finding& f = results[0].findings[0];
    CHECK(format_mark(f.mark) + " " + f.rule + " " + f.message ==
          "105.conf:2:11 pve-mapping-missing hostpci mapping 'nic' has no section in the pci.cfg given; PVE cannot start the VM");
    CHECK(results[1].findings.empty());
}

TEST_CASE("not-vfiogen: YAML that is no VM file or profile is skipped with a note, by content and place") {
    CheckOptions options;
    options.profile_dirs = {test::source_dir() + "/profiles"};
    Checker c(options);
    auto rules_of = [&](const std::string& text, const std::string& path) {
        std::vector<std::string> out;
        for (const auto& f : c.check_text(text, path).findings) out.push_back(f.rule);
        return out;
    };
    std::vector<std::string> skipped = {"not-vfiogen"};
    CHECK(rules_of("services:\n  web:\n    image: nginx\nname: app\n", "docker-compose.yml") == skipped);
    CHECK(rules_of("on: [push]\njobs:\n  check:\n    runs-on: debian\n", ".github/workflows/ci.yaml") == skipped);
    CHECK(rules_of("name: w\nostype: win11\n", "vm.yaml").empty());  // a VM file without passthrough
    CHECK(rules_of("name: w\nvmid: 100\nmemroy: 4096\n", "vm.yaml") == std::vector<std::string>{"vm-key"});
    CHECK(rules_of("description: x\n", "profiles/x.yaml") != skipped);  // in a profiles folder: a profile
    CHECK(rules_of("services: {}\n", "compose.conf") != skipped);  // only .yaml/.yml files are skipped
}

TEST_CASE("every rule in the table has a case") {
    std::set<std::string> covered = {"pve-mapping-missing", "not-vfiogen"};  // two files, a file name: above
    for (const auto& c : cases()) covered.insert(c.rule);
    for (const auto& r : check_rules()) {
        INFO(r.id);
        CHECK(covered.count(std::string(r.id)) == 1);
    }
}

TEST_CASE("the clean libvirt cases are valid for libvirt's schema, so the rule cases test only their rule") {
    for (const auto& c : cases()) {
        if (c.kind != InputKind::LibvirtXml) continue;
        INFO(c.clean);
        FileResult good = checker().check_text(c.clean, "domain.xml", c.kind);
        CHECK(texts_of(good, "lv-schema").empty());
    }
}

TEST_CASE("docs/RULES.md is the rule table's markdown") {
    CHECK(test::read_file(test::source_dir() + "/docs/RULES.md") == rules_markdown());
}

TEST_CASE("rule table rows are complete and ids unique") {
    std::set<std::string> ids;
    for (const auto& r : check_rules()) {
        INFO(r.id);
        CHECK(ids.insert(std::string(r.id)).second);
        CHECK_FALSE(r.summary.empty());
        CHECK_FALSE(r.hint.empty());
        CHECK_FALSE(r.source.empty());
        CHECK(r.summary.find('|') == std::string_view::npos);  // would break the markdown table
        CHECK(r.id.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") == std::string_view::npos);
    }
    CHECK_THROWS_AS(check_rule("no-such-rule"), std::logic_error);
}

TEST_CASE("check_and_report: a conf naming a mapping waits for a pci.cfg given after it, then is reported") {
    namespace fs = std::filesystem;
    fs::path dir = fs::temp_directory_path() / ("vfiogen-report-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir / "mapping");
    std::ofstream(dir / "105.conf") << "hostpci0: mapping=gpu\nhostpci1: mapping=nic\n";
    std::ofstream(dir / "106.conf") << "memory: 4096\n";
    std::ofstream(dir / "mapping/pci.cfg") << "gpu\n\tmap node=pve1,path=0000:01:00.0,id=10de:1d01\n";
    Checker c(CheckOptions{});
    std::ostringstream out, json;
    auto text = ReportWriter::make(ReportFormat::Text, out);
    auto also = ReportWriter::make(ReportFormat::Json, json);
    std::vector<std::string> paths = {(dir / "105.conf").string(), (dir / "106.conf").string(), (dir / "mapping/pci.cfg").string()};
    CheckSummary s = check_and_report(c, paths, *text, also.get());
    CHECK(s.files == 3);
    CHECK(s.errors == 1);
    // 105.conf comes last: it waited for the pci.cfg, which has no section 'nic'.
    CHECK(out.str().rfind((dir / "105.conf").string() + ":2:11: error[pve-mapping-missing]", 0) == 0);
    CHECK(nlohmann::json::parse(json.str())["summary"]["errors"] == 1);
    fs::remove_all(dir);
}
