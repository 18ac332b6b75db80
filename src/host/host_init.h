// `vfiogen init --from-host BDF`: a VM file for a host device, with every function of it bound
// to the roles of a matching hardware profile.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "model/profile.h"
#include "sysfs/host.h"
#include "sysfs/pci_names.h"

namespace vfiogen {

struct InitResult {
    std::string vm_yaml;                      // the VM file
    std::string profile;                      // the profile it uses
    std::optional<std::string> profile_yaml;  // a new minimal profile, when none on the path matched
};

// Builds a VM file for the device at `bdf` (a function or a whole device; the device's
// non-bridge functions are all taken). A profile matches when one of its functions has the
// vendor:device ID of the function at `bdf`; among matches, the one binding most functions wins
// (then the first by name). Each profile role is bound to a host function with its ID, on the same
// device first (so the Intel iGPU's audio at 00:1f.3 is found too). Without a match, a minimal
// profile "host-VVVV-DDDD" is returned in `profile_yaml` (roles from the PCI class).
// The VM file renders for both targets without edits: q35 + OVMF, or i440fx + display none for
// legacy IGD profiles. Throws InputError (Invalid, marked `--from-host`) when there is no PCI
// function at `bdf` or it is a bridge.
InitResult init_from_host(const Host& host, const PciAddress& bdf, ProfileLibrary& profiles, PciNames& names);

// OutputError when `output` (not "-") is a file already and `replace` is false: a VM file
// there may hold the user's edits. write_init checks it first; the CLI also before reading the host.
void refuse_to_replace_vm_file(const std::string& output, bool replace);

// Writes `result` for `init -o OUTPUT` ("-": stdout): the new profile, when there is one, as
// profiles/NAME.yaml beside OUTPUT (never replacing a file there: OutputError), then the VM file
// (replaced only with `replace`; OutputError otherwise, before anything is written). A new
// profile with OUTPUT "-" is an InputError at `--from-host` (`from` as written): it would have
// nowhere to go. `profiles` is the library the VM file was built from (its files are the
// VM file's inputs, which output_file refuses to overwrite). Returns the notes for stderr.
std::vector<std::string> write_init(const InitResult& result, const std::string& output, bool replace,
                                    const std::string& from, const ProfileLibrary& profiles);

}  // namespace vfiogen
