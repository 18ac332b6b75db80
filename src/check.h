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
#include <string>
#include <vector>

#include "check_rules.h"
#include "libvirt_xml.h"
#include "profile.h"
#include "templates.h"

namespace vfiogen {

enum class InputKind { VmFile, Profile, PveConf, LibvirtXml };

const char* input_kind_name(InputKind kind);  // "vm", "profile", "pve", "libvirt"

// The kind of a file named `path` holding `text`: by extension (.yaml/.yml, .conf, .xml), else by
// content ('<' first: XML; a [section] or a qemu-server-only key such as hostpciN or bios: PVE;
// else YAML). A YAML mapping with a top-level `functions:` key is a hardware profile.
InputKind detect_kind(const std::string& path, const std::string& text);

struct CheckOptions {
    std::vector<std::string> profile_dirs;             // searched first for hardware profiles
    std::string schema_path = DomainSchema::kDefaultPath;  // libvirt's domain.rng
};

struct FileResult {
    std::string path;
    std::optional<InputKind> kind;  // empty when the file could not be read
    bool unreadable = false;        // read or parse failure: the exit code is 2
    Findings findings;
};

class Checker {
public:
    explicit Checker(CheckOptions options);
    ~Checker();

    // Reads and checks one file ("-" reads stdin, labelled "<stdin>"). Never throws on content:
    // a missing or unparseable file is a result with `unreadable` set and an `unreadable` finding.
    // Throws InputError only when libvirt's schema itself cannot be read.
    FileResult check_file(const std::string& path);

    // Checks `text` as if read from `path` (which also anchors the profile search path).
    FileResult check_text(const std::string& text, const std::string& path, std::optional<InputKind> kind = std::nullopt);

private:
    void check_vm(const std::string& text, FileResult& r);
    void check_profile(const std::string& text, FileResult& r);
    void check_pve(const std::string& text, FileResult& r);
    void check_xml(const std::string& text, FileResult& r);
    ProfileLibrary& library_for(const std::string& path);
    const DomainSchema& schema();

    CheckOptions options_;
    TemplateSet templates_;
    std::unique_ptr<DomainSchema> schema_;
    std::map<std::vector<std::string>, std::unique_ptr<ProfileLibrary>> libraries_;
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
