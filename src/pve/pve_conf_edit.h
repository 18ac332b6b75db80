// Editing the current config section of a qemu-server conf the way `attach` needs: keys set,
// replaced or removed, every other byte (description, [PENDING], snapshots, line endings) kept.
//
// Lines are told apart as pve_conf.h's lexer tells them apart (QemuServer.pm parse_vm_config); a new
// key goes where write_vm_config's `sort keys` would put it (bytewise order), so a conf PVE wrote
// stays sorted.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/diagnostic.h"
#include "pve/pve_conf.h"

namespace vfiogen {

class PveConfEditor {
  public:
    // Reads `text`, labelled `file` in marks. Throws InputError at the first line qemu-server
    // cannot parse ("unable to parse config"): an edit must not build on a line PVE drops.
    PveConfEditor(const std::string& text, std::string file);

    // The current config's line for `key` (the last one, which qemu-server keeps), or nullptr.
    const PveLine* current(const std::string& key) const;
    // Every key of the current config -> the index of its last line.
    const std::map<std::string, size_t>& current_keys() const { return current_; }

    Mark mark(const PveLine& line) const { return Mark{file_, line.number, 1}; }
    Mark value_mark(const PveLine& line, size_t offset = 0) const;

    // `line`'s value as a property string (pve-common parse_property_string); throws InputError at
    // the first problem, since qemu-server would drop the whole key.
    PropertyList properties(const PveLine& line, std::string_view default_key) const;

    // The keys [PENDING] sets or deletes, each with its line (AbstractConfig.pm parse_pending_delete:
    // `delete:` lists keys separated by ',', ';' or white space, each may start with '!').
    std::map<std::string, const PveLine*> pending_keys() const;

    // Sets `key` in the current config (no change when it already has `value`), or removes it.
    void set(const std::string& key, const std::string& value);
    void remove(const std::string& key);
    const std::map<std::string, std::string>& changes() const { return set_; }
    const std::set<std::string>& removals() const { return removed_; }

    // The conf with the changes: a replaced key keeps its line (and line ending), a removed key's
    // lines go, a new key goes before the first current key that sorts after it (after the last
    // key or description line otherwise); every other byte as read.
    std::string text() const;

  private:
    std::string file_;
    std::vector<PveLine> lines_;
    std::vector<std::string> endings_;       // per line: "\n", or "" for a last line without one
    size_t current_end_ = 0;                 // index of the first section header line
    std::map<std::string, size_t> current_;  // key -> its last line in the current config
    std::vector<size_t> pending_;            // entry lines of [PENDING]
    std::map<std::string, std::string> set_;
    std::set<std::string> removed_;
};

}  // namespace vfiogen
