// Checks on the target libvirt host before a domain is defined or started, so a passthrough VM
// fails early with the VM file's or profile's file:line and a fix, not half-started.
#pragma once

#include <string>
#include <vector>

#include "base/diagnostic.h"
#include "libvirt/libvirt_api.h"
#include "model/vm.h"

namespace vfiogen {

struct PreflightCheck {
    enum class Status { Pass, Fail, Unchecked };
    Status status = Status::Pass;
    Mark mark;            // the VM file or profile key the check is about (file only when no key)
    std::string message;  // what was found; for Fail it ends with the fix
};

// Runs every check that `conn` can answer, for `vm` as rendered into `domain_xml` (the exact XML
// that will be defined):
//  - each hostdev's node device exists (virNodeDeviceLookupByName "pci_DDDD_BB_SS_F");
//  - the domain type (kvm | qemu) and the machine type are offered by the host's domain
//    capabilities, which list 'vfio' as PCI hostdev backend when there are hostdevs;
//  - the OVMF loader (explicit path) or firmware autoselection ('efi') is offered there too;
//  - every <rom file> is an absolute path and, on a local connection, an existing file.
// On libvirt's test driver nothing of the host can be checked: one Unchecked entry says so.
// A check the driver cannot answer (VIR_ERR_NO_SUPPORT) becomes Unchecked with libvirt's reason.
// Throws LibvirtError only for failures unrelated to the checked facts (connection lost).
std::vector<PreflightCheck> preflight(const Vm& vm, const std::string& domain_xml, const LibvirtConnection& conn);

// The checks as diagnostics for stderr: Fail → error at its mark, Unchecked → note, Pass → note
// (only when `include_passes`, as --dry-run shows).
std::vector<Diagnostic> preflight_diagnostics(const std::vector<PreflightCheck>& checks, bool include_passes);

// True when any check failed.
bool preflight_failed(const std::vector<PreflightCheck>& checks);

}  // namespace vfiogen
