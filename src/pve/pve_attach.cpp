#include "pve/pve_attach.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "base/digest.h"
#include "base/output_file.h"
#include "base/strings.h"
#include "base/text_diff.h"
#include "model/legacy_igd.h"
#include "pve/pve_schema.h"
#include "model/pci_address.h"
#include "pve/pve_check.h"
#include "pve/pve_conf.h"
#include "pve/pve_conf_edit.h"

namespace vfiogen {
namespace {

const size_t kMaxHostpci = static_cast<size_t>(pve_index_count("hostpci"));  // pve_schema: PCI.pm $MAX_HOSTPCI_DEVICES
constexpr size_t kMaxConfBytes = 4 * 1024 * 1024;        // far above any conf; bounds what is read
constexpr auto kLockTimeout = std::chrono::seconds(10);  // AbstractConfig.pm lock_config

// vfio-pci properties vfiogen sets through `args` (render_pve.cpp), as "name=".
const char* const kOwnedProperties[] = {"x-igd-gms=", "x-igd-opregion="};

bool pve_true(std::string_view v) { return v == "1" || v == "on" || v == "yes" || v == "true"; }

// A property string written back with some sub-keys replaced or added (in place; new ones last).
std::string edited_property_string(const PropertyList& props,
                                   const std::vector<std::pair<std::string, std::string>>& set) {
    std::vector<std::string> parts;
    std::set<std::string> done;
    for (const auto& p : props.properties) {
        auto it = std::find_if(set.begin(), set.end(), [&](const auto& kv) { return kv.first == p.key; });
        std::string value = it == set.end() ? p.value : it->second;
        if (it != set.end()) done.insert(p.key);
        parts.push_back(p.bare ? value : p.key + "=" + value);
    }
    for (const auto& [k, v] : set)
        if (!done.count(k)) parts.push_back(k + "=" + v);
    return join(parts, ",");
}

// "pc-q35-8.0+pve1" -> {q35, "8.0"}; "pc" -> {i440fx, ""} (Machine.pm machine types).
struct ConfMachine {
    bool q35 = false;
    std::string version;
};
ConfMachine conf_machine(std::string type) {
    if (type.size() > 4 && type.compare(type.size() - 4, 4, ".pxe") == 0) type.resize(type.size() - 4);
    if (size_t plus = type.find("+pve"); plus != std::string::npos) type.resize(plus);
    ConfMachine m;
    m.q35 = chipset_of(type) == Chipset::Q35;
    for (std::string_view prefix : {"pc-q35-", "pc-i440fx-", "pc-"})
        if (type.rfind(prefix, 0) == 0) {
            m.version = type.substr(prefix.size());
            break;
        }
    return m;
}

// The PCI IDs of a hostpci `host` value ("0000:01:00;0000:02:00.0"), skipping what does not parse.
std::vector<PciAddress> host_ids(const std::string& host) {
    std::vector<PciAddress> ids;
    std::istringstream in(host);
    std::string id, error;
    while (std::getline(in, id, ';'))
        if (auto a = parse_pci_address(id, &error)) ids.push_back(*a);
    return ids;
}

// What a hostpci entry passes: host PCI IDs, or a resource mapping (PVE 8+, /etc/pve/mapping/pci.cfg).
struct HostpciSource {
    std::vector<PciAddress> ids;
    std::string mapping;
};
HostpciSource source_of(const PropertyList& props) {
    HostpciSource s;
    if (const Property* host = props.find("host")) s.ids = host_ids(host->value);
    if (const Property* mapping = props.find("mapping")) s.mapping = mapping->value;
    return s;
}

// Two IDs pass a common host function: the same device, and one of them is the whole device or
// both name the same function.
bool overlap(const PciAddress& a, const PciAddress& b) {
    return a.same_device(b) && (!a.function || !b.function || *a.function == *b.function);
}

// N of a key hostpci0 .. hostpci15 (PCI.pm), or nullopt for any other key.
std::optional<size_t> hostpci_index(const std::string& key) {
    if (key.rfind("hostpci", 0) != 0 || key.size() < 8 || key.size() > 9 ||
        (key.size() == 9 && key[7] == '0'))
        return std::nullopt;
    if (!std::all_of(key.begin() + 7, key.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return std::nullopt;
    size_t index = std::stoul(key.substr(7));
    return index < kMaxHostpci ? std::optional(index) : std::nullopt;
}

// Merges the hostpci entries; returns the index each plan entry gets.
std::vector<size_t> merge_hostpci(PveConfEditor& conf, long long vmid, const PvePassthrough& plan,
                                  Warnings& notes) {
    std::map<size_t, HostpciSource> existing;
    std::set<size_t> taken;
    for (const auto& [key, line] : conf.current_keys()) {
        auto index = hostpci_index(key);
        if (!index) continue;
        taken.insert(*index);
        existing[*index] = source_of(conf.properties(*conf.current(key), "host"));
    }
    for (const auto& [key, line] : conf.pending_keys())
        if (auto index = hostpci_index(key)) taken.insert(*index);

    std::vector<size_t> indexes(plan.hostpci.size(), kMaxHostpci);
    std::set<size_t> claimed;  // existing entries a plan entry replaces or removes
    for (size_t p = 0; p < plan.hostpci.size(); ++p) {
        HostpciSource want = source_of(parse_property_string(plan.hostpci[p].value(), "host"));
        for (const auto& entry : existing) {
            const auto& index = entry.first;
            const HostpciSource& have = entry.second;  // a plain reference: clang 14 cannot capture bindings
            bool match = (!want.mapping.empty() && want.mapping == have.mapping) ||
                         std::any_of(want.ids.begin(), want.ids.end(), [&](const PciAddress& w) {
                             return std::any_of(have.ids.begin(), have.ids.end(),
                                                [&](const PciAddress& h) { return overlap(w, h); });
                         });
            if (!match || claimed.count(index)) continue;
            claimed.insert(index);
            if (indexes[p] == kMaxHostpci) {
                indexes[p] = index;
            } else {
                conf.remove("hostpci" + std::to_string(index));
                notes.push_back({conf.mark(*conf.current("hostpci" + std::to_string(index))), Severity::Note,
                                 "hostpci" + std::to_string(index) + " passes a function of " +
                                     plan.hostpci[p].host + " too; it is removed, hostpci" +
                                     std::to_string(indexes[p]) + " now passes the device"});
            }
        }
    }
    for (size_t p = 0; p < plan.hostpci.size(); ++p) {
        if (indexes[p] == kMaxHostpci) {
            size_t free = 0;
            while (free < kMaxHostpci &&
                   (taken.count(free) || std::count(indexes.begin(), indexes.end(), free)))
                ++free;
            if (free == kMaxHostpci)
                throw InputError(plan.hostpci[p].mark, "VM " + std::to_string(vmid) +
                                                           " has no free hostpci index for " +
                                                           plan.hostpci[p].host +
                                                           ": PVE allows hostpci0 to hostpci15 and the VM's "
                                                           "own entries (and [PENDING]) use the rest");
            indexes[p] = free;
        }
        conf.set("hostpci" + std::to_string(indexes[p]), plan.hostpci[p].value());
    }
    return indexes;
}

// Merges `args`: vfiogen's `-set device.hostpciN.x-igd-*` words for the entries it writes or
// removes are replaced (kept as they are when already right), other words kept, the VM file's
// qemu_args appended when the args do not already hold them in a row.
void merge_args(PveConfEditor& conf, const PvePassthrough& plan, const std::vector<size_t>& indexes) {
    std::set<std::string> mine;  // "device.hostpciN." prefixes vfiogen owns
    for (size_t i : indexes) mine.insert("device.hostpci" + std::to_string(i) + ".");
    for (const auto& key : conf.removals()) mine.insert("device." + key + ".");
    auto owned = [&](const std::string& word) {
        size_t dot = word.find('.', 7);
        if (word.rfind("device.hostpci", 0) != 0 || dot == std::string::npos ||
            !mine.count(word.substr(0, dot + 1)))
            return false;
        std::string property = word.substr(dot + 1);
        return std::any_of(std::begin(kOwnedProperties), std::end(kOwnedProperties),
                           [&](const char* p) { return property.rfind(p, 0) == 0; });
    };

    const PveLine* line = conf.current("args");
    std::string text = line ? line->value : "";
    struct Word {
        size_t start, end;
    };
    std::vector<Word> words;
    for (size_t i = 0; i < text.size();) {
        while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
        size_t start = i;
        while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i]))) ++i;
        if (i > start) words.push_back({start, i});
    }
    auto word = [&](size_t k) { return text.substr(words[k].start, words[k].end - words[k].start); };

