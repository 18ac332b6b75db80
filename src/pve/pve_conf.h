// Reading Proxmox VE qemu-server confs (/etc/pve/qemu-server/<vmid>.conf).
//
// Reading is separate from meaning: lex_pve_conf() splits the text into classified lines with
// their numbers, exactly as qemu-server's parse_vm_config tells them apart; parse_pve_conf()
// groups them into sections of `key: value` entries; parse_property_string() splits one value
// into sub-keys (pve-common JSONSchema parse_property_string). Nothing here judges a value:
// pve_check.h does.
//
// Source: proxmox/qemu-server src/PVE/QemuServer.pm `parse_vm_config` at commit
// e6352be67f70042a7433a3a3c712b36d02f9f7cb (9.2.6, 2026-08-17); its order has been the same
// since PVE 8.0 except `[special:fleecing]` (8.2). Per line, the first match wins:
//   1. only white space                          -> skipped
//   2. `[PENDING]`, `[special:cloudinit|fleecing]`, `[snapname]` ([a-z][a-z0-9_-]+), other `[...]`
//      (an unknown section: qemu-server warns and skips every line up to the next section)
//   3. `#...`                                    -> description text of the section
//   4. `description: ...`                        -> description text
//   5. `snapstate:\s*(prepare|delete)\s*$`, NOT anchored: any line ending that way is read as
//      the snapshot state, and whatever key it began with is lost
//   6. `args: ...`, then `delete: ...` (only in [PENDING])
//   7. `^([a-z][a-z_\-]*\d*):\s*(.+?)\s*$`       -> key and value; a value of only white space
//      is its last white-space character ("tags:  " is tags = " ")
//   8. anything else ("key:" with nothing after the colon): "unable to parse config"
// White space is Perl's \s on bytes: space, \t, \n, \v, \f, \r. Lines are split at "\n" only,
// so a "\r" before it is white space at the end of the line.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/diagnostic.h"

namespace vfiogen {

// The kinds of section a conf has, named as qemu-server names them.
enum class PveSectionKind {
    Current,    // the lines before any header: the VM's current config
    Snapshot,   // [snapname]
    Pending,    // [PENDING]
    Cloudinit,  // [special:cloudinit] (informative: qemu-server does not validate it)
    Fleecing,   // [special:fleecing] (since PVE 8.2)
    Unknown,    // any other [...]: qemu-server skips it and its lines
};

// One line of a conf, classified as qemu-server's parser classifies it.
struct PveLine {
    enum class Kind {
        Blank,    // only white space: skipped
        Comment,  // "#..." : part of the description (notes) of the current section
        Section,  // a "[...]" header (see `section`)
        Entry,    // a key and its value (also "description:", "args:", "delete:", "snapstate:")
        Skipped,  // a line inside an unknown section: qemu-server never reads it
        Bad,      // anything else: "unable to parse config"
    };
    Kind kind = Kind::Blank;
    int number = 0;                                    // 1-based line number
    PveSectionKind section = PveSectionKind::Current;  // Section: which kind of header
    std::string key;       // Entry: the key; Section: the name between the brackets
    std::string value;     // Entry: the value as qemu-server reads it; Comment: the text after '#'
    int value_column = 0;  // 1-based column where the value starts (Entry), 0 otherwise
    // Entry: the line was read as `snapstate` only because it ends in `snapstate: prepare|delete`
    // (rule 5); `written_key` is the key it begins with ("" when it begins with none).
    bool snapstate_suffix = false;
    std::string written_key;
    std::string text;  // the line as written (without the "\n")
};

// Splits `text` into lines at "\n" and classifies them; never fails.
std::vector<PveLine> lex_pve_conf(std::string_view text);

// Why qemu-server would not read the conf line `key: value` back as exactly `key` and `value`,
// or "" when it would (a line break, a value that ends in `snapstate: delete`, white space that
// the parser trims, an empty value). The renderer asks this for every line it writes.
std::string pve_line_problem(std::string_view key, std::string_view value);

struct PveEntry {
    std::string key;
    std::string value;
    Mark mark;                      // the key's position (column 1)
    int value_column = 0;           // where the value starts, 1-based
    bool snapstate_suffix = false;  // see PveLine
    std::string written_key;
    Mark value_mark(size_t offset = 0) const {
        return Mark{mark.file, mark.line, value_column + static_cast<int>(offset)};
    }
};

struct PveSection {
    using Kind = PveSectionKind;
    Kind kind = Kind::Current;
    std::string name;  // "" for the current config, else the snapshot name / PENDING / special:cloudinit
    Mark mark;         // the header line (line 0 for the current config)
    std::vector<PveEntry> entries;                    // in file order (repeats kept)
    std::vector<std::pair<std::string, Mark>> notes;  // description "#" lines

    // The last entry with `key` (qemu-server keeps the last), or nullptr.
    const PveEntry* find(std::string_view key) const;
};

// Something qemu-server's parser warns about and then skips (in its default, non-strict mode;
// only the API's import path parses strictly and fails instead).
struct PveParseWarning {
    Mark mark;
    std::string message;
};

struct PveConf {
    std::string file;
    std::vector<PveSection> sections;       // sections[0] is the current config; no Unknown ones
    std::vector<PveParseWarning> warnings;  // in line order
};

// Parses a conf held in memory; `file` labels the marks. Never throws on content.
PveConf parse_pve_conf(std::string_view text, const std::string& file);

// One sub-key of a property string such as "0000:01:00.0,pcie=1,x-vga=1".
struct Property {
    std::string key;    // the named sub-key, or the default key's name when it was written bare
    std::string value;  // "" when written as a bare flag or "key="
    bool bare = false;  // written without "key=" (the default key)
    size_t offset = 0;  // offset of this part within the value string (0-based)
};

struct PropertyList {
    std::vector<Property> properties;
    // The first problem met (a second bare value, an empty part), with its offset; else empty.
    std::string error;
    size_t error_offset = 0;

    const Property* find(std::string_view key) const;
};

// Splits `value` at commas; a part without '=' is the `default_key` (allowed once, first or not,
// as pve-common allows). An empty `default_key` means the format has none.
PropertyList parse_property_string(std::string_view value, std::string_view default_key);

}  // namespace vfiogen
