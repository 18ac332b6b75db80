// Release lines of the software a VM runs on: the PVE release line a conf is for and the QEMU
// that runs the VM. Rules and keys that changed in a release compare against these.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vfiogen {

// A PVE release line, "8.0" .. "9.2".
struct PveVersion {
    int major = 0, minor = 0;
    std::string str() const { return std::to_string(major) + "." + std::to_string(minor); }
    friend bool operator<(PveVersion a, PveVersion b) {
        return a.major != b.major ? a.major < b.major : a.minor < b.minor;
    }
    friend bool operator==(PveVersion a, PveVersion b) { return a.major == b.major && a.minor == b.minor; }
};

// The release lines the table knows, oldest first; the newest is the default everywhere.
const std::vector<PveVersion>& pve_release_lines();
PveVersion newest_pve_version();

// "8.3" -> {8, 3} when it is one of pve_release_lines(); else nullopt and `error` says which exist.
std::optional<PveVersion> parse_pve_version(std::string_view text, std::string* error);

// A QEMU release, "7.2".
struct QemuVersion {
    int major = 7;
    int minor = 2;
    std::string str() const { return std::to_string(major) + "." + std::to_string(minor); }
    bool operator<(const QemuVersion& o) const {
        return major != o.major ? major < o.major : minor < o.minor;
    }
};

// "7.2" or "7.2.1" (the micro release is ignored); nullopt when it is not a version.
std::optional<QemuVersion> parse_qemu_version(std::string_view text);

}  // namespace vfiogen
