#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>

#include "app/render.h"
#include "pve/pve_check.h"
#include "pve/pve_schema.h"
#include "test_helpers.h"

using namespace vfiogen;
namespace fs = std::filesystem;

namespace {

std::string errors_of(const Findings& findings) {
    std::string out;
    for (const auto& f : findings)
        if (f.severity() == Severity::Error)
            out += format_mark(f.mark) + " [" + f.rule + "] " + f.message + "\n";
    return out;
}

// The release line before `v` in the table, or nullopt for the oldest.
std::optional<PveVersion> previous(PveVersion v) {
    std::optional<PveVersion> prev;
    for (const auto& line : pve_release_lines()) {
        if (line == v) return prev;
        prev = line;
    }
    return std::nullopt;
}

}  // namespace

TEST_CASE("schema facts: index limits, dns names, versions") {
    CHECK(pve_index_count("hostpci") == 16);
    CHECK(pve_index_count("ide") == 4);
    CHECK(pve_index_count("sata") == 6);
    CHECK(pve_index_count("scsi") == 31);
    CHECK(pve_index_count("virtio") == 16);
    int index = -1;
    CHECK(find_pve_key("hostpci15", &index));
    CHECK(index == 15);
    CHECK_FALSE(find_pve_key("hostpci16", &index));
    CHECK(index == 16);
    CHECK(find_pve_key("amd-sev"));
    CHECK(find_pve_key("numa") != find_pve_key("numa0"));
    CHECK_FALSE(find_pve_key("memroy"));

    CHECK(valid_pve_dns_name(std::string(253, 'a')));
    CHECK_FALSE(valid_pve_dns_name(std::string(254, 'a')));
    CHECK(valid_pve_dns_name("win-gpu.example.org"));
    for (const char* bad : {"", "-a", "a-", "a..b", "my_vm", "a b"}) CHECK_FALSE(valid_pve_dns_name(bad));

    std::string error;
    CHECK(parse_pve_version("8.2", &error) == PveVersion{8, 2});
    CHECK_FALSE(parse_pve_version("7.4", &error));
    CHECK(error == "unknown PVE version '7.4': the schema knows 8.0, 8.1, 8.2, 8.3, 8.4, 9.0, 9.1, 9.2");
    CHECK(newest_pve_version() == PveVersion{9, 2});
}

TEST_CASE("version of keys, sub-keys and values, on both sides of each boundary") {
    struct Case {
        const char* key;
        const char* value;
        PveVersion since;
        const char* what;
    };
    const Case cases[] = {
        {"hostpci0", "01:00.0,driver=vfio", {9, 0}, "sub-key 'driver' in 'hostpci0'"},
        {"machine", "q35,aw-bits=39", {9, 0}, "sub-key 'aw-bits' in 'machine'"},
        {"cpu", "host,level=30", {9, 1}, "sub-key 'level' in 'cpu'"},
        {"cpu", "host,guest-phys-bits=39", {9, 0}, "sub-key 'guest-phys-bits' in 'cpu'"},
        {"amd-sev", "type=std", {8, 2}, "key 'amd-sev'"},
        {"amd-sev", "type=snp", {8, 3}, "'type=snp' in 'amd-sev'"},
        {"machine", "q35,enable-s3=1", {8, 3}, "sub-key 'enable-s3' in 'machine'"},
        {"virtiofs0", "dirid=share", {8, 3}, "key 'virtiofs0'"},
        {"intel-tdx", "type=tdx", {9, 0}, "key 'intel-tdx'"},
    };
    for (const auto& c : cases) {
        INFO(c.key << ": " << c.value);
        std::string what;
        CHECK_FALSE(pve_value_needs(c.key, c.value, c.since, &what));
        auto before = previous(c.since);
        REQUIRE(before);
        auto needs = pve_value_needs(c.key, c.value, *before, &what);
        REQUIRE(needs);
        CHECK(*needs == c.since);
        CHECK(what == c.what);
    }
    std::string what;
    CHECK_FALSE(pve_value_needs("hostpci0", "mapping=gpu", {8, 0}, &what));  // mapping= since 8.0
}

TEST_CASE("one hostpci formatter: the order PVE writes") {
    PveHostpci h;
    h.host = "0000:00:02.0";
    h.legacy_igd = true;
    h.romfile = "igd.rom";
    CHECK(format_pve_hostpci(h) == "0000:00:02.0,legacy-igd=1,romfile=igd.rom");
    PveHostpci m;
    m.mapping = "gpu-pool";
    m.pcie = true;
    m.x_vga = true;
    m.rombar = false;
    CHECK(format_pve_hostpci(m) == "mapping=gpu-pool,pcie=1,rombar=0,x-vga=1");
}

TEST_CASE("confs qemu-server accepts give no error, from the release line each names on") {
    int confs = 0;
    for (const auto& entry : fs::directory_iterator(test::source_dir() + "/tests/data/pve-accepted")) {
        if (entry.path().extension() != ".conf") continue;
        ++confs;
        std::string text = test::read_file(entry.path().string());
        std::string error;
        auto since = parse_pve_version(text.substr(6, text.find('\n') - 6), &error);  // "# pve X.Y"
        INFO(entry.path().string() << " " << error);
        REQUIRE(since);
        PveConf conf = parse_pve_conf(text, entry.path().filename().string());
        CHECK(errors_of(check_pve_conf(conf)) == "");
        CHECK(errors_of(check_pve_conf(conf, *since)) == "");
        if (auto before = previous(*since)) {
            Findings older = check_pve_conf(conf, *before);
            bool version_error = std::any_of(older.begin(), older.end(),
                                             [](const Finding& f) { return f.rule == "pve-version"; });
            CHECK(version_error);
        }
    }
    CHECK(confs == 3);
}

TEST_CASE("every example's PVE rendering passes the checker, for every release line") {
    for (const auto& entry : fs::directory_iterator(test::source_dir() + "/examples")) {
        if (entry.path().extension() != ".yaml") continue;
        auto profiles = test::test_profiles();
        Vm vm = load_vm(entry.path().string(), profiles);
        if (!vm.vmid) continue;
        // The whole conf only: a snippet leaves out the machine key unless the VM file pins a
        // version (the VM's own pinned one stays), so read alone it would look like i440fx.
        for (const auto& version : pve_release_lines()) {
            INFO(entry.path().filename().string() << " for PVE " << version.str());
            std::string text = render(vm, Target::Pve, TemplateSet(), version).text;
            CHECK(errors_of(check_pve_conf(parse_pve_conf(text, "rendered.conf"), version)) == "");
            CHECK_NOTHROW(render(vm, Target::PveSnippet, TemplateSet(), version));
            CHECK_NOTHROW(render(vm, Target::Qm, TemplateSet(), version));
        }
    }
}