    std::vector<std::string> have, want;
    std::vector<std::pair<size_t, size_t>> cut;  // byte ranges of owned "-set X" pairs, with the space before
    for (size_t k = 0; k + 1 < words.size(); ++k)
        if (word(k) == "-set" && owned(word(k + 1))) {
            have.push_back(word(k + 1));
            cut.push_back({k == 0 ? 0 : words[k - 1].end, words[k + 1].end});
            ++k;
        }
    for (size_t p = 0; p < plan.hostpci.size(); ++p)
        for (const auto& w : pve_owned_args(plan.hostpci[p], indexes[p]))
            if (w != "-set") want.push_back(w);

    std::string result = text;
    if (have != want) {
        for (auto it = cut.rbegin(); it != cut.rend(); ++it) result.erase(it->first, it->second - it->first);
        size_t first = result.find_first_not_of(" \t");
        result = first == std::string::npos ? "" : result.substr(first);
        for (const auto& w : want) result += (result.empty() ? "-set " : " -set ") + w;
    }
    std::string padded = " " + result + " ";
    std::string extra = join(plan.extra_args, " ");
    if (!extra.empty() && padded.find(" " + extra + " ") == std::string::npos)
        result += (result.empty() ? "" : " ") + extra;
    if (result.empty())
        conf.remove("args");
    else if (result != text)
        conf.set("args", result);
}

