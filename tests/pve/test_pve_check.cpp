// pve_check as a module: which sections it reads, and the release boundary of a sub-key. The
// rules one by one are the case files under tests/data/check/rules.
#include <doctest/doctest.h>

#include "pve/pve_check.h"
#include "sysfs/host.h"
#include "test_helpers.h"

using namespace vfiogen;

namespace {

// "line:col rule" per finding, in order.
std::vector<std::string> found(const std::string& text, PveVersion version = newest_pve_version()) {
    std::vector<std::string> out;
    for (const auto& f : check_pve_conf(parse_pve_conf(text, "100.conf"), version))
        out.push_back(std::to_string(f.mark.line) + ":" + std::to_string(f.mark.column) + " " + f.rule);
    return out;
}

}  // namespace

TEST_CASE("a snapshot is a whole config: its passthrough rules hold too; cloud-init's section is not validated") {
    std::string current = "machine: q35\nhostpci0: 0000:01:00.0,pcie=1\nmemory: 4096\n";
    CHECK(found(current).empty());
    // `qm rollback snap1` would restore pcie=1 on i440fx.
    CHECK(found(current + "\n[snap1]\nmachine: pc\nhostpci0: 0000:01:00.0,pcie=1\n") ==
          std::vector<std::string>{"7:24 pve-pcie-q35"});
    // qemu-server does not validate [special:cloudinit]: nothing there is reported.
    CHECK(found(current + "\n[special:cloudinit]\nbogus: 1\nhostpci0: nonsense\n").empty());
}

TEST_CASE("driver= (qemu-server 9.0): an error for PVE 8.4, nothing for 9.0") {
    std::string conf = "machine: q35\nhostpci0: 0000:01:00.0,pcie=1,driver=keep\n";
    CHECK(found(conf, PveVersion{8, 4}) == std::vector<std::string>{"2:31 pve-version"});
    CHECK(found(conf, PveVersion{9, 0}).empty());
}

TEST_CASE("findings come in line order within a section") {
    auto f = found("hostpci0: 0000:01:00.0,pcie=1\nhostpci1: 0000:01:00.0\nmachine: pc\n");
    REQUIRE(f.size() >= 2);
    CHECK(std::is_sorted(f.begin(), f.end(), [](const std::string& a, const std::string& b) {
        return std::stoi(a) < std::stoi(b);
    }));
}

TEST_CASE("pve-mdev-multifunction: a slot ID is one function unless the host shows more") {
    PveConf conf = parse_pve_conf("machine: q35\nhostpci0: 0000:01:00,mdev=nvidia-63\n", "100.conf");
    auto rules = [](const Findings& findings) {
        std::vector<std::string> out;
        for (const auto& f : findings) out.push_back(f.rule);
        return out;
    };
    CHECK(rules(check_pve_conf(conf)).empty());
    Host host = read_host(HostRoot::under(test::source_dir() + "/tests/data/hosts/gt1030"));  // 01:00.0 and 01:00.1
    CheckContext ctx;
    ctx.host = &host;
    Findings with_host = check_pve_conf(conf, ctx);
    REQUIRE(rules(with_host) == std::vector<std::string>{"pve-mdev-multifunction"});
    CHECK(with_host[0].message ==
          "mdev= with 2 host functions (slot 0000:01:00 on this host): qemu-server refuses it (\"cannot use mediated "
          "device with multifunction device\"); give one function");
}
