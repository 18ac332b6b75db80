#include "pve/pve_check.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "base/strings.h"
#include "base/suggest.h"
#include "model/keys.h"
#include "model/legacy_igd.h"
#include "pve/pve_schema.h"
#include "pve/pve_state_check.h"
#include "rules/check_common.h"
#include "rules/qemu_args.h"

namespace vfiogen {
namespace {

using VT = PveType;
using SubKey = PveSubKey;
using Format = PveFormat;

bool parse_pve_bool(std::string_view v, bool* out) {
    std::string s(v);
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (s == "1" || s == "on" || s == "yes" || s == "true") return *out = true, true;
    if (s == "0" || s == "off" || s == "no" || s == "false") return *out = false, true;
    return false;
}

bool is_hex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }
bool is_lower_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }
bool is_digits(std::string_view v) {
    return !v.empty() && std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The patterns below are matched by hand, not with std::regex: libstdc++'s regex recurses per
// character and overflows the stack on long values (a 300 KB name), and input may be 4 MiB.

// XX:XX:XX:XX:XX:XX
bool is_mac(std::string_view v) {
    if (v.size() != 17) return false;
    for (size_t i = 0; i < v.size(); ++i)
        if (i % 3 == 2 ? v[i] != ':' : !is_hex(v[i])) return false;
    return true;
}

// \d+(\.\d+)?[KMGT]?
bool is_size(std::string_view v) {
    if (!v.empty() && std::string_view("KMGT").find(v.back()) != std::string_view::npos) v.remove_suffix(1);
    size_t dot = v.find('.');
    if (dot == std::string_view::npos) return is_digits(v);
    return is_digits(v.substr(0, dot)) && is_digits(v.substr(dot + 1));
}

// [a-zA-Z0-9]{1,12}
bool is_vendor_id(std::string_view v) {
    return !v.empty() && v.size() <= 12 &&
           std::all_of(v.begin(), v.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; });
}

// qemu-server PCI.pm $PCIRE: ([a-f0-9]{4,}:)?[a-f0-9]{2}:[a-f0-9]{2}(\.[a-f0-9])?
bool matches_pcire(std::string_view id) {
    if (id.size() >= 2 && id[id.size() - 2] == '.') {
        if (!is_lower_hex(id.back())) return false;
        id.remove_suffix(2);
    }
    auto hex_run = [](std::string_view s) { return !s.empty() && std::all_of(s.begin(), s.end(), is_lower_hex); };
    if (id.size() < 5 || id[id.size() - 3] != ':' || !hex_run(id.substr(id.size() - 2)) || !hex_run(id.substr(id.size() - 5, 2)))
        return false;
    if (id.size() == 5) return true;
    std::string_view domain = id.substr(0, id.size() - 5);
    return domain.size() >= 5 && domain.back() == ':' && hex_run(domain.substr(0, domain.size() - 1));
}

// "X.Y" or "X.Y.Z"...: \d+(\.\d+)+
bool is_version(std::string_view v) {
    size_t dot = v.find('.');
    if (dot == std::string_view::npos || !is_digits(v.substr(0, dot))) return false;
    v.remove_prefix(dot + 1);
    while (true) {
        size_t next = v.find('.');
        if (!is_digits(v.substr(0, next))) return false;
        if (next == std::string_view::npos) return true;
        v.remove_prefix(next + 1);
    }
}

// qemu-server machine types (QemuServer/Machine.pm $machine_fmt, at most 40 characters): pc,
// pc(-i440fx)?-X.Y, q35, pc-q35-X.Y, virt(-X.Y)?, each with an optional +pveN, .pxe for the x86 ones.
bool valid_machine_type(std::string_view v) {
    if (v.size() > 40) return false;
    if (v == "pc" || v == "q35" || v == "virt") return true;
    if (v.size() > 4 && v.substr(v.size() - 4) == ".pxe") v.remove_suffix(4);
    if (size_t plus = v.find("+pve"); plus != std::string_view::npos) {
        if (!is_digits(v.substr(plus + 4))) return false;
        v = v.substr(0, plus);
    }
    for (std::string_view prefix : {"pc-i440fx-", "pc-q35-", "pc-", "virt-"})
        if (v.substr(0, prefix.size()) == prefix) return is_version(v.substr(prefix.size()));
    return v == "virt";
}

