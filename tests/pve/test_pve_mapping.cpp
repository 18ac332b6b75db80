#include <doctest/doctest.h>

#include "pve/pve_mapping.h"
#include "pve/render_pve_mapping.h"
#include "test_helpers.h"

using namespace vfiogen;

namespace {

Vm mapped_vm(const std::string& profile, const std::string& id) {
    auto profiles = test::test_profiles();
    return load_vm_text("name: vm\nvmid: 100\nmachine:\n  type: q35\npassthrough:\n  - profile: " + profile +
                            "\n    mapping: " + id + "\n",
                        "vm.yaml", profiles);
}

// A scan as `host scan --json` prints it (only the fields the mapping reads).
std::string scan(const std::vector<std::string>& devices) {
    std::string out = "{\"iommu\": {\"enabled\": true}, \"devices\": [";
    for (size_t i = 0; i < devices.size(); ++i) out += (i ? "," : "") + devices[i];
    return out + "]}";
}

std::string device(const std::string& bdf, const std::string& id, const std::string& sub, int group) {
    return "{\"bdf\": \"" + bdf + "\", \"id\": \"" + id + "\", \"subsystem_id\": \"" + sub +
           "\", \"iommu_group\": {\"number\": " + std::to_string(group) + "}}";
}

const std::string kGt1030 = scan({device("0000:01:00.0", "10de:1d01", "1458:3771", 14),
                                  device("0000:01:00.1", "10de:0fb8", "1458:3771", 14),
                                  device("0000:00:02.0", "8086:3e92", "1028:0869", 0)});

}  // namespace

TEST_CASE("pve mapping: one section per mapping id, one map line per node, read back by the pci.cfg reader") {
    std::vector<NodeScan> nodes = {
        read_node_scan("pve1", kGt1030, "pve1.json"),
        read_node_scan("pve2",
                       scan({device("0000:0a:00.0", "10de:1d01", "1458:3771", 31),
                             device("0000:0a:00.1", "10de:0fb8", "1458:3771", 31)}),
                       "pve2.json")};
    std::string cfg = render_pve_mapping(mapped_vm("nvidia-gt1030", "gt1030"), nodes);
    CHECK(cfg ==
          "gt1030\n"
          "\tmap id=10de:1d01,iommugroup=14,node=pve1,path=0000:01:00,subsystem-id=1458:3771\n"
          "\tmap id=10de:1d01,iommugroup=31,node=pve2,path=0000:0a:00,subsystem-id=1458:3771\n");
    PciMappingFile back = parse_pci_mapping(cfg, "pci.cfg");
    CHECK(back.problems.empty());
    REQUIRE(back.find("gt1030"));
    REQUIRE(back.find("gt1030")->maps.size() == 2);
    CHECK(back.find("gt1030")->maps[1].path == "0000:0a:00");
    CHECK(back.find("gt1030")->maps[1].iommugroup == 31);
}

TEST_CASE("pve mapping: a single-function profile maps the function itself") {
    std::string cfg = render_pve_mapping(
        mapped_vm("test-single", "nic"),
        {read_node_scan("pve1", scan({device("0000:05:00.0", "1234:11e8", "1234:0001", 7)}), "s.json")});
    CHECK(cfg == "nic\n\tmap id=1234:11e8,iommugroup=7,node=pve1,path=0000:05:00.0,subsystem-id=1234:0001\n");
}

TEST_CASE("pve mapping: no match or two matches on a node is an error naming the node and the devices") {
    Vm vm = mapped_vm("nvidia-gt1030", "gt1030");
    NodeScan none =
        read_node_scan("pve3", scan({device("0000:01:00.0", "10de:1d01", "1458:3771", 14)}), "pve3.json");
    CHECK(test::input_error_text([&] { render_pve_mapping(vm, {none}); }) ==
          "vm.yaml:7:14: error: node 'pve3' (pve3.json) has no device matching profile 'nvidia-gt1030' "
          "(10de:1d01 and 1 more "
          "function(s)) for mapping 'gt1030'");
    NodeScan two = read_node_scan("pve4",
                                  scan({device("0000:01:00.0", "10de:1d01", "1458:3771", 1),
                                        device("0000:01:00.1", "10de:0fb8", "1458:3771", 1),
                                        device("0000:02:00.0", "10de:1d01", "1458:3771", 2),
                                        device("0000:02:00.1", "10de:0fb8", "1458:3771", 2)}),
                                  "pve4.json");
    CHECK(test::input_error_text([&] { render_pve_mapping(vm, {two}); })
              .find("has two devices matching profile 'nvidia-gt1030' (10de:1d01 and 1 more function(s)) for "
                    "mapping 'gt1030': "
                    "0000:01:00.0 and 0000:02:00.0") != std::string::npos);
    auto profiles = test::test_profiles();
    Vm unmapped = load_vm_text("name: vm\nvmid: 100\n", "vm.yaml", profiles);
    CHECK(test::input_error_text([&] { render_pve_mapping(unmapped, {none}); }) ==
          "vm.yaml: error: no passthrough entry names a 'mapping': nothing to write");
}

TEST_CASE("pve mapping: a scan from another machine is checked before any of it reaches pci.cfg") {
    InputError::Kind kind{};
    CHECK(test::input_error_text([] { read_node_scan("pve1", "[1, 2]", "x.json"); }, &kind)
              .find("not the output of") != std::string::npos);
    CHECK(kind == InputError::Kind::Unreadable);
    for (const std::string& bad : {device("0000:01:00.0\\n\\tmap x", "10de:1d01", "1458:3771", 1),
                                   device("0000:01:00.0", "10de:1d01\\nfoo", "", 1),
                                   device("0000:01:00.0", "10de:1d01", "1458:3771,node=evil", 1)}) {
        INFO(bad);
        CHECK(test::input_error_text([&] {
                  read_node_scan("pve1", scan({bad}), "x.json");
              }).find("x.json: error: host scan device") == 0);
    }
    CHECK_THROWS_AS(split_node_argument("pve_1=x.json"), UsageError);
    CHECK_THROWS_AS(split_node_argument("pve1"), UsageError);
    CHECK(split_node_argument("pve-1=a=b.json") == std::pair<std::string, std::string>{"pve-1", "a=b.json"});
}
