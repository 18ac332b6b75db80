// libFuzzer target: the qemu-server conf lexer, model and rules (newest and oldest PVE release
// line) and the pci.cfg reader on any bytes. They never throw.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "pve_check.h"
#include "pve_conf.h"
#include "pve_mapping.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    vfiogen::check_pve_conf(vfiogen::parse_pve_conf(text, "fuzz.conf"));
    vfiogen::check_pve_conf(vfiogen::parse_pve_conf(text, "fuzz.conf"), vfiogen::pve_release_lines().front());
    vfiogen::parse_pci_mapping(text, "pci.cfg");
    vfiogen::parse_property_string(text, "host");
    return 0;
}