void merge_machine(PveConfEditor& conf, long long vmid, const PvePassthrough& plan, const Vm& vm) {
    const PveLine* line = conf.current("machine");
    PropertyList props = line ? conf.properties(*line, "type") : PropertyList{};
    const Property* type = props.find("type");
    std::string current = type ? type->value : "pc";
    ConfMachine have = conf_machine(current);
    if (have.q35 != plan.q35)
        throw InputError(
            vm.machine_mark.line ? vm.machine_mark : vm.file_mark(),
            "VM " + std::to_string(vmid) + " uses the " + (have.q35 ? "q35" : "i440fx") +
                " chipset (machine: " + current + "), the VM file asks for " + (plan.q35 ? "q35" : "i440fx") +
                ": moving an installed VM between chipsets changes its device addresses (the guest "
                "may not boot, Windows may ask for reactivation); set machine.type: " +
                (have.q35 ? "q35" : "i440fx") +
                " in the VM file, or create a new VM with 'vfiogen render --target qm'");
    if (plan.machine_version.empty() || have.version == plan.machine_version) return;
    std::string value = pve_machine_value(plan.q35, plan.machine_version);
    conf.set("machine", line ? edited_property_string(props, {{"type", value}}) : value);
}

void merge_cpu(PveConfEditor& conf, const PvePassthrough& plan, const Vm& vm, Warnings& notes,
               const std::string& file) {
    if (plan.cpu_flags.empty()) return;
    const PveLine* line = conf.current("cpu");
    if (!line) {
        std::string value = "kvm64";
        for (const auto& [k, v] : plan.cpu_flags) value += "," + k + "=" + v;
        conf.set("cpu", value);
        notes.push_back({Mark{file, 0, 0}, Severity::Note,
                         "the VM has no cpu line, so qemu-server runs kvm64; vfiogen keeps that type and "
                         "adds the flags (cpu: " +
                             value + "); the VM file's cpu model '" + vm.cpu_model +
                             "' applies to new VMs only"});
        return;
    }
    PropertyList props = conf.properties(*line, "cputype");
    std::vector<std::pair<std::string, std::string>> set;
    for (const auto& [k, v] : plan.cpu_flags) {
        const Property* p = props.find(k);
        if (p && (p->value == v || (k == "hidden" && pve_true(p->value)))) continue;
        set.emplace_back(k, v);
    }
    if (!set.empty()) conf.set("cpu", edited_property_string(props, set));
}

