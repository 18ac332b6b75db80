#include "sysfs/host.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <sstream>

#include "base/bounded_read.h"
#include "base/diagnostic.h"
#include "base/text_escape.h"

namespace vfiogen {
namespace fs = std::filesystem;
namespace {

// `name` inside directory `dir` ("" = the current one).
std::string path_in(const std::string& dir, const std::string& name) {
    if (dir.empty()) return name;
    return dir.back() == '/' ? dir + name : dir + "/" + name;
}

// A sysfs/procfs file whole; nothing when it is missing or unreadable. Throws InputError naming
// the path when it is not a regular file (a FIFO in a host tree would block) or over
// kMaxHostFileBytes (/dev/zero as proc/cpuinfo).
std::optional<std::string> read_attribute(const std::string& path) {
    return read_regular_file_if_present(path, kMaxHostFileBytes);
}

// The first line of a small sysfs/procfs file, without the newline; nothing when unreadable.
std::optional<std::string> read_line(const std::string& path) {
    auto text = read_attribute(path);
    if (!text) return std::nullopt;
    return text->substr(0, text->find('\n'));
}

std::string read_all(const std::string& path) { return read_attribute(path).value_or(""); }

std::optional<unsigned long long> read_hex(const std::string& path) {
    auto line = read_line(path);
    if (!line || line->empty()) return std::nullopt;
    errno = 0;
    char* end = nullptr;
    unsigned long long v = std::strtoull(line->c_str(), &end, 16);
    if (errno || end == line->c_str()) return std::nullopt;
    return v;
}

// Names in a directory, sorted, without . and ..; empty when it cannot be read.
std::vector<std::string> list_dir(const std::string& path, bool* readable = nullptr) {
    std::vector<std::string> names;
    std::error_code ec;
    fs::directory_iterator it(path, ec);
    if (readable) *readable = !ec;
    for (; !ec && it != fs::directory_iterator(); it.increment(ec)) names.push_back(it->path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

std::vector<std::string> split_words(const std::string& s) {
    std::istringstream in(s);
    std::vector<std::string> words;
    for (std::string w; in >> w;) words.push_back(w);
    return words;
}

std::optional<unsigned> parse_unsigned(const std::string& s) {
    if (s.empty() || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }) || s.size() > 9)
        return std::nullopt;
    return static_cast<unsigned>(std::stoul(s));
}

// ---- Values that reach generated files: each is checked against what the kernel writes, and a
// host tree holding anything else is refused (`host config` turns a driver name into a modprobe.d
// `softdep` line, which modprobe runs as root; a newline there would add an `install` command).

InputError forged(const std::string& path, const std::string& what, const std::string& value) {
    std::string shown = value.size() > 80 ? value.substr(0, 80) + "..." : value;
    return InputError(Mark{path, 0, 0},
                      "'" + escape_control(shown) + "' is not " + what +
                          ": this host tree was not written by a kernel, and vfiogen will not copy it into a configuration",
                      InputError::Kind::Unreadable);
}

bool all_of_set(const std::string& s, const char* extra) {
    return std::all_of(s.begin(), s.end(), [&](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || std::strchr(extra, c);
    });
}

// A kernel driver or module name as modprobe.d takes it: [A-Za-z0-9_-], at most 64 characters
// (Linux MODULE_NAME_LEN is 56 with the terminating NUL).
bool is_module_name(const std::string& s) { return !s.empty() && s.size() <= 64 && all_of_set(s, "_-"); }

// An attribute's text without the one newline the kernel ends it with.
std::optional<std::string> without_newline(std::optional<std::string> text) {
    if (text && !text->empty() && text->back() == '\n') text->pop_back();
    return text;
}

// The contents of a sysfs attribute file without its one trailing newline; nothing when it is
// missing. Read as read_attribute() reads (regular files only, bounded).
std::optional<std::string> read_value(const std::string& path) { return without_newline(read_attribute(path)); }

// The last component of a link target ("vfio-pci" for ../../../bus/pci/drivers/vfio-pci).
std::string last_component(const std::string& target) { return target.substr(target.find_last_of('/') + 1); }

// One sysfs device directory, opened once: its attributes are read relative to it.
class DeviceDir {
public:
    explicit DeviceDir(const std::string& dir) : dir_(dir) {}

