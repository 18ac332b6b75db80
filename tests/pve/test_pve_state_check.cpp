#include <doctest/doctest.h>

#include "pve/pve_state_check.h"

using namespace vfiogen;

namespace {

// A current config built by hand, so keys with '-' (amd-sev, intel-tdx) are entries whatever the
// lexer of this build makes of them.
PveConf current_config(const std::vector<std::pair<std::string, std::string>>& entries) {
    PveConf conf;
    conf.file = "130.conf";
    conf.sections.emplace_back();
    int line = 0;
    for (const auto& [key, value] : entries)
        conf.sections.back().entries.push_back(
            {key, value, Mark{"130.conf", ++line, 1}, static_cast<int>(key.size()) + 3});
    return conf;
}

std::vector<std::string> rules(const Findings& findings) {
    std::vector<std::string> out;
    for (const auto& f : findings) out.push_back(f.rule);
    return out;
}

}  // namespace

TEST_CASE("OVMF without efidisk0 is normal for SEV-SNP and TDX guests, which load OVMF with -bios") {
    CHECK(rules(check_pve_state(current_config({{"bios", "ovmf"}}))) ==
          std::vector<std::string>{"pve-efidisk-missing"});
    CHECK(rules(check_pve_state(current_config({{"amd-sev", "type=snp"}, {"bios", "ovmf"}}))).empty());
    CHECK(rules(check_pve_state(current_config({{"amd-sev", "snp,allow-smt=1"}, {"bios", "ovmf"}}))).empty());
    CHECK(rules(check_pve_state(current_config({{"bios", "ovmf"}, {"intel-tdx", "tdx"}}))).empty());
    // Plain SEV and SEV-ES still use a pflash variable store.
    CHECK(rules(check_pve_state(current_config({{"amd-sev", "type=es"}, {"bios", "ovmf"}}))) ==
          std::vector<std::string>{"pve-efidisk-missing"});
}

TEST_CASE("STORAGE:SIZE asks PVE for a new volume: two such keys share nothing; two named volumes do") {
    CHECK(rules(check_pve_state(current_config({{"bios", "ovmf"},
                                                {"efidisk0", "local-lvm:1,efitype=4m,pre-enrolled-keys=1"},
                                                {"scsi0", "local-lvm:64"},
                                                {"tpmstate0", "local-lvm:1,version=v2.0"}})))
              .empty());
    CHECK(rules(check_pve_state(current_config({{"bios", "ovmf"},
                                                {"efidisk0", "local-lvm:vm-105-disk-1,efitype=4m"},
                                                {"scsi0", "local-lvm:vm-105-disk-1,size=64G"}}))) ==
          std::vector<std::string>{"pve-volume-shared"});
}