void merge_vga(PveConfEditor& conf, const PvePassthrough& plan) {
    const PveLine* line = conf.current("vga");
    if (!line) {
        if (plan.vga != "std") conf.set("vga", plan.vga);  // no vga line: qemu-server's default, std
        return;
    }
    PropertyList props = conf.properties(*line, "type");
    const Property* type = props.find("type");
    if (!type || type->value != plan.vga)
        conf.set("vga", edited_property_string(props, {{"type", plan.vga}}));
}

// The merged conf goes through the same rules as `vfiogen check`: an error-level finding the conf
// did not have before (legacy IGD on two entries, say) refuses the merge, each at its line in the
// merged text.
void refuse_new_errors(const std::string& before, const std::string& after, const std::string& file,
                       long long vmid, PveVersion version) {
    std::set<std::pair<std::string, std::string>> known;
    for (const auto& f : check_pve_conf(parse_pve_conf(before, file), version))
        if (f.severity() == Severity::Error) known.insert({f.rule, f.message});
    std::vector<Diagnostic> fresh;
    for (const auto& f : check_pve_conf(parse_pve_conf(after, file), version))
        if (f.severity() == Severity::Error && !known.count({f.rule, f.message}))
            fresh.push_back(
                {f.mark, Severity::Error,
                 f.message + " [" + f.rule + "] (in the merged conf of VM " + std::to_string(vmid) + ")"});
    if (fresh.empty()) return;
    fresh.push_back({Mark{file, 0, 0}, Severity::Error,
                     "attach refused: the merged conf would break the rules above; nothing was changed"});
    throw InputErrors(fresh);
}

}  // namespace

std::string pve_conf_digest(const std::string& conf_text) { return sha1_hex(conf_text); }

PveAttachResult merge_pve_passthrough(const std::string& conf_text, const std::string& conf_file,
                                      long long vmid, const PvePassthrough& plan, const Vm& vm,
                                      PveVersion version) {
    PveConfEditor conf(conf_text, conf_file);
    PveAttachResult result;
    result.before = conf_text;
    if (const PveLine* lock = conf.current("lock"))
        throw InputError(
            conf.mark(*lock),
            "VM " + std::to_string(vmid) + " is locked (" + lock->value +
                "): qemu-server changes no locked VM until the task holding it ends; nothing was changed "
                "(a stale lock is removed with 'qm unlock " +
                std::to_string(vmid) + "')");

    merge_machine(conf, vmid, plan, vm);
    std::vector<size_t> indexes = merge_hostpci(conf, vmid, plan, result.notes);
    merge_args(conf, plan, indexes);
    const PveLine* bios = conf.current("bios");
    std::string bios_now = bios ? bios->value : "seabios";
    if (bios_now != plan.bios) {
        conf.set("bios", plan.bios);
        result.notes.push_back({bios ? conf.mark(*bios) : Mark{conf_file, 0, 0}, Severity::Warning,
                                "the firmware changes from " + bios_now + " to " + plan.bios +
                                    ": an installed guest boots only if its disk suits the new firmware "
                                    "(UEFI needs GPT and an EFI "
                                    "system partition; Windows: mbr2gpt)"});
    }
    merge_vga(conf, plan);
    merge_cpu(conf, plan, vm, result.notes, conf_file);

    auto pending = conf.pending_keys();
    std::vector<std::string> touched;
    for (const auto& [key, value] : conf.changes()) touched.push_back(key);
    for (const auto& key : conf.removals()) touched.push_back(key);
    for (const auto& key : touched)
        if (auto it = pending.find(key); it != pending.end())
            throw InputError(conf.mark(*it->second),
                             "[PENDING] already changes '" + key +
                                 "', which attaching would set: apply the pending change (restart the VM) or "
                                 "revert it ('qm set " +
                                 std::to_string(vmid) + " --revert " + key + "') first; nothing was changed");

    for (const auto& [key, value] : conf.changes()) result.qm_set.emplace_back(key, value);
    if (!conf.removals().empty())
        result.qm_set.emplace_back(
            "delete", join(std::vector<std::string>(conf.removals().begin(), conf.removals().end()), ","));
    if (plan.bios == "ovmf" && !conf.current("efidisk0"))
        result.efidisk_command = qm_command("set", vmid, {{"efidisk0", plan.efidisk_create}}, false);
    if (!plan.tpmstate_create.empty() && !conf.current("tpmstate0"))
        result.tpmstate_command = qm_command("set", vmid, {{"tpmstate0", plan.tpmstate_create}}, false);
    result.after = conf.text();
    refuse_new_errors(result.before, result.after, conf_file, vmid, version);
    return result;
}

