#include "pve/pve_schema.h"

#include <algorithm>
#include <cctype>

#include "model/keys.h"
#include "pve/pve_conf.h"

namespace vfiogen {
namespace {

using T = PveType;

constexpr std::string_view kNicModels =
    "e1000|e1000-82540em|e1000-82544gc|e1000-82545em|e1000e|i82551|i82557b|i82559er|ne2k_isa|ne2k_pci|pcnet|"
    "rtl8139|virtio|vmxnet3";

// PCI.pm $hostpci_fmt
const PveFormat kHostpci{"hostpci",
                         "host",
                         {{"host"},
                          {"mapping"},
                          {"pcie", T::Bool},
                          {"x-vga", T::Bool},
                          {"rombar", T::Bool},
                          {"romfile"},
                          {"legacy-igd", T::Bool},
                          {"mdev", T::Mdev},
                          {"vendor-id", T::HexId},
                          {"device-id", T::HexId},
                          {"sub-vendor-id", T::HexId},
                          {"sub-device-id", T::HexId},
                          {"driver", T::Enum, "vfio|keep", 0, 0, {9, 0}}}};  // d9bd9744, qemu-server 9.0.0
// Machine.pm $machine_fmt
const PveFormat kMachine{"machine",
                         "type",
                         {{"type"},
                          {"viommu", T::Enum, "intel|virtio"},
                          {"enable-s3", T::Bool, {}, 0, 0, {8, 3}},
                          {"enable-s4", T::Bool, {}, 0, 0, {8, 3}},   // 80ddee39, 8.3.10
                          {"aw-bits", T::Int, {}, 32, 64, {9, 0}}}};  // dc52c006, 9.0.21
const PveFormat kVga{
    "vga",
    "type",
    {{"type", T::Enum,
      "cirrus|none|qxl|qxl2|qxl3|qxl4|serial0|serial1|serial2|serial3|std|virtio|virtio-gl|vmware"},
     {"memory", T::Int, {}, 4},
     {"clipboard", T::Enum, "vnc"}}};  // clipboard b62997a1, 8.0.9
// CPUConfig.pm $cpu_fmt
const PveFormat kCpu{"cpu",
                     "cputype",
                     {{"cputype"},
                      {"flags"},
                      {"hidden", T::Bool},
                      {"hv-vendor-id"},
                      {"phys-bits"},
                      {"reported-model"},
                      {"guest-phys-bits", T::Int, {}, 32, 64, {9, 0}},  // 2f3c741b, 9.0.18
                      {"level", T::Int, {}, 0, 0, {9, 1}}}};            // 82f0c412, 9.1.14
// CPUConfig.pm $sev_fmt (the key: 5d7288a4, 8.2.7; snp and allow-smt: 135270e7, 8.3.10)
const PveFormat kAmdSev{"amd-sev",
                        "type",
                        {{"type", T::Enum, "std|es|snp", 0, 0, {8, 2}, {{"snp", {8, 3}}}},
                         {"no-debug", T::Bool, {}, 0, 0, {8, 2}},
                         {"no-key-sharing", T::Bool, {}, 0, 0, {8, 2}},
                         {"kernel-hashes", T::Bool, {}, 0, 0, {8, 2}},
                         {"allow-smt", T::Bool, {}, 0, 0, {8, 3}}}};
// CPUConfig.pm $tdx_fmt (db96e126, 9.0.25)
const PveFormat kIntelTdx{"intel-tdx",
                          "type",
                          {{"type", T::Enum, "tdx", 0, 0, {9, 0}},
                           {"attestation", T::Bool, {}, 0, 0, {9, 0}},
                           {"vsock-cid", T::Int, {}, 0, 0, {9, 0}}}};
const PveFormat kEfidisk{"efidisk0",
                         "file",
                         {{"file"},
                          {"efitype", T::Enum, "2m|4m"},
                          {"pre-enrolled-keys", T::Bool},
                          {"ms-cert", T::Any, {}, 0, 0, {9, 0}},  // c5b3a314, 9.0.27
                          {"size", T::Size},
                          {"format", T::Enum, "raw|qcow2|vmdk"},
                          {"import-from"}}};
const PveFormat kNet{"net", "model", [] {
                         std::vector<PveSubKey> keys = {{"model", T::Enum, kNicModels},
                                                        {"macaddr", T::Mac},
                                                        {"bridge"},
                                                        {"firewall", T::Bool},
                                                        {"link_down", T::Bool},
                                                        {"mtu", T::Int, {}, 1},
                                                        {"queues", T::Int},
                                                        {"rate"},
                                                        {"tag", T::Int, {}, 1},
                                                        {"trunks"}};
                         static const auto models = choice_list(kNicModels);
                         for (const auto& m : models) keys.push_back({m, T::Mac});
                         return keys;
                     }()};
const PveFormat kDisk{"drive",
                      "file",
                      {{"file"},
                       {"aio", T::Enum, "native|threads|io_uring"},
                       {"backup", T::Bool},
                       {"bps"},
                       {"bps_max_length"},
                       {"bps_rd"},
                       {"bps_rd_max_length"},
                       {"bps_wr"},
                       {"bps_wr_max_length"},
                       {"cache", T::Enum, "directsync|none|unsafe|writeback|writethrough"},
                       {"cyls"},
                       {"detect_zeroes", T::Bool},
                       {"discard", T::Enum, "ignore|on"},
                       {"format", T::Enum, "raw|cow|qcow|qed|qcow2|vmdk|cloop"},
                       {"heads"},
                       {"import-from"},
                       {"iops"},
                       {"iops_max"},
                       {"iops_max_length"},
                       {"iops_rd"},
                       {"iops_rd_max"},
                       {"iops_rd_max_length"},
                       {"iops_wr"},
                       {"iops_wr_max"},
                       {"iops_wr_max_length"},
                       {"iothread", T::Bool},
                       {"mbps"},
                       {"mbps_max"},
                       {"mbps_rd"},
                       {"mbps_rd_max"},
                       {"mbps_wr"},
                       {"mbps_wr_max"},
                       {"media", T::Enum, "cdrom|disk"},
                       {"model"},
                       {"product"},
                       {"queues"},
                       {"replicate", T::Bool},
                       {"rerror", T::Enum, "ignore|report|stop"},
                       {"ro", T::Bool},
                       {"scsiblock", T::Bool},
                       {"secs"},
                       {"serial"},
                       {"shared", T::Bool},
                       {"size", T::Size},
                       {"snapshot", T::Bool},
                       {"ssd", T::Bool},
                       {"trans"},
                       {"vendor"},
                       {"werror", T::Enum, "enospc|ignore|report|stop"},
                       {"wwn"}}};

PveKey plain(std::string_view name, PveSubKey value = {}, PveVersion since = {8, 0}) {
    value.name = name;
    return PveKey{name, 0, nullptr, value, since};
}
PveKey formatted(std::string_view name, const PveFormat& f, PveVersion since = {8, 0}) {
    return PveKey{name, 0, &f, {name}, since};
}
PveKey indexed(std::string_view name, int count, const PveFormat* f = nullptr, PveVersion since = {8, 0}) {
    return PveKey{name, count, f, {name}, since};
}

// QemuServer.pm $confdesc, in four groups: keys whose values have a type or a format, free-text
// keys (their values are not checked), the keys only snapshot sections hold, and NAME<i> keys.
std::vector<PveKey> typed_keys() {
    return {
        plain("bios", {{}, T::Enum, "seabios|ovmf"}),
        plain("ostype",
              {{}, T::Enum, "other|wxp|w2k|w2k3|w2k8|wvista|win7|win8|win10|win11|l24|l26|solaris"}),
        plain("arch", {{}, T::Enum, "x86_64|aarch64"}),
        plain("cores", {{}, T::Int, {}, 1}),
        plain("sockets", {{}, T::Int, {}, 1}),
        plain("vcpus", {{}, T::Int, {}, 1}),
        plain("smp", {{}, T::Int, {}, 1}),
        plain("acpi", {{}, T::Bool}),
        plain("autostart", {{}, T::Bool}),
        plain("freeze", {{}, T::Bool}),
        plain("kvm", {{}, T::Bool}),
        plain("localtime", {{}, T::Bool}),
        plain("numa", {{}, T::Bool}),
        plain("onboot", {{}, T::Bool}),
        plain("protection", {{}, T::Bool}),
        plain("reboot", {{}, T::Bool}),
        plain("tablet", {{}, T::Bool}),
        plain("template", {{}, T::Bool}),
        plain("keephugepages", {{}, T::Bool}),
        plain("balloon", {{}, T::Int}),
        plain("shares", {{}, T::Int}),
        plain("scsihw", {{}, T::Enum, "lsi|lsi53c810|virtio-scsi-pci|virtio-scsi-single|megasas|pvscsi"}),
        plain("allow-ksm", {{}, T::Bool}, {9, 0}),   // ae91d137, 9.0.27
        plain("running-nets-host-mtu", {}, {9, 0}),  // 7ceb6b72, 9.0.20
        formatted("machine", kMachine),
        formatted("vga", kVga),
        formatted("cpu", kCpu),
        formatted("amd-sev", kAmdSev, {8, 2}),
        formatted("intel-tdx", kIntelTdx, {9, 0}),
    };
}

// Including the cloud-init keys.
std::vector<PveKey> free_text_keys() {
    return {
        plain("args"),
        plain("affinity"),
        plain("agent"),
        plain("boot"),
        plain("bootdisk"),
        plain("cdrom"),
        plain("cicustom"),
        plain("cipassword"),
        plain("citype"),
        plain("ciupgrade"),
        plain("ciuser"),
        plain("cpulimit"),
        plain("cpuunits"),
        plain("description"),
        plain("digest"),
        plain("hookscript"),
        plain("hotplug"),
        plain("hugepages"),
        plain("ivshmem"),
        plain("keyboard"),
        plain("lock"),
        plain("memory"),
        plain("meta"),
        plain("migrate_downtime"),
        plain("migrate_speed"),
        plain("name"),
        plain("nameserver"),
        plain("searchdomain"),
        plain("spice_enhancements"),
        plain("sshkeys"),
        plain("startdate"),
        plain("startup"),
        plain("tags"),
        plain("tdf"),
        plain("vmgenid"),
        plain("vmstatestorage"),
        plain("watchdog"),
    };
}

std::vector<PveKey> snapshot_keys() {
    return {
        plain("parent"),
        plain("snaptime"),
        plain("vmstate"),
        plain("runningmachine"),
        plain("runningcpu"),
        plain("snapstate"),
    };
}

std::vector<PveKey> indexed_keys() {
    return {
        indexed("hostpci", 16, &kHostpci),
        indexed("net", 32, &kNet),
        indexed("ide", 4, &kDisk),
        indexed("sata", 6, &kDisk),
        indexed("scsi", 31, &kDisk),
        indexed("virtio", 16, &kDisk),
        indexed("efidisk", 1, &kEfidisk),
        indexed("tpmstate", 1),
        indexed("unused", 256),
        indexed("usb", 14),
        indexed("serial", 4),
        indexed("parallel", 3),
        indexed("numa", 8),
        indexed("ipconfig", 32),
        indexed("virtiofs", 10, nullptr, {8, 3}),  // 87b22e38, 8.3.11
        indexed("audio", 1),
        indexed("rng", 1),
        indexed("smbios", 2),
    };
}

const std::vector<PveKey>& qemu_server_keys() {
    static const std::vector<PveKey> keys = [] {
        std::vector<PveKey> all;
        for (auto group : {typed_keys(), free_text_keys(), snapshot_keys(), indexed_keys()})
            all.insert(all.end(), group.begin(), group.end());
        return all;
    }();
    return keys;
}

}  // namespace

const PveSubKey* PveFormat::find(std::string_view key) const {
    for (const auto& k : keys)
        if (k.name == key) return &k;
    return nullptr;
}

std::string_view pve_key_base(std::string_view key) {
    size_t d = key.size();
    while (d > 0 && std::isdigit(static_cast<unsigned char>(key[d - 1]))) --d;
    return d == 0 ? key : key.substr(0, d);
}

const PveKey* find_pve_key(std::string_view key, int* index) {
    for (const auto& k : qemu_server_keys())
        if (k.count == 0 && k.name == key) return &k;
    std::string_view base = pve_key_base(key);
    std::string_view digits = key.substr(base.size());
    if (digits.empty() || digits.size() > 4) return nullptr;
    int i = std::stoi(std::string(digits));
    if (index) *index = i;
    for (const auto& k : qemu_server_keys())
        if (k.count > 0 && k.name == base) return i < k.count ? &k : nullptr;
    return nullptr;
}

const std::vector<std::string>& pve_key_names() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> out;
        for (const auto& k : qemu_server_keys())
            out.push_back(std::string(k.name) + (k.count > 0 ? "0" : ""));
        return out;
    }();
    return names;
}

