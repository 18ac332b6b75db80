// libFuzzer target: the qemu-server conf lexer, model and rules (newest and oldest PVE release
// line) and the pci.cfg reader on any bytes (they never throw); the reports of their findings
// survive any byte (issue 17: JSON and SARIF are written with non-UTF-8 replaced, and the text
// report holds no control character but its line breaks); and `attach`'s merge into a conf, which
// may only refuse with InputError(s).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "app/check_report.h"
#include "pve/pve_attach.h"
#include "pve/pve_check.h"
#include "pve/pve_conf.h"
#include "pve/pve_mapping.h"

namespace {

// A q35 OVMF VM passing one whole device with an args property and both cpu flags.
const vfiogen::PvePassthrough& plan() {
    static const vfiogen::PvePassthrough p = [] {
        vfiogen::PvePassthrough p;
        p.vmid = 120;
        p.hostpci.push_back({"0000:01:00", ",pcie=1", {"x-igd-opregion=on"}, {"vm.yaml", 1, 1}});
        p.extra_args = {"-no-hpet"};
        p.bios = "ovmf";
        p.q35 = true;
        p.vga = "none";
        p.cpu_flags = {{"hidden", "1"}, {"hv-vendor-id", "vfiogen"}};
        p.efidisk_create = "local-lvm:1,efitype=4m,pre-enrolled-keys=0";
        return p;
    }();
    return p;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    vfiogen::FileResult result{"fuzz\x1b.conf", vfiogen::InputKind::PveConf, false,
                               vfiogen::check_pve_conf(vfiogen::parse_pve_conf(text, "fuzz\x1b.conf"))};
    std::vector<vfiogen::FileResult> results{result};
    vfiogen::format_json(results);
    vfiogen::format_sarif(results);
    for (char c : vfiogen::format_text(results))
        if ((static_cast<unsigned char>(c) < 0x20 && c != '\n') || c == 0x7f) std::abort();
    vfiogen::check_pve_conf(vfiogen::parse_pve_conf(text, "fuzz.conf"), vfiogen::pve_release_lines().front());
    vfiogen::parse_pci_mapping(text, "pci.cfg");
    vfiogen::parse_property_string(text, "host");
    vfiogen::Vm vm;
    vm.file = "vm.yaml";
    vm.cpu_model = "host";
    try {
        vfiogen::merge_pve_passthrough(std::string(text), "fuzz.conf", 120, plan(), vm);
    } catch (const vfiogen::InputError&) {
    } catch (const vfiogen::InputErrors&) {
    }
    return 0;
}