std::string pve_conf_path(const PveAttachOptions& opts) {
    if (!opts.conf_path.empty()) return opts.conf_path;
    std::string root = opts.pve_root;
    while (!root.empty() && root.back() == '/') root.pop_back();
    return root + "/etc/pve/qemu-server/" + std::to_string(opts.vmid.value_or(0)) + ".conf";
}

namespace {

// The VMID whose qemu-server lock guards `path`: --vmid, or N for a --pve-conf <dir>/qemu-server/N.conf.
std::optional<long long> lock_vmid(const PveAttachOptions& opts, const std::string& path) {
    if (opts.vmid) return opts.vmid;
    std::filesystem::path p(path);
    std::string stem = p.stem().string();
    if (p.extension() != ".conf" || p.parent_path().filename() != "qemu-server" || stem.empty() ||
        stem.size() > 9 ||
        !std::all_of(stem.begin(), stem.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return std::nullopt;
    return std::stoll(stem);
}

// qemu-server's config lock: an exclusive flock on <root>/var/lock/qemu-server/lock-N.conf, held
// until destruction (AbstractConfig.pm lock_config: 10 s to get it).
class ConfLock {
  public:
    ConfLock(const std::string& pve_root, long long vmid) {
        std::string root = pve_root;
        while (!root.empty() && root.back() == '/') root.pop_back();
        std::filesystem::path dir = root + "/var/lock/qemu-server";
        std::error_code ec;
        std::filesystem::create_directories(dir, ec);  // QemuConfig.pm makes it too
        path_ = (dir / ("lock-" + std::to_string(vmid) + ".conf")).string();
        fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (fd_ < 0)
            throw OutputError(path_ + ": cannot open qemu-server's lock file: " + std::strerror(errno));
        auto deadline = std::chrono::steady_clock::now() + kLockTimeout;
        while (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
            if (errno != EWOULDBLOCK && errno != EINTR) {
                int saved = errno;
                ::close(fd_);
                throw OutputError(path_ + ": cannot lock: " + std::strerror(saved));
            }
            if (std::chrono::steady_clock::now() > deadline) {
                ::close(fd_);
                throw ServiceError(
                    "can't lock file '" + path_ +
                    "' - got timeout: another task (a backup, a migration, the GUI) is changing VM " +
                    std::to_string(vmid) + "; nothing was changed");
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    }
    ~ConfLock() { ::close(fd_); }
    ConfLock(const ConfLock&) = delete;
    ConfLock& operator=(const ConfLock&) = delete;

  private:
    std::string path_;
    int fd_ = -1;
};

// The conf's text; throws InputError for a missing, special, symlinked or oversized file.
std::string read_conf(const std::string& path, std::optional<long long> vmid) {
    Mark whole{path, 0, 0};
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0)
        throw InputError(
            whole,
            std::string("cannot read the VM conf: ") + std::strerror(errno) +
                (vmid ? " (is VM " + std::to_string(*vmid) + " on this node? 'qm list' shows its VMs)" : ""));
    if (S_ISLNK(st.st_mode))
        throw InputError(whole, "the VM conf is a symbolic link; vfiogen edits only the regular file itself");
    if (!S_ISREG(st.st_mode)) throw InputError(whole, "the VM conf is not a regular file");
    if (static_cast<size_t>(st.st_size) > kMaxConfBytes)
        throw InputError(whole, "the VM conf is larger than " + std::to_string(kMaxConfBytes) +
                                    " bytes; that is no qemu-server conf");
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in) throw InputError(whole, std::string("cannot read the VM conf: ") + std::strerror(errno));
    return text.str();
}

}  // namespace

namespace {

// The notes for volumes attach leaves to PVE to create (efidisk0, tpmstate0).
void print_create_commands(const PveAttachResult& r, const std::string& path, long long id,
                           std::ostream& err) {
    auto note = [&](const std::string& what, const std::string& command) {
        err << Diagnostic{Mark{path, 0, 0}, Severity::Note,
                          what + "; vfiogen never names a volume: let PVE create it with\n  " + command}
                   .str()
            << "\n";
    };
    if (r.efidisk_command)
        note("OVMF keeps its variables in an efidisk0 and VM " + std::to_string(id) + " has none",
             *r.efidisk_command);
    if (r.tpmstate_command)
        note("the VM file asks for a TPM and VM " + std::to_string(id) + " has no tpmstate0",
             *r.tpmstate_command);
}

// QemuServer/Helpers.pm vm_pidfile_name: a running VM has /var/run/qemu-server/<vmid>.pid.
void print_if_running(const std::string& pve_root, long long id, std::ostream& out) {
    std::string root = pve_root;
    while (!root.empty() && root.back() == '/') root.pop_back();
    std::string pidfile = root + "/var/run/qemu-server/" + std::to_string(id) + ".pid";
    if (::access(pidfile.c_str(), F_OK) == 0)
        out << "VM " << id << " is running (" << pidfile
            << "): the new devices arrive when QEMU restarts; a reboot "
            << "inside the guest is not enough: qm shutdown " << id << " && qm start " << id << "\n";
}

// The conf's folder, opened for FileReplacement; throws InputError when vfiogen cannot write there.
UniqueFd open_conf_folder(const std::string& path) {
    std::string dir = std::filesystem::path(path).parent_path().string();
    if (dir.empty()) dir = ".";
    UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd || ::access(dir.c_str(), W_OK) != 0)
        throw InputError(Mark{path, 0, 0}, "cannot write in the folder " + dir + ": " + std::strerror(errno) +
                                               "; nothing was changed");
    return fd;
}

}  // namespace

void attach_pve(const Vm& vm, const PveAttachOptions& opts, std::ostream& out, std::ostream& err) {
    PvePassthrough plan = plan_pve_passthrough(vm);
    for (const auto& w : plan.warnings) err << w.str() << "\n";
    std::string path = pve_conf_path(opts);
    std::optional<long long> vmid = lock_vmid(opts, path);
    long long id = vmid.value_or(plan.vmid);
    bool writes = !opts.dry_run && !opts.print_qm;

    // Writing: the folder, then the conf (no lock file for a VM that is not there), then
    // qemu-server's lock, then the text read through the same directory entry that is replaced.
    std::optional<ConfLock> lock;
    std::optional<FileReplacement> target;
    std::string text;
    if (writes) {
        UniqueFd folder = open_conf_folder(path);
        read_conf(path, vmid);
        if (vmid) lock.emplace(opts.pve_root, *vmid);
        target.emplace(folder.get(), std::filesystem::path(path).filename().string(), path);
        text = target->current_text();
    } else {
        text = read_conf(path, vmid);
    }

    PveAttachResult r = merge_pve_passthrough(text, path, id, plan, vm, opts.pve_version);
    for (const auto& n : r.notes) err << n.str() << "\n";
    print_create_commands(r, path, id, err);
    std::string file = std::filesystem::path(vm.file).filename().string();
    if (!r.changed()) {
        out << "VM " << id << " (" << path << ") already has the passthrough settings of " << file
            << "; nothing changed\n";
        return;
    }
    if (opts.diff) out << unified_diff(r.before, r.after, path, path + " (with " + file + ")");
    if (opts.print_qm) {
        std::vector<QmOption> options = {{"digest", pve_conf_digest(r.before)}};
        options.insert(options.end(), r.qm_set.begin(), r.qm_set.end());
        out << qm_command("set", id, options, false) << "\n";
        err << "vfiogen: nothing was written; the qm set above makes the same change through the PVE API\n";
        return;
    }
    if (opts.dry_run) {
        err << "dry run: would update " << path << "; nothing was changed\n";
        return;
    }
    target->stage(r.after);
    target->commit();
    out << "updated " << path << " with the passthrough settings of " << file << "\n";
    if (vmid) print_if_running(opts.pve_root, id, out);
}

}  // namespace vfiogen
