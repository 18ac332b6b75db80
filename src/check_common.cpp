#include "check_common.h"

#include <map>
#include <tuple>

namespace vfiogen {

void check_passed_hosts(const std::vector<PassedHost>& hosts, Findings& out) {
    // Indexes of the hosts seen so far per device (domain, bus, device): linear in the input,
    // whatever its size.
    std::map<std::tuple<unsigned, unsigned, unsigned>, std::vector<size_t>> by_device;
    for (size_t i = 0; i < hosts.size(); ++i) {
        const PciAddress& a = hosts[i].address;
        auto& seen = by_device[{a.domain, a.bus, a.device}];
        for (size_t j : seen) {
            const PciAddress& b = hosts[j].address;
            if (a.function && b.function && *a.function != *b.function) continue;
            std::string what = a.function && b.function ? "host PCI function " + a.str()
                                                        : "host PCI device " + PciAddress{a.domain, a.bus, a.device, {}}.str();
            out.push_back({hosts[i].mark, "duplicate-host-function",
                           what + " is passed through twice (first at " + format_mark(hosts[j].mark) + ")"});
            break;
        }
        if (seen.size() < 9) seen.push_back(i);  // a whole device and its 8 functions are all that can differ
    }
    for (const auto& h : hosts) {
        if (!h.primary_gpu || !h.address.function || *h.address.function != 0) continue;
        bool igd = h.address.domain == 0 && h.address.bus == 0 && h.address.device == 2;
        if (igd) continue;
        bool has_audio = false;
        for (size_t j : by_device[{h.address.domain, h.address.bus, h.address.device}]) {
            const PciAddress& other = hosts[j].address;
            if (!other.function || *other.function == 1) has_audio = true;
        }
        if (!has_audio) {
            PciAddress audio = h.address;
            audio.function = 1;
            out.push_back({h.mark, "gpu-without-audio",
                           "GPU " + h.address.str() + " is passed without its audio function " + audio.str()});
        }
    }
}

void check_isolation_text(std::string_view text, const Mark& mark, Findings& out, bool exact_column) {
    struct Word {
        std::string_view word;
        const char* rule;
        const char* message;
    };
    static const Word kWords[] = {
        {"pcie_acs_override", "pcie-acs-override",
         "pcie_acs_override splits IOMMU groups without real isolation: devices in the old group can still reach each other"},
        {"allow_unsafe_interrupts", "unsafe-interrupts",
         "allow_unsafe_interrupts runs VFIO without interrupt remapping: the device can inject interrupts into the host"},
    };
    for (const auto& w : kWords) {
        size_t at = text.find(w.word);
        if (at == std::string_view::npos) continue;
        Mark m = mark;
        if (exact_column && m.line > 0 && m.column > 0) m.column += static_cast<int>(at);
        out.push_back({m, w.rule, w.message});
    }
}

}  // namespace vfiogen