    // The attribute without its one trailing newline; nothing when it is missing. Bounded and
    // regular files only, as read_attribute().
    std::optional<std::string> value(const char* name) const {
        return without_newline(dir_.read_file_if_present(name, kMaxHostFileBytes));
    }

    // A hex attribute as the kernel writes it ("0x%04x" for IDs, "0x%06x" for the class): "0x" and
    // exactly `digits` hex digits. 0 when the file is missing (a fixture tree may leave it out).
    unsigned hex_attribute(const char* name, size_t digits) const {
        auto text = value(name);
        if (!text) return 0;
        bool ok = text->size() == digits + 2 && text->compare(0, 2, "0x") == 0 &&
                  std::all_of(text->begin() + 2, text->end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
        if (!ok)
            throw forged(path(name), digits == 4 ? "a PCI ID as the kernel writes it (0x and 4 hex digits)"
                                                 : "a PCI class as the kernel writes it (0x and 6 hex digits)",
                         *text);
        return static_cast<unsigned>(std::stoul(text->substr(2), nullptr, 16));
    }

    std::string link_basename(const char* name) const { return last_component(dir_.link_target(name)); }
    std::string path(const char* name) const { return dir_.path_of(name); }

private:
    DirectoryHandle dir_;
};

// A VF count as the kernel writes it: a decimal number up to 65535 (TotalVFs is 16 bits).
std::optional<unsigned> vf_count(const DeviceDir& dir, const char* name) {
    auto v = dir.value(name);
    if (!v) return std::nullopt;
    auto n = parse_unsigned(*v);
    if (!n || *n > 65535) throw forged(dir.path(name), "a VF count (a number up to 65535)", *v);
    return n;
}

// The BDF a physfn/virtfnN link points at ("../0000:00:02.1"); InputError for anything else.
PciAddress linked_function(const DeviceDir& dir, const std::string& name) {
    std::string target = dir.link_basename(name.c_str());
    auto address = parse_pci_address(target, nullptr);
    if (!address || !address->function) throw forged(dir.path(name.c_str()), "a PCI function (dddd:bb:dd.f)", target);
    return *address;
}

void read_sriov(const DeviceDir& dir, const std::string& dir_path, HostDevice& d) {
    if (!dir.link_basename("physfn").empty()) d.physfn = linked_function(dir, "physfn");
    d.sriov_totalvfs = vf_count(dir, "sriov_totalvfs");
    if (!d.sriov_totalvfs) return;
    d.sriov_numvfs = vf_count(dir, "sriov_numvfs");
    std::vector<std::pair<unsigned, PciAddress>> vfs;
    for (const auto& name : list_dir(dir_path)) {
        if (name.rfind("virtfn", 0) != 0) continue;
        auto n = parse_unsigned(name.substr(6));
        if (!n || vfs.size() >= 65535) continue;
        vfs.emplace_back(*n, linked_function(dir, name));
    }
    std::sort(vfs.begin(), vfs.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& [n, address] : vfs) d.virtfns.push_back(address);
}

// At most this many mdev types per function, and instances listed per type (GVT-g has 4 types).
constexpr size_t kMaxMdevEntries = 64;

bool is_uuid(const std::string& s) {
    if (s.size() != 36) return false;
    for (size_t i = 0; i < s.size(); ++i)
        if ((i == 8 || i == 13 || i == 18 || i == 23) ? s[i] != '-' : !std::isxdigit(static_cast<unsigned char>(s[i])))
            return false;
    return true;
}

MdevType read_mdev_type(const std::string& types_dir, const std::string& type) {
    std::string dir_path = types_dir + "/" + type;
    if (type.size() > 64 || !all_of_set(type, "_-")) throw forged(dir_path, "an mdev type name ([A-Za-z0-9_-], at most 64)", type);
    DeviceDir dir(dir_path);
    MdevType t;
    t.type = type;
    if (auto name = dir.value("name")) t.name = escape_control(*name);
    if (auto text = dir.value("description")) {
        std::string line;
        for (char c : *text) line += c == '\n' ? std::string(", ") : std::string(1, c);
        t.description = escape_control(line);
    }
    if (auto v = dir.value("available_instances")) {
        auto n = parse_unsigned(*v);
        if (!n) throw forged(dir.path("available_instances"), "a number of instances", *v);
        t.available = *n;
    }
    for (const auto& uuid : list_dir(dir_path + "/devices"))
        if (is_uuid(uuid) && t.instances.size() < kMaxMdevEntries) t.instances.push_back(uuid);
    return t;
}

// mdev_supported_types/*: absent on functions without a mediated-device driver.
void read_mdev_types(const std::string& dir_path, HostDevice& d) {
    std::string types_dir = dir_path + "/mdev_supported_types";
    auto names = list_dir(types_dir);
    if (names.size() > kMaxMdevEntries)
        throw forged(types_dir, "a list of mdev types a driver offers (at most 64)", std::to_string(names.size()) + " entries");
    for (const auto& type : names) d.mdev_types.push_back(read_mdev_type(types_dir, type));
}

HostDevice read_device(const std::string& dir_path, const PciAddress& address) {
    DeviceDir dir(dir_path);
    HostDevice d;
    d.address = address;
    d.id.vendor = dir.hex_attribute("vendor", 4);
    d.id.device = dir.hex_attribute("device", 4);
    d.subsystem.vendor = dir.hex_attribute("subsystem_vendor", 4);
    d.subsystem.device = dir.hex_attribute("subsystem_device", 4);
    d.class_code = dir.hex_attribute("class", 6);
    d.driver = dir.link_basename("driver");
    if (!d.driver.empty() && !is_module_name(d.driver))
        throw forged(dir.path("driver"), "a kernel driver name ([A-Za-z0-9_-], at most 64 characters)", d.driver);
    std::string group = dir.link_basename("iommu_group");
    d.iommu_group = parse_unsigned(group);
    if (!group.empty() && !d.iommu_group) throw forged(dir.path("iommu_group"), "an IOMMU group number", group);
    if (auto v = dir.value("boot_vga")) {
        if (*v != "0" && *v != "1") throw forged(dir.path("boot_vga"), "0 or 1", *v);
        d.boot_vga = *v == "1";
    }
    if (auto v = dir.value("reset_method")) d.reset_method = v->substr(0, v->find('\n'));
    read_sriov(dir, dir_path, d);
    read_mdev_types(dir_path, d);
    return d;
}

}  // namespace

HostRoot HostRoot::under(const std::string& dir) { return HostRoot{path_in(dir, "sys"), path_in(dir, "proc"), dir}; }

std::string HostRoot::file(const std::string& absolute) const {
    if (files.empty() || files == "/") return absolute;
    std::string base = files.back() == '/' ? files.substr(0, files.size() - 1) : files;
    return base + (absolute.rfind('/', 0) == 0 ? "" : "/") + absolute;
}

const MdevType* HostDevice::find_mdev_type(const std::string& type) const {
    for (const auto& t : mdev_types)
        if (t.type == type) return &t;
    return nullptr;
}

const HostDevice* Host::find(const PciAddress& address) const {
    for (const auto& d : devices)
        if (d.address == address) return &d;
    return nullptr;
}

std::vector<const HostDevice*> Host::group_of(const HostDevice& device) const {
    std::vector<const HostDevice*> members;
    if (!device.iommu_group) return members;
    auto it = iommu_groups.find(*device.iommu_group);
    if (it == iommu_groups.end()) return {&device};
    for (const auto& a : it->second)
        if (const HostDevice* m = find(a)) members.push_back(m);
    return members;
}

std::optional<std::string> Host::cmdline_value(const std::string& key) const {
    for (const auto& w : cmdline) {
        if (w == key) return std::string();
        if (w.size() > key.size() && w.compare(0, key.size(), key) == 0 && w[key.size()] == '=')
            return w.substr(key.size() + 1);
    }
    return std::nullopt;
}

bool Host::kernel_at_least(int major, int minor) const {
    int ma = 0, mi = 0;
    if (std::sscanf(kernel_release.c_str(), "%d.%d", &ma, &mi) != 2) return false;
    return ma > major || (ma == major && mi >= minor);
}

Host read_host(const HostRoot& root) {
    Host host;
    host.root = root;
    std::string pci_dir = path_in(root.sysfs, "bus/pci/devices");
    bool readable = false;
    std::vector<std::string> names = list_dir(pci_dir, &readable);
    if (!readable)
        throw InputError(Mark{pci_dir, 0, 0}, std::string("cannot read the host's PCI devices: ") + std::strerror(errno) +
                                                  " (give --sysfs-root DIR or --root DIR for another host tree)",
                         InputError::Kind::Unreadable);
    for (const auto& name : names) {
        auto address = parse_pci_address(name, nullptr);
        if (!address || !address->function) continue;
        host.devices.push_back(read_device(path_in(pci_dir, name), *address));
    }
    std::sort(host.devices.begin(), host.devices.end(), [](const HostDevice& a, const HostDevice& b) {
        return a.address.str() < b.address.str();
    });

    std::string groups_dir = path_in(root.sysfs, "kernel/iommu_groups");
    for (const auto& g : list_dir(groups_dir)) {
        auto number = parse_unsigned(g);
        if (!number) continue;
        auto& members = host.iommu_groups[*number];
        for (const auto& m : list_dir(path_in(path_in(groups_dir, g), "devices")))
            if (auto a = parse_pci_address(m, nullptr); a && a->function) members.push_back(*a);
    }

    std::string class_iommu = path_in(root.sysfs, "class/iommu");
    for (const auto& name : list_dir(class_iommu)) {
        IommuUnit unit;
        unit.name = name;
        unit.intel_ecap = read_hex(path_in(class_iommu, name + "/intel-iommu/ecap"));
        host.iommu_units.push_back(unit);
    }
    host.acpi_dmar = path_exists(path_in(root.sysfs, "firmware/acpi/tables/DMAR"));
    host.acpi_ivrs = path_exists(path_in(root.sysfs, "firmware/acpi/tables/IVRS"));

    // /proc/cmdline separates parameters with spaces; quoted values with spaces are rare and
    // not among the parameters vfiogen looks at.
    host.cmdline = split_words(read_all(path_in(root.proc, "cmdline")));
    std::istringstream cpuinfo(read_all(path_in(root.proc, "cpuinfo")));
    for (std::string line; std::getline(cpuinfo, line);) {
        if (line.empty()) break;  // first CPU only
        size_t colon = line.find(':');
        if (colon == std::string::npos) continue;
        std::string key = line.substr(0, line.find_last_not_of(" \t", colon - 1) + 1);
        std::string value = colon + 2 <= line.size() ? line.substr(colon + 2) : "";
        if (key == "vendor_id") host.cpu_vendor = value;
        if (key == "flags") {
            auto flags = split_words(value);
            host.cpu_flags.insert(flags.begin(), flags.end());
        }
    }
    std::istringstream modules(read_all(path_in(root.proc, "modules")));
    for (std::string line; std::getline(modules, line);)
        if (auto words = split_words(line); !words.empty()) host.modules.insert(words[0]);
    for (const auto& m : list_dir(path_in(root.sysfs, "module"))) host.modules.insert(m);
    // The release reaches /etc/modules-load.d/vfio.conf (as a comment): uname's characters only.
    std::string osrelease = path_in(root.proc, "sys/kernel/osrelease");
    host.kernel_release = read_value(osrelease).value_or("");
    if (host.kernel_release.size() > 64 || !all_of_set(host.kernel_release, "._+~-"))
        throw forged(osrelease, "a kernel release ([A-Za-z0-9._+~-], at most 64 characters)", host.kernel_release);
    return host;
}

}  // namespace vfiogen
