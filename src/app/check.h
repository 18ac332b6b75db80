// `vfiogen check`: which files to read, what kind each is, and which checkers run on it.
//
// Kinds: vfiogen VM files and hardware profiles (.yaml/.yml), Proxmox qemu-server confs (.conf)
// and libvirt domain XML (.xml); other names and stdin are recognised by content. A VM file is
// checked as itself (the loader's errors become vm-invalid findings) and through both of its
// renderings, in memory: the PVE conf through the conf rules (skipped when the VM has no vmid,
// i.e. is meant for libvirt only), the domain XML through libvirt's schema and the XML rules.
// A finding from a rendering is reported at the VM file, naming the rendering and its line,
// unless the VM file itself already has a finding of the same rule.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/templates.h"
#include "libvirt/libvirt_xml.h"
#include "model/profile.h"
#include "pve/pve_schema.h"
#include "rules/check_common.h"
#include "rules/check_rules.h"
#include "sysfs/host.h"

namespace vfiogen {

enum class InputKind { VmFile, Profile, PveConf, LibvirtXml, PveMapping };

const char* input_kind_name(InputKind kind);  // "vm", "profile", "pve", "libvirt", "pve-mapping"

// The kind of a file named `path` holding `text`: a file named pci.cfg is PVE's PCI resource
// mappings; else by extension (.yaml/.yml, .conf, .xml), else by
// content ('<' first: XML; a [section] or a qemu-server-only key such as hostpciN or bios: PVE;
// else YAML). A YAML mapping with a top-level `functions:` key is a hardware profile.
InputKind detect_kind(const std::string& path, const std::string& text);

struct CheckOptions {
    std::vector<std::string> profile_dirs;             // searched first for hardware profiles
    std::string schema_path = DomainSchema::kDefaultPath;  // libvirt's domain.rng
    PveVersion pve_version = newest_pve_version();         // the PVE release line confs are checked for
    // The libvirt release whose schema `schema_path` is, named in findings ("9.0.0"); "" = the
    // installed libvirt's (virGetVersion) when schema_path is the default, else unnamed.
    std::string libvirt_version;
    // The host the configs are for (`--host-root DIR`: DIR/sys, DIR/proc); "" = unknown. Slot
    // IDs then expand to the functions it has, and ROM/chipset rules read their classes.
    std::string host_root;
    QemuVersion qemu;  // the QEMU that runs the VMs (--qemu-version)
    // `check --config FILE`: this .vfiogen.yaml for every file, instead of the nearest one.
    std::optional<std::string> config_file;
};

// Most findings reported for one file (200). A real config has a handful; a generated or hostile
// one can have one per line (800,000 for a 4 MiB conf of `a: 1` lines), which would make reports
// of gigabytes. The rest are counted, and a `more-findings` note says how many.
constexpr size_t kMaxFindingsPerFile = 200;

// Most elements in a libvirt domain XML that `check` validates (5,000; `virsh dumpxml` of a VM
// with 16 host devices has about 300). More is reported as unreadable.
constexpr size_t kMaxXmlElements = 5000;

// Most lines in a qemu-server conf that `check` reads (20,000; a conf is about 40 lines, and each
// snapshot adds a section of the same size). More is reported as unreadable.
constexpr size_t kMaxConfLines = 20000;

struct FileResult {
    std::string path;
    std::optional<InputKind> kind;  // empty when the file could not be read
    bool unreadable = false;        // read or parse failure: the exit code is 2
    Findings findings;              // at most kMaxFindingsPerFile, then one `more-findings` note
    size_t hidden_errors = 0;       // findings past the limit, not in `findings`
    size_t hidden_warnings = 0;
};

struct CheckConfig;

class Checker {
public:
    explicit Checker(CheckOptions options);
    ~Checker();

    // Reads and checks one file ("-" reads stdin, labelled "<stdin>"). Never throws on content:
    // a missing or unparseable file is a result with `unreadable` set and an `unreadable` finding.
    // Throws InputError only when libvirt's schema itself cannot be read. The constructor throws
    // InputError when `host_root` is given and cannot be read.
    FileResult check_file(const std::string& path);

    // Checks `text` as if read from `path` (which also anchors the profile search path).
    // Findings past kMaxFindingsPerFile are counted in hidden_errors/hidden_warnings.
    FileResult check_text(const std::string& text, const std::string& path, std::optional<InputKind> kind = std::nullopt);

    // After every file: when a pci.cfg was among them, adds to each conf's result a finding
    // (pve-mapping-missing) for every `hostpciN: mapping=ID` with no section ID in any pci.cfg read.
    void check_mappings(std::vector<FileResult>& results) const;

    // Whether the .vfiogen.yaml for `path` ignores it (then it is not checked at all). Throws
    // InputError (Unreadable) when that config is broken.
    bool ignored(const std::string& path);

    // Whether `result` names a mapping no pci.cfg read so far has: a streamed report holds such a
    // result back until every file is read, then passes it through check_mappings.
    bool awaits_mappings(const FileResult& result) const;

private:
    void check_vm(const std::string& text, FileResult& r);
    void check_profile(const std::string& text, FileResult& r);
    void check_pve(const std::string& text, FileResult& r);
    void check_xml(const std::string& text, FileResult& r);
    void check_mapping_file(const std::string& text, FileResult& r);
    // Whether libvirt renderings come from the built-in template (no --templates override of
    // libvirt.xml.mustache), whose output the test suite validates against domain.rng.
    bool own_rendering_valid() const;
    ProfileLibrary& library_for(const std::string& path);
    // The .vfiogen.yaml that applies to `path` (--config, else the nearest), or nullptr; each
    // folder is looked up and each config read once.
    const CheckConfig* config_for(const std::string& path);
    const DomainSchema& schema();

    CheckOptions options_;
    std::optional<Host> host_;
    CheckContext ctx_;
    TemplateSet templates_;
    std::unique_ptr<DomainSchema> schema_;
    std::map<std::vector<std::string>, std::unique_ptr<ProfileLibrary>> libraries_;
    // The profile search path of each directory holding VM files (a project root is looked up
    // once per directory, not once per file).
    std::map<std::string, std::vector<std::string>> search_paths_;
    std::map<std::string, std::optional<std::string>> config_files_;  // folder -> its config
    std::map<std::string, std::unique_ptr<CheckConfig>> configs_;     // config file -> contents
    struct MappingUse {
        std::string path, id;
        Mark mark;
    };
    std::vector<MappingUse> mapping_uses_;  // hostpciN mapping= in the confs read
    std::set<std::string> mapping_ids_;     // sections of the pci.cfg files read
    bool read_mapping_file_ = false;
};

// The files to check for the command-line PATHs: files as given (whatever their name), and the
// .yaml, .yml, .conf and .xml files under each directory, recursively, sorted, skipping
// hidden entries. A missing path, or a directory with none of those files, is kept as it is, so
// that checking it reports it as unreadable (exit 2) instead of passing with nothing checked.
// A symlink under a directory is followed only when its target stays inside that directory (a
// pull request may add `configs/x.conf -> ../.git/config`); each one skipped adds a line
// "LINK: note: not followed: a symlink to TARGET, outside DIR" to `notes` when given.
std::vector<std::string> expand_check_paths(const std::vector<std::string>& paths,
                                            std::vector<std::string>* notes = nullptr);

}  // namespace vfiogen
