// qemu-server's conf schema as data: keys, sub-keys, value types, index limits and the PVE
// release line each appeared in. The renderer (render_pve.cpp) and the checker (pve_check.cpp)
// both ask this module; nothing else holds these facts.
//
// Read from proxmox/qemu-server at e6352be67f70042a7433a3a3c712b36d02f9f7cb (9.2.6, 2026-08-17):
// QemuServer.pm $confdesc, PCI.pm $hostpci_fmt, Machine.pm $machine_fmt, CPUConfig.pm $cpu_fmt and
// $sev_fmt, Drive.pm $efidisk_fmt; the version of each later addition from the commit that added
// it and the next "bump version" commit (e.g. `aw-bits` dc52c006 -> qemu-server 9.0.21).
// A PVE release line X.Y means an up-to-date host on it, i.e. qemu-server X.Y.* (PVE 8.4 ships
// qemu-server 8.3.x); the table starts at 8.0: anything older is recorded as 8.0.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/pve_formats.h"
#include "model/releases.h"

namespace vfiogen {


// Value types of keys and sub-keys (pve-common JSONSchema formats used by qemu-server).
enum class PveType {
    Any,    // any text
    Bool,   // 1|0|on|off|yes|no|true|false
    Int,    // decimal integer in [min, max]
    Enum,   // one of `choices` ("a|b|c")
    HexId,  // 0xNNNN (PCI.pm vendor-id ... sub-device-id)
    Mac,    // XX:XX:XX:XX:XX:XX, or empty (PVE generates one)
    Size,   // disk size: digits with an optional K/M/G/T suffix
    Mdev,   // [^/.:]+
};

// A value of an Enum that appeared later than its key ("snp" in amd-sev type, 8.3).
struct PveValueSince {
    std::string_view value;
    PveVersion since;
};

struct PveSubKey {
    std::string_view name;
    PveType type = PveType::Any;
    std::string_view choices = {};
    long long min = 0, max = 0;  // Int: bounds; max 0 = none
    PveVersion since = {8, 0};
    std::vector<PveValueSince> values_since = {};
};

// A property-string format such as hostpci's.
struct PveFormat {
    std::string_view name;         // "hostpci", for messages
    std::string_view default_key;  // "" = none
    std::vector<PveSubKey> keys;

    const PveSubKey* find(std::string_view key) const;
};

// One key of $confdesc. Indexed keys (hostpci0..15) have `count` > 0 and are written NAME<i>.
struct PveKey {
    std::string_view name;              // "bios", "hostpci"
    int count = 0;                      // indexed: how many (hostpci 16); 0 = a plain key
    const PveFormat* format = nullptr;  // a property string, else `value` types the whole value
    PveSubKey value = {};
    PveVersion since = {8, 0};
};

// The entry for a conf key ("hostpci3" -> hostpci, index 3), or nullptr when the table has none
// or the index is out of range (`*index` is then still set for indexed names).
const PveKey* find_pve_key(std::string_view key, int* index = nullptr);
// The base name of an indexed key ("hostpci12" -> "hostpci"), else the key itself.
std::string_view pve_key_base(std::string_view key);

// Every key name, indexed ones as NAME0, for "did you mean".
const std::vector<std::string>& pve_key_names();

// How many NAME<i> keys qemu-server allows: hostpci 16, ide 4, sata 6, scsi 31, virtio 16.
int pve_index_count(std::string_view name);


// The value of one hostpciN line, in the order PVE's GUI writes it (default key first).
struct PveHostpci {
    std::string host;     // "0000:01:00" or "0000:01:00.0" (or "" with mapping)
    std::string mapping;  // resource mapping id (PVE 8.0), or ""
    bool legacy_igd = false, pcie = false, rombar = true, x_vga = false;
    std::optional<std::string> mdev;  // mediated device type (qemu-server creates it at VM start)
    std::optional<std::string> romfile;
};
std::string format_pve_hostpci(const PveHostpci& h);

// The release line that added `key`'s sub-key `sub` (with `value`, when a value came later), or
// nullopt when `version` has it all. For the checker and for other commands (attach --pve-conf).
std::optional<PveVersion> pve_needs_newer(const PveKey& key, std::string_view sub, std::string_view value,
                                          PveVersion version);

// For a whole conf line: the release line its key, a sub-key or a value needs when that is newer
// than `version` (`what` then names it: "sub-key 'driver' in 'hostpci0'"), else nullopt. Keys
// the table does not know give nullopt (the checker warns about those).
std::optional<PveVersion> pve_value_needs(std::string_view key, std::string_view value, PveVersion version,
                                          std::string* what);

}  // namespace vfiogen