bool is_int(std::string_view v) {
    return !v.empty() && v.size() < 18 && std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// " (did you mean 'x'?)" for a word of sensible length, while `budget` (per file) lasts: edit
// distance is quadratic, and a 4 MiB file of junk must not take minutes.
std::string suggestion(std::string_view word, const std::vector<std::string>& candidates, unsigned& budget) {
    if (word.size() > 64 || budget == 0) return "";
    --budget;
    return did_you_mean(word, candidates);
}

// The problem with `value` for a sub-key or key of type `k`, or "" when it is fine.
std::string value_problem(const SubKey& k, std::string_view value, std::string_view what, unsigned& budget) {
    std::string v(value), name = std::string(what);
    bool b;
    switch (k.type) {
        case VT::Any: return "";
        case VT::Bool:
            return parse_pve_bool(value, &b) ? "" : name + " must be a boolean (1/0, on/off, yes/no, true/false), got '" + v + "'";
        case VT::Int:
            if (!is_int(value) || std::stoll(v) < k.min || (k.max && std::stoll(v) > k.max))
                return name + " must be an integer of at least " + std::to_string(k.min) +
                       (k.max ? " and at most " + std::to_string(k.max) : "") + ", got '" + v + "'";
            return "";
        case VT::Enum: {
            auto list = choice_list(k.choices);
            if (std::find(list.begin(), list.end(), v) != list.end()) return "";
            return name + " must be one of " + join(list, ", ") + ", got '" + v + "'" + suggestion(v, list, budget);
        }
        case VT::HexId: {
            bool ok = v.size() == 6 && v[0] == '0' && v[1] == 'x' &&
                      std::all_of(v.begin() + 2, v.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
            return ok ? "" : name + " must be a hex ID 0xNNNN, got '" + v + "'";
        }
        case VT::Mac: return v.empty() || is_mac(v) ? "" : name + " must be a MAC address XX:XX:XX:XX:XX:XX, got '" + v + "'";
        case VT::Size: return is_size(v) ? "" : name + " must be a size such as 32G, got '" + v + "'";
        case VT::Mdev:
            return !v.empty() && v.find_first_of("/.:") == std::string::npos ? "" : name + " must be an mdev type name without '/', '.' or ':', got '" + v + "'";
    }
    return "";
}

class SectionChecker {
public:
    SectionChecker(const PveSection& section, const CheckContext& ctx, Findings& out, unsigned& suggestion_budget)
        : s_(section), ctx_(ctx), out_(out), budget_(suggestion_budget) {}

    void run() {
        std::map<std::string, int> seen;
        for (const auto& e : s_.entries) {
            if (auto [it, inserted] = seen.emplace(e.key, e.mark.line); !inserted)
                add(e.mark, "pve-duplicate-key", "'" + e.key + "' is set twice in " + where() + " (first at line " +
                                                     std::to_string(it->second) + "); qemu-server keeps this one");
            entry(e);
        }
        if (s_.kind == PveSection::Kind::Pending) return;  // a partial config: no cross-key rules
        passthrough();
        ivshmem_and_secure_boot();
        for (const auto& [text, mark] : s_.notes) check_isolation_text(text, Mark{mark.file, mark.line, 2}, out_);
    }

private:
    std::string where() const {
        switch (s_.kind) {
            case PveSection::Kind::Current: return "the current config";
            case PveSection::Kind::Pending: return "[PENDING]";
            case PveSection::Kind::Snapshot: return "snapshot [" + s_.name + "]";
            case PveSection::Kind::Cloudinit: return "[special:cloudinit]";
            case PveSection::Kind::Fleecing: return "[special:fleecing]";
            case PveSection::Kind::Unknown: return "[" + s_.name + "]";
        }
        return "";
    }

    void add(Mark mark, const char* rule, std::string message) { out_.push_back({std::move(mark), rule, std::move(message)}); }

    void entry(const PveEntry& e) {
        if (e.snapstate_suffix) {
            std::string lost = e.written_key.empty() ? "the line" : "its '" + e.written_key + "' entry";
            add(e.mark, "pve-snapstate-line",
                "qemu-server reads this line as 'snapstate: " + e.value +
                    "' because it ends that way (parse_vm_config tests snapstate before the key, unanchored): " + lost +
                    " is silently lost");
            return;
        }
        if (e.key == "delete") {
            if (s_.kind != PveSection::Kind::Pending)
                add(e.mark, "pve-pending-delete", "'delete:' is only allowed in [PENDING], not in " + where());
            return;
        }
        if (e.key == "args") {
            check_isolation_text(e.value, e.value_mark(), out_);
            check_qemu_args(split_pve_args(e.value, e.value_mark()), ctx_.qemu, out_);
        }
        int index = -1;
        const PveKey* key = find_pve_key(e.key, &index);
        if (!key) {
            int count = index >= 0 ? pve_index_count(pve_key_base(e.key)) : 0;
            if (count > 0 && pve_key_base(e.key) == "hostpci")
                add(e.mark, "pve-hostpci-index", "'" + e.key + "': qemu-server knows hostpci0 to hostpci" + std::to_string(count - 1) + " only");
            else if (count > 0)
                add(e.mark, "pve-unknown-key", "unknown key '" + e.key + "': " + std::string(pve_key_base(e.key)) +
                                                   " goes up to " + std::string(pve_key_base(e.key)) + std::to_string(count - 1));
            else
                add(e.mark, "pve-unknown-key", "unknown key '" + e.key + "'" + suggestion(e.key, pve_key_names(), budget_));
            return;
        }
        if (auto since = pve_needs_newer(*key, "", "", ctx_.pve_version)) return too_new(e.mark, "key '" + e.key + "'", *since);
        if (key->format) return property_string(e, *key);
        plain_value(e, key->value);
    }

    // A key, sub-key or value that `ctx_.pve_version` does not have yet (qemu-server drops it with a warning).
    void too_new(const Mark& m, const std::string& what, PveVersion since) {
        add(m, "pve-version", what + " needs PVE " + since.str() + " or later; this conf is checked for PVE " + ctx_.pve_version.str() +
                                  " (--pve-version)");
    }


    void plain_value(const PveEntry& e, const SubKey& spec) {
        if (std::string p = value_problem(spec, e.value, "'" + e.key + "'", budget_); !p.empty()) add(e.value_mark(), "pve-value", p);
        if (e.key == "name" && !valid_pve_dns_name(e.value))
            add(e.value_mark(), "pve-value", "'name' must be a DNS name (letters, digits, inner '-', '.'), got '" + e.value + "'");
        if (e.key == "memory" && !is_int(e.value)) {
            PropertyList props = parse_property_string(e.value, "current");
            const Property* current = props.find("current");
            if (!props.error.empty() || props.properties.size() != 1 || !current || !is_int(current->value))
                add(e.value_mark(), "pve-value", "'memory' must be an amount in MiB such as 4096, got '" + e.value + "'");
        }
    }

    // Checks the sub-keys of `e` against `fmt`; keeps the parsed list for the passthrough rules.
    void property_string(const PveEntry& e, const PveKey& key) {
        const Format& fmt = *key.format;
        PropertyList props = parse_property_string(e.value, fmt.default_key);
        if (!props.error.empty()) add(e.value_mark(props.error_offset), "pve-property", "'" + e.key + "': " + props.error);
        std::set<std::string> seen;
        std::vector<std::string> names;
        for (const auto& k : fmt.keys) names.emplace_back(k.name);
        for (const auto& p : props.properties) {
            Mark m = e.value_mark(p.offset);
            auto spec = std::find_if(fmt.keys.begin(), fmt.keys.end(), [&](const SubKey& k) { return k.name == p.key; });
            if (spec == fmt.keys.end()) {
                add(m, "pve-property", "unknown sub-key '" + p.key + "' in '" + e.key + "'" + suggestion(p.key, names, budget_));
                continue;
            }
            if (!seen.insert(p.key).second) {
                add(m, "pve-property", "sub-key '" + p.key + "' is repeated in '" + e.key + "'");
                continue;
            }
            if (auto since = pve_needs_newer(key, p.key, p.value, ctx_.pve_version)) {
                bool value_newer = !pve_needs_newer(key, p.key, "", ctx_.pve_version);
                too_new(m, value_newer ? "'" + p.key + "=" + p.value + "' in '" + e.key + "'" : "sub-key '" + p.key + "' in '" + e.key + "'",
                        *since);
                continue;
            }
            if (std::string problem = value_problem(*spec, p.value, "'" + p.key + "' in '" + e.key + "'", budget_); !problem.empty())
                add(m, spec->type == VT::Bool ? "pve-property" : "pve-value", problem);
        }
        if (e.key == "machine") machine_ = &e, machine_props_ = props;
        if (e.key == "vga") vga_props_ = props;
        if (e.key == "cpu") cpu_check(e, props);
        if (fmt.name == "hostpci") hostpci_.push_back({&e, props});
        if (e.key == "machine") machine_check(e, props);
    }

    void machine_check(const PveEntry& e, const PropertyList& props) {
        const Property* type = props.find("type");
        if (type && !valid_machine_type(type->value))
            add(e.value_mark(type->offset), "pve-value",
                "machine type '" + type->value + "' must be pc, pc-i440fx-X.Y, q35 or pc-q35-X.Y (optionally +pveN)");
    }

    void cpu_check(const PveEntry& e, const PropertyList& props) {
        if (const Property* hv = props.find("hv-vendor-id"); hv && !is_vendor_id(hv->value))
            add(e.value_mark(hv->offset), "pve-value", "'hv-vendor-id' in 'cpu' must be 1 to 12 letters or digits, got '" + hv->value + "'");
    }

    bool flag(const PropertyList& props, std::string_view key) const {
        const Property* p = props.find(key);
        bool b = false;
        return p && parse_pve_bool(p->value, &b) && b;
    }

    std::string value_of(std::string_view key) const {
        const PveEntry* e = s_.find(key);
        if (!e) return "";
        return e->value.substr(0, e->value.find(','));
    }

    void passthrough() {
        // No machine key (or no type in it) means qemu-server's default, i440fx ("pc").
        const Property* type = machine_ ? machine_props_.find("type") : nullptr;
        std::string machine = type ? type->value : "pc";
        bool q35 = chipset_of(machine) == Chipset::Q35;
        std::string vga = vga_props_.find("type") ? vga_props_.find("type")->value : "";
        bool ovmf = value_of("bios") == "ovmf";
        const PveEntry* first_igd = nullptr;
        std::vector<PassedHost> hosts;

        for (const auto& [e, props] : hostpci_) {
            const Property* host = props.find("host");
            const Property* mapping = props.find("mapping");
            if (!host == !mapping)
                add(e->value_mark(), "pve-hostpci-source",
                    "'" + e->key + "' needs exactly one of a host PCI ID and mapping=, " + (host ? "not both" : "found neither"));
            if (mapping && !valid_pve_configid(mapping->value))
                add(e->value_mark(mapping->offset), "pve-value",
                    "mapping id '" + mapping->value + "' is not a PVE id (a letter, then letters, digits, '_' or '-')");
            bool xvga = flag(props, "x-vga");
            std::vector<PciAddress> ids;
            if (host) {
                size_t start = 0;
                while (start <= host->value.size()) {
                    size_t semi = host->value.find(';', start);
                    if (semi == std::string::npos) semi = host->value.size();
                    std::string id = host->value.substr(start, semi - start);
                    Mark m = e->value_mark(host->offset + (host->bare ? 0 : 5) + start);
                    std::string err;
                    if (!matches_pcire(id)) {
                        std::string low = id;
                        for (auto& c : low) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
                        add(m, "pve-hostpci-id",
                            matches_pcire(low) ? "host PCI ID '" + id + "' must be lowercase hex for qemu-server ('" + low + "')"
                                               : "host PCI ID '" + id + "' is not [dddd:]bb:dd[.f] in lowercase hexadecimal");
                    } else if (auto a = parse_pci_address(id, &err)) {
                        ids.push_back(*a);
                        PassedHost passed{*a, m, xvga, "", {}, ""};
                        passed.mdev = props.find("mdev") != nullptr;
                        if (const Property* r = props.find("romfile"); r && start == 0)  // PCI.pm: the ROM goes to the first ID
                            passed.romfile = r->value, passed.rom_mark = e->value_mark(r->offset),
                            passed.rom_path = "/usr/share/kvm/" + r->value;
                        hosts.push_back(passed);
                    }
                    start = semi + 1;
                }
            }
            if (const Property* mdev = props.find("mdev")) check_mdev_multifunction(*e, *mdev, ids);
            if (flag(props, "pcie") && !q35)
                add(e->value_mark(props.find("pcie")->offset), "pve-pcie-q35",
                    "pcie=1 needs a q35 machine type, but this VM uses '" + machine +
                        "' (qemu-server: \"q35 machine model is not enabled\")");
            if (const Property* r = props.find("romfile"); r && (r->value.find('/') != std::string::npos || r->value.find("..") != std::string::npos))
                add(e->value_mark(r->offset), "pve-romfile-path",
                    "romfile '" + r->value + "' is read as /usr/share/kvm/" + r->value + ": give a bare file name");
            if (xvga && ovmf) check_xvga_ovmf(*e, props);
            if (ovmf) check_rombar_romfile(*e, props);
            if (flag(props, "legacy-igd")) {
                LegacyIgdUse use = legacy_igd_use(ids, machine, vga, props);
                use.earlier = first_igd ? first_igd->key : "";
                first_igd = first_igd ? first_igd : e;
                for (const auto& problem : legacy_igd_problems(use))
                    add(e->value_mark(props.find("legacy-igd")->offset), "pve-legacy-igd", "legacy-igd " + problem);
            }
        }
        check_passed_hosts(hosts, out_, ctx_);
    }

    // qemu-server PCI.pm parse_hostpci: "cannot use mediated device with multifunction device"
    // when the IDs (several with ';', or a slot ID that lspci expands) name more than one
    // function. A slot ID counts as one function unless the host (when known) shows more.
    void check_mdev_multifunction(const PveEntry& e, const Property& mdev, const std::vector<PciAddress>& ids) {
        size_t functions = 0;
        for (const auto& id : ids) functions += std::max<size_t>(1, slot_functions(id, ctx_.host).size());
        if (functions <= 1) return;
        add(e.value_mark(mdev.offset), "pve-mdev-multifunction",
            "mdev= with " + std::to_string(functions) + " host functions (" +
                (ids.size() > 1 ? std::string("several IDs") : "slot " + ids[0].str() + " on this host") +
                "): qemu-server refuses it (\"cannot use mediated device with multifunction device\"); give one function");
    }

    // What the legacy-IGD rule needs from one hostpci entry. qemu-server's "multifunction" is more
    // than one function after lspci expanded the IDs; a slot ID at 00:02 is Intel's IGD alone unless
    // the host (when known) shows more functions there (SR-IOV VFs 00:02.1 and up).
    LegacyIgdUse legacy_igd_use(const std::vector<PciAddress>& ids, const std::string& machine, const std::string& vga,
                                const PropertyList& props) const {
        LegacyIgdUse use;
        use.dialect = IgdDialect::PveConf;
        use.host = ids.empty() ? "" : ids[0].str();
        use.functions = ids;
        if (ids.size() == 1 && !ids[0].function) {
            use.functions = slot_functions(ids[0], ctx_.host);
            use.from_slot = use.functions.size() > 1;
            if (use.functions.empty()) use.functions = {PciAddress{ids[0].domain, ids[0].bus, ids[0].device, 0u}};
        }
        use.machine = machine;
        use.display = vga;
        use.x_vga = flag(props, "x-vga");
        use.rombar = !props.find("rombar") || flag(props, "rombar");
        use.mdev = props.find("mdev") != nullptr;
        return use;
    }

    // x-vga=1 under OVMF: qemu-server (PCI.pm print_hostpci_devices, CPUConfig.pm) drops only
    // QEMU's x-vga=on. It still sets the emulated VGA to none when `vga:` is unset, sets kvm=off
    // unless `cpu: hidden=` decides, and (KVM, Windows 8 and later under OVMF) hv_vendor_id unless
    // `cpu: hv-vendor-id=` is set. Reported only when none of these applies: then it does nothing.
    void check_xvga_ovmf(const PveEntry& e, const PropertyList& props) {
        if (!s_.find("vga")) return;
        const PveEntry* cpu = s_.find("cpu");
        PropertyList cpu_props = cpu ? parse_property_string(cpu->value, "cputype") : PropertyList{};
        if (!cpu_props.find("hidden")) return;
        bool kvm = true;
        if (const PveEntry* k = s_.find("kvm")) parse_pve_bool(k->value, &kvm);
        std::string ostype = value_of("ostype");
        bool windows8_up = ostype == "win8" || ostype == "win10" || ostype == "win11";
        bool hv_vendor_added = kvm && windows8_up && !cpu_props.find("hv-vendor-id");
        if (hv_vendor_added) return;
        std::string why = !kvm ? "kvm: 0" : !windows8_up ? "ostype " + (ostype.empty() ? std::string("unset") : ostype) : "hv-vendor-id set";
        add(e.value_mark(props.find("x-vga")->offset), "pve-xvga-ovmf",
            "x-vga=1 does nothing in this VM: bios: ovmf drops QEMU's x-vga=on, 'vga: " + value_of("vga") +
                "' is set, cpu hidden= decides kvm=off and no hv_vendor_id is added (" + why + ")");
    }

    // rombar=0 with romfile=: QEMU does not map the ROM as a BAR and only hands it to the firmware
    // through fw_cfg (hw/pci/pci.c pci_add_option_rom), which SeaBIOS reads and OVMF does not.
    void check_rombar_romfile(const PveEntry& e, const PropertyList& props) {
        const Property* rombar = props.find("rombar");
        const Property* romfile = props.find("romfile");
        bool on = true;
        if (!rombar || !romfile || !parse_pve_bool(rombar->value, &on) || on) return;
        add(e.value_mark(rombar->offset), "romfile-rombar-off",
            "rombar=0 with romfile '" + romfile->value + "' under bios: ovmf: QEMU then gives the ROM only to SeaBIOS (fw_cfg); "
            "OVMF never runs it");
    }

    // Rules across keys for Looking Glass and Secure Boot: QEMU sizes the ivshmem BAR from the
    // size, and a PCI BAR is a power of two (QEMU hw/pci/pci.c pci_register_bar); seed 003's IGD
    // ROMs do not boot with Secure Boot (its notes: "secure boot not supported").
    void ivshmem_and_secure_boot() {
        if (const PveEntry* e = s_.find("ivshmem")) {
            PropertyList props = parse_property_string(e->value, "");
            const Property* size = props.find("size");
            if (size && is_int(size->value) && size->value.size() < 10) {
                long long mib = std::stoll(size->value);
                if (mib > 0 && (mib & (mib - 1)) != 0)
                    add(e->value_mark(size->offset), "pve-ivshmem-size",
                        "ivshmem size " + size->value +
                            " MiB is not a power of two; QEMU refuses the device at start");
            }
        }
        const PveEntry* efidisk = s_.find("efidisk0");
        if (!efidisk || !flag(parse_property_string(efidisk->value, "file"), "pre-enrolled-keys")) return;
        for (const auto& [e, props] : hostpci_)
            if (flag(props, "legacy-igd"))
                add(e->value_mark(props.find("legacy-igd")->offset), "pve-secboot-legacy-igd",
                    "legacy-igd=1 with efidisk0 pre-enrolled-keys=1: the legacy IGD ROMs are not signed for "
                    "Secure Boot "
                    "(seed 003); set pre-enrolled-keys=0 or turn Secure Boot off in the OVMF setup");
    }

    const PveSection& s_;
    const CheckContext& ctx_;
    Findings& out_;
    unsigned& budget_;
    const PveEntry* machine_ = nullptr;
    PropertyList machine_props_, vga_props_;
    std::vector<std::pair<const PveEntry*, PropertyList>> hostpci_;
};

}  // namespace

Findings check_pve_conf(const PveConf& conf, const CheckContext& ctx) {
    Findings out;
    for (const auto& w : conf.warnings) out.push_back({w.mark, "pve-syntax", w.message});
    unsigned suggestion_budget = 100;
    for (const auto& section : conf.sections) {
        if (section.kind == PveSection::Kind::Cloudinit || section.kind == PveSection::Kind::Fleecing) continue;
        SectionChecker(section, ctx, out, suggestion_budget).run();
    }
    for (auto& f : check_pve_state(conf)) out.push_back(std::move(f));
    std::stable_sort(out.begin(), out.end(), [](const Finding& a, const Finding& b) {
        return a.mark.line != b.mark.line ? a.mark.line < b.mark.line : a.mark.column < b.mark.column;
    });
    return out;
}

}  // namespace vfiogen
