#include "pve/pve_state_check.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <regex>

namespace vfiogen {
namespace {

// A drive key of QemuServer/Drive.pm: bus name and highest index.
bool is_drive_key(const std::string& key) {
    static const std::pair<const char*, int> kBuses[] = {{"ide", 3},     {"sata", 5},    {"scsi", 30},
                                                         {"virtio", 15}, {"efidisk", 0}, {"tpmstate", 0}};
    for (const auto& [bus, max] : kBuses) {
        std::string_view k(key), b(bus);
        if (k.substr(0, b.size()) != b || k.size() == b.size() || k.size() > b.size() + 2) continue;
        std::string_view digits = k.substr(b.size());
        if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) continue;
        if (digits.size() == 2 && digits[0] == '0') continue;
        return std::stoi(std::string(digits)) <= max;
    }
    return false;
}

// "STORAGE:SIZE_IN_GiB" (or a bare size): a request to allocate a new volume, as `qm create`/`qm set`
// take it (qemu-server Drive.pm NEW_DISK_RE, `(storage:)?\d+(\.\d+)?`), not a volume two keys can share.
bool is_allocation_request(const std::string& file) {
    static const std::regex kNewDisk(R"(^([^/:\s]+:)?\d+(\.\d+)?$)");
    return std::regex_match(file, kNewDisk);
}

void shared_volumes(const PveSection& s, Findings& out) {
    std::map<std::string, const PveEntry*> users;  // volume -> first key using it
    for (const auto& e : s.entries) {
        if (!is_drive_key(e.key)) continue;
        PropertyList props = parse_property_string(e.value, "file");
        const Property* file = props.find("file");
        const Property* media = props.find("media");
        const Property* ro = props.find("ro");
        bool read_only =
            (media && media->value == "cdrom") ||
            (ro && (ro->value == "1" || ro->value == "on" || ro->value == "yes" || ro->value == "true"));
        if (!file || file->value.empty() || file->value == "none" || read_only) continue;
        if (is_allocation_request(file->value)) continue;
        auto [it, first] = users.emplace(file->value, &e);
        if (first || it->second->key == e.key) continue;
        out.push_back(
            {e.value_mark(file->offset), "pve-volume-shared",
             "'" + e.key + "' uses volume " + file->value + ", which '" + it->second->key + "' (line " +
                 std::to_string(it->second->mark.line) +
                 ") uses too: where the storage locks images QEMU refuses to start the VM (\"Failed "
                 "to get \"write\" lock\"), elsewhere (Ceph RBD, iSCSI) both write to the same blocks" +
                 (e.key == "efidisk0" || it->second->key == "efidisk0"
                      ? ", OVMF its variable store over the disk"
                      : "")});
    }
}

// The VMID of a conf named <vmid>.conf, else "VMID".
std::string vmid_of(const std::string& file) {
    std::filesystem::path p(file);
    std::string stem = p.stem().string();
    bool digits = !stem.empty() && stem.size() <= 9 &&
                  std::all_of(stem.begin(), stem.end(), [](char c) { return c >= '0' && c <= '9'; });
    return p.extension() == ".conf" && digits ? stem : "VMID";
}

// An SEV-SNP or TDX guest: qemu-server loads OVMF with -bios and no variable store at all
// (QemuServer/OVMF.pm; CPUConfig.pm get_cvm_type: amd-sev type=snp, intel-tdx type=tdx).
bool confidential_vm(const PveSection& current) {
    if (current.find("intel-tdx")) return true;
    const PveEntry* sev = current.find("amd-sev");
    if (!sev) return false;
    PropertyList props = parse_property_string(sev->value, "type");  // kept: find() points into it
    const Property* type = props.find("type");
    return type && type->value == "snp";
}

}  // namespace

Findings check_pve_state(const PveConf& conf) {
    Findings out;
    for (const auto& s : conf.sections)
        if (s.kind == PveSection::Kind::Current || s.kind == PveSection::Kind::Snapshot)
            shared_volumes(s, out);
    const PveSection& current = conf.sections.front();
    const PveEntry* bios = current.find("bios");
    if (bios && bios->value == "ovmf" && !current.find("efidisk0") && !confidential_vm(current))
        out.push_back({bios->value_mark(), "pve-efidisk-missing",
                       "bios: ovmf without efidisk0: OVMF keeps its variables (boot entries, secure boot "
                       "keys) in a temporary file lost at every start; let PVE create the disk: qm set " +
                           vmid_of(conf.file) + " --efidisk0 STORAGE:1,efitype=4m,pre-enrolled-keys=0"});
    if (const PveEntry* lock = current.find("lock"))
        out.push_back({lock->mark, "pve-locked",
                       "the VM is locked (" + lock->value +
                           "): PVE refuses changes and starts until the task holding the lock "
                           "ends; a lock left by a failed task is removed with 'qm unlock " +
                           vmid_of(conf.file) + "'"});
    return out;
}

}  // namespace vfiogen
