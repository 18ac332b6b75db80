// Hardware profiles: what a device model needs for passthrough, independent of any host
// (its PCI functions and roles, IDs, ROM files, legacy IGD options, Code 43 settings).
#pragma once

#include <map>
#include <optional>
#include <set>
#include <sys/types.h>
#include <string>
#include <vector>

#include "base/diagnostic.h"
#include "model/pci_address.h"

namespace vfiogen {

// One PCI function of a device model, after `extends` is resolved.
struct ProfileFunction {
    std::string role;                // gpu | igd | audio | usb | serial | other
    std::optional<PciId> id;         // vendor:device; may be left to a profile that extends this one
    std::optional<unsigned> function;  // function number within the device, when fixed
    std::optional<std::string> romfile;  // bare file name
    Mark romfile_mark;               // where `romfile` is written
    bool rombar = true;
    bool x_vga = false;
    bool legacy_igd = false;
    std::optional<int> igd_gms;      // x-igd-gms value
    bool igd_opregion = false;
    Mark mark;                       // where the function's `role` is written
};

struct Profile {
    std::string name;
    std::string file;                // the profile file it was read from
    std::string description;
    bool kvm_hidden = false;
    std::optional<std::string> hv_vendor_id;
    std::vector<ProfileFunction> functions;  // in profile order, roles unique

    const ProfileFunction* find(const std::string& role) const;
};

// Finds and loads profiles by name from a search path, caching each profile once.
//
// Search order (README "Profiles"): every directory given with --profiles, then the
// directories in $VFIOGEN_PROFILE_PATH (colon-separated), then `profiles/` beside the VM file,
// then `profiles/` in the VM file's project directory (the nearest directory above it holding
// `.vfiogen.yaml` or `.git`), then the installed <prefix>/share/vfiogen/profiles (installed_data_dir()). A VM file read from
// standard input gets neither of the two beside it. A profile is used only when it and its
// directory are owned by root, the user running vfiogen or the owner of the VM file
// (trust_owner_of), and not writable by group or others (as ssh's StrictModes); otherwise load()
// throws InputError naming the path and the fix.
class ProfileLibrary {
public:
    explicit ProfileLibrary(std::vector<std::string> search_dirs);

    // The search path used for a VM file at `vm_file` ("-", "<stdin>" or "./-": standard input):
    // `extra_dirs` first, then the defaults above.
    static std::vector<std::string> default_search_path(const std::vector<std::string>& extra_dirs,
                                                        const std::string& vm_file);

    // Loads profile `name` (resolving `extends`). `ref` marks the reference for errors.
    // Throws InputError at `ref` for a malformed name, a missing profile (with "did you mean")
    // or a cyclic `extends`; errors inside the profile file carry that file's marks.
    const Profile& load(const std::string& name, const Mark& ref);
    // Loads the profile file at `path` itself (`check` of a profile file): its name is the file
    // name without ".yaml" or ".yml", and its own directory is searched first for `extends`.
    // Throws InputError like load().
    const Profile& load_file(const std::string& path);

    // Names of every profile found on the search path, sorted.
    std::vector<std::string> available() const;

    const std::vector<std::string>& search_dirs() const { return dirs_; }

    // Trusts profiles owned by the owner of `vm_file` too (see the class comment); a file that
    // cannot be stat'ed adds nothing.
    void trust_owner_of(const std::string& vm_file);

    // The profile files loaded so far (each once), for "the output is an input" checks.
    std::vector<std::string> files() const;

private:
    const Profile& load_chain(const std::string& name, const Mark& ref, std::vector<std::string>& chain);
    std::optional<std::string> locate(const std::string& name) const;

    std::vector<std::string> dirs_;
    std::map<std::string, std::string> pinned_;  // name -> the file load_file() was given for it
    std::map<std::string, Profile> cache_;
    std::set<uid_t> owners_;
};

// `vfiogen profiles`: each profile `library` finds, by name, with the first line of its
// description and one line per function ("    gpu 10de:1d01 function 0 romfile x.rom legacy-igd").
// Throws InputError for a profile that does not load.
std::string format_profile_list(ProfileLibrary& library);

}  // namespace vfiogen
