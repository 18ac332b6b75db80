// Reading Proxmox VE qemu-server confs (/etc/pve/qemu-server/<vmid>.conf).
//
// Reading is separate from meaning: lex_pve_conf() splits the text into classified lines with
// their numbers, exactly as qemu-server's parse_vm_config (QemuServer.pm) tells them apart;
// parse_pve_conf() groups them into sections of `key: value` entries; parse_property_string()
// splits one value into sub-keys (pve-common JSONSchema parse_property_string). Nothing here
// judges a value: pve_check.h does.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "diagnostic.h"

namespace vfiogen {

// One line of a conf, classified as qemu-server's parser classifies it.
struct PveLine {
    enum class Kind {
        Blank,    // only white space: skipped
        Comment,  // "#..." : part of the description (notes) of the current section
        Section,  // "[name]", "[PENDING]", "[special:cloudinit]"
        Entry,    // "key: value" (key [a-z][a-z_]*\d*; "description:" and "delete:" included)
        Bad,      // anything else ("unable to parse config")
    };
    Kind kind = Kind::Blank;
    int number = 0;        // 1-based line number
    std::string key;       // Entry: the key; Section: the name between the brackets
    std::string value;     // Entry: the value, trimmed; Comment: the text after '#'
    int value_column = 0;  // 1-based column where the value starts (Entry), 0 otherwise
    std::string text;      // the line as written (without the newline)
};

// Splits `text` into lines ("\n" or "\r\n"); never fails.
std::vector<PveLine> lex_pve_conf(std::string_view text);

struct PveEntry {
    std::string key;
    std::string value;
    Mark mark;            // the key's position (column 1)
    int value_column = 0;  // where the value starts, 1-based
    Mark value_mark(size_t offset = 0) const { return Mark{mark.file, mark.line, value_column + static_cast<int>(offset)}; }
};

struct PveSection {
    enum class Kind { Current, Snapshot, Pending, Cloudinit };
    Kind kind = Kind::Current;
    std::string name;                   // "" for the current config, else the snapshot name / PENDING / special:cloudinit
    Mark mark;                          // the header line (line 0 for the current config)
    std::vector<PveEntry> entries;      // in file order (repeats kept)
    std::vector<std::pair<std::string, Mark>> notes;  // description "#" lines

    // The last entry with `key` (qemu-server keeps the last), or nullptr.
    const PveEntry* find(std::string_view key) const;
};

struct PveConf {
    std::string file;
    std::vector<PveSection> sections;  // sections[0] is the current config
    std::vector<PveLine> bad_lines;    // lines of kind Bad
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
