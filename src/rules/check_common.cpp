#include "rules/check_common.h"

#include <fstream>
#include <map>
#include <tuple>

#include "sysfs/host.h"

namespace vfiogen {

std::vector<PciAddress> slot_functions(const PciAddress& address, const Host* host) {
    if (address.function) return {address};
    std::vector<PciAddress> out;
    if (!host) return out;
    for (const auto& d : host->devices)
        if (d.address.same_device(address)) out.push_back(d.address);
    return out;
}

std::optional<PciId> option_rom_id(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::string rom(65536, '\0');
    in.read(rom.data(), static_cast<std::streamsize>(rom.size()));
    rom.resize(static_cast<size_t>(in.gcount()));
    auto byte = [&](size_t i) { return static_cast<unsigned>(static_cast<unsigned char>(rom[i])); };
    auto word = [&](size_t i) { return byte(i) | byte(i + 1) << 8; };
    if (rom.size() < 0x1a || byte(0) != 0x55 || byte(1) != 0xaa) return std::nullopt;
    size_t pcir = word(0x18);
    if (pcir == 0 || pcir + 8 > rom.size() || rom.compare(pcir, 4, "PCIR") != 0) return std::nullopt;
    return PciId{word(pcir + 4), word(pcir + 6)};
}

namespace {

bool at(const PciAddress& a, unsigned bus, unsigned device) {
    return a.domain == 0 && a.bus == bus && a.device == device;
}

// chipset-slot: Intel's PCH at 00:1f holds the LPC/ISA bridge (.0), audio (.3), SMBus (.4) and SPI
// (.5); the host needs its LPC bridge. Passing the slot whole, or its function .0, is a mistake
// for the audio function that was meant. An AMD host has no PCH there.
void check_chipset_slot(const PassedHost& h, const CheckContext& ctx, Findings& out) {
    if (!at(h.address, 0, 0x1f) || (h.address.function && *h.address.function != 0)) return;
    if (ctx.host && ctx.host->amd()) return;
    std::string audio = "0000:00:1f.3";
    if (ctx.host)
        for (const auto& d : ctx.host->devices)
            if (at(d.address, 0, 0x1f) && d.class16() == kClassHdAudio) audio = d.address.str();
    std::string what = h.address.function
                           ? "the chipset's LPC/ISA bridge 0000:00:1f.0"
                           : "the whole chipset slot 0000:00:1f (LPC/ISA bridge, SMBus, SPI and audio)";
    out.push_back({h.mark, "chipset-slot",
                   "this passes " + what +
                       ", which the host needs; for the onboard audio give the single function " + audio});
}

// romfile-device: a ROM belongs to one device. The same file on a second device, or (with the
// host) on a function that is not a display device, hands a GPU's VBIOS to something else.
void check_romfiles(const std::vector<PassedHost>& hosts, const CheckContext& ctx, Findings& out) {
    std::map<std::string, size_t> first_with;
    for (size_t i = 0; i < hosts.size(); ++i) {
        const PassedHost& h = hosts[i];
        if (h.romfile.empty()) continue;
        auto [it, inserted] = first_with.emplace(h.romfile, i);
        if (!inserted && !(hosts[it->second].address == h.address)) {
            out.push_back({h.rom_mark, "romfile-device",
                           "ROM file '" + h.romfile + "' is given to " + h.address.str() + " and to " +
                               hosts[it->second].address.str() + " (at " +
                               format_mark(hosts[it->second].rom_mark) + "); a ROM belongs to one device"});
            continue;
        }
        if (!ctx.host) continue;
        PciAddress fn = h.address;
        if (!fn.function) fn.function = 0;  // PVE gives a slot's ROM to its function .0
        const HostDevice* d = ctx.host->find(fn);
        if (!d) continue;
        if (!d->is_display()) {
            out.push_back({h.rom_mark, "romfile-device",
                           "ROM file '" + h.romfile + "' is given to " + fn.str() + ", class " +
                               hex_digits(d->class16(), 4) + " (" + d->id.str() +
                               "), which is not a GPU; a VBIOS belongs to the GPU function"});
            continue;
        }
        std::optional<PciId> rom = h.rom_path.empty() ? std::nullopt : option_rom_id(ctx.host->root.file(h.rom_path));
        if (rom && rom->vendor != d->id.vendor)
            out.push_back({h.rom_mark, "romfile-device",
                           "ROM file '" + h.romfile + "' is built for " + rom->str() + " (its PCI data structure), but " +
                               fn.str() + " is " + d->id.str() + ": a VBIOS of another vendor's GPU"});
    }
}

}  // namespace

void check_passed_hosts(const std::vector<PassedHost>& hosts, Findings& out, const CheckContext& ctx) {
    // Indexes of the hosts seen so far per device (domain, bus, device): linear in the input,
    // whatever its size.
    std::map<std::tuple<unsigned, unsigned, unsigned>, std::vector<size_t>> by_device;
    for (size_t i = 0; i < hosts.size(); ++i) {
        const PciAddress& a = hosts[i].address;
        auto& seen = by_device[{a.domain, a.bus, a.device}];
        for (size_t j : seen) {
            const PciAddress& b = hosts[j].address;
            if (a.function && b.function && *a.function != *b.function) continue;
            if (hosts[i].mdev && hosts[j].mdev) continue;
            std::string what = a.function && b.function
                                   ? "host PCI function " + a.str()
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
        PciAddress audio_fn = h.address;
        audio_fn.function = 1;
        if (ctx.host && !ctx.host->find(audio_fn)) continue;  // this GPU has no function .1 on the host
        bool has_audio = false;
        for (size_t j : by_device[{h.address.domain, h.address.bus, h.address.device}]) {
            const PciAddress& other = hosts[j].address;
            if (!other.function || *other.function == 1) has_audio = true;
        }
        if (!has_audio) {
            PciAddress audio = h.address;
            audio.function = 1;
            out.push_back(
                {h.mark, "gpu-without-audio",
                 "GPU " + h.address.str() + " is passed without its audio function " + audio.str()});
        }
    }
    for (const auto& h : hosts) check_chipset_slot(h, ctx, out);
    check_romfiles(hosts, ctx, out);
}

void check_isolation_text(std::string_view text, const Mark& mark, Findings& out, bool exact_column) {
    struct Word {
        std::string_view word;
        const char* rule;
        const char* message;
    };
    static const Word kWords[] = {
        {"pcie_acs_override", "pcie-acs-override",
         "pcie_acs_override splits IOMMU groups without real isolation: devices in the old group can still "
         "reach each other"},
        {"allow_unsafe_interrupts", "unsafe-interrupts",
         "allow_unsafe_interrupts runs VFIO without interrupt remapping: the device can inject interrupts "
         "into the host"},
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