int pve_index_count(std::string_view name) {
    for (const auto& k : qemu_server_keys())
        if (k.count > 0 && k.name == name) return k.count;
    return 0;
}

std::string format_pve_hostpci(const PveHostpci& h) {
    std::string v = h.mapping.empty() ? h.host : "mapping=" + h.mapping;
    if (h.legacy_igd) v += ",legacy-igd=1";
    if (h.mdev) v += ",mdev=" + *h.mdev;
    if (h.pcie) v += ",pcie=1";
    if (h.romfile) v += ",romfile=" + *h.romfile;
    if (!h.rombar) v += ",rombar=0";
    if (h.x_vga) v += ",x-vga=1";
    return v;
}

std::optional<PveVersion> pve_needs_newer(const PveKey& key, std::string_view sub, std::string_view value,
                                          PveVersion version) {
    if (version < key.since) return key.since;
    const PveSubKey* spec = key.format ? key.format->find(sub) : (sub.empty() ? &key.value : nullptr);
    if (!spec) return std::nullopt;
    if (version < spec->since) return spec->since;
    for (const auto& v : spec->values_since)
        if (v.value == value && version < v.since) return v.since;
    return std::nullopt;
}

std::optional<PveVersion> pve_value_needs(std::string_view key, std::string_view value, PveVersion version,
                                          std::string* what) {
    const PveKey* spec = find_pve_key(key);
    if (!spec) return std::nullopt;
    if (auto since = pve_needs_newer(*spec, "", "", version)) {
        *what = "key '" + std::string(key) + "'";
        return since;
    }
    if (!spec->format) return std::nullopt;
    for (const auto& p : parse_property_string(value, spec->format->default_key).properties) {
        if (auto since = pve_needs_newer(*spec, p.key, p.value, version)) {
            bool value_newer = !pve_needs_newer(*spec, p.key, "", version);
            *what = (value_newer ? "'" + p.key + "=" + p.value + "'" : "sub-key '" + p.key + "'") + " in '" +
                    std::string(key) + "'";
            return since;
        }
    }
    return std::nullopt;
}

}  // namespace vfiogen
