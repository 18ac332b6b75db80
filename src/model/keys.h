// The one table of keys for VM files and hardware profiles.
//
// Each row gives a key's path, type, default, targets and a one-line doc. The table drives
// validation (unknown keys with "did you mean", types, ranges, enums), the defaults the loaders
// read through Section, `vfiogen keys`, and docs/KEYS.md (a test keeps the two equal).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "base/diagnostic.h"

namespace vfiogen {

enum class DocKind { Vm, Profile };

enum class KeyType {
    String,        // one line of text, no control characters
    Text,          // free text, newlines allowed
    Integer,       // decimal integer within [min, max]
    Boolean,       // true/false, yes/no, on/off
    Enum,          // one of `choices` ("a|b|c")
    PciAddress,    // [dddd:]bb:dd[.f]
    PciId,         // vendor:device, e.g. 10de:1d01
    FileName,      // a bare file name: no '/', no '..', no ',' or ';'
    AbsolutePath,  // starts with '/'
    Map,           // a mapping of sub-keys
    List,          // a sequence of mappings (sub-keys under "path[]")
    StringList,    // a sequence of String
};

// Which output a key affects.
enum Targets : unsigned { kNoTarget = 0, kPve = 1, kLibvirt = 2, kBothTargets = 3 };

struct KeySpec {
    DocKind doc;
    std::string_view path;  // "cpu.cores", "disks[].bus", "passthrough[].functions[].host"
    KeyType type;
    std::string_view default_value;  // as documented; "" = no default (absent means unset)
    unsigned targets;
    std::string_view summary;
    std::string_view choices = {};  // Enum only
    long long min = 0, max = 0;      // Integer: the range; List, StringList: max = most items (0: no limit)
    bool required = false;
};

// The table, in document order.
const std::vector<KeySpec>& key_table();

// The row for `path`; a missing row is a programming error (std::logic_error).
const KeySpec& key_spec(DocKind doc, std::string_view path);

// Checks every key under `root` against the table: known keys only (error with "did you mean"),
// no duplicates, right types, ranges and choices, required keys present.
// Throws KeyErrors (an InputError at the first problem) listing every problem, each with the
// offending key's (or value's) mark in `file`.
void validate_keys(const YAML::Node& root, DocKind doc, const std::string& file);

// What kind of shape error a key problem is: the key itself (unknown, duplicate, missing, not a
// plain name) or its value (no value, wrong type, out of range, not a choice, bad format).
enum class KeyProblemKind { Key, Value };

struct KeyProblem {
    KeyProblemKind kind;
    Diagnostic diagnostic;
};

// Every shape error validate_keys found, in document order (a key with a bad value is not looked
// into further; the other keys are). It is the InputError of the first one, so a caller that
// reports one error reports that; `check` reports them all, each under its own rule.
class KeyErrors : public InputError {
public:
    explicit KeyErrors(std::vector<KeyProblem> problems);
    const std::vector<KeyProblem>& problems() const { return problems_; }

private:
    std::vector<KeyProblem> problems_;
};

// An enum's choices "a|b|c" as {"a", "b", "c"}, in order.
std::vector<std::string> choice_list(std::string_view choices);

// Parses a scalar the way the validator accepted it.
bool parse_bool(const std::string& text, bool* value);

// The key reference as a Markdown document (docs/KEYS.md) or as plain text for the terminal.
std::string key_reference_markdown();
std::string key_reference_text();

// A validated mapping at a key path, read with the table's defaults.
// Accessors take the sub-key name ("cores") and throw std::logic_error for a key not in the table.
class Section {
public:
    Section(YAML::Node node, DocKind doc, std::string path, std::string file);

    bool has(std::string_view key) const;
    std::string str(std::string_view key) const;  // the table default when absent
    long long integer(std::string_view key) const;
    bool boolean(std::string_view key) const;
    std::optional<std::string> opt_str(std::string_view key) const;
    std::optional<long long> opt_integer(std::string_view key) const;
    std::optional<bool> opt_boolean(std::string_view key) const;

    // Mark of the key's value, or of this section when the key is absent.
    Mark mark(std::string_view key) const;
    // Mark of the key itself (its name), or of this section when absent.
    Mark key_mark(std::string_view key) const;
    Mark self_mark() const;

    Section child(std::string_view key) const;  // an absent Map reads as empty
    std::vector<Section> list(std::string_view key) const;
    std::vector<std::pair<std::string, Mark>> strings(std::string_view key) const;

    const std::string& file() const { return file_; }

private:
    const KeySpec& spec(std::string_view key) const;
    std::string full(std::string_view key) const;

    YAML::Node node_;
    DocKind doc_;
    std::string path_;
    std::string file_;
};

}  // namespace vfiogen
