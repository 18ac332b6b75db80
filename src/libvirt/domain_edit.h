// Edits of libvirt domain XML with pugixml: giving a rendered domain the UUID of the domain it
// replaces (`define`), and merging a VM file's passthrough parts into a domain someone already
// made (`attach`), keeping everything else as it was.
#pragma once

#include <optional>
#include <string>

#include "base/diagnostic.h"
#include "model/vm.h"

namespace vfiogen {

// `xml` with <uuid>`uuid`</uuid> right after <name>, replacing any <uuid> it had.
std::string with_uuid(const std::string& xml, const std::string& uuid);

// The XML namespace of vfiogen's mark in a domain's <metadata> (libvirt keeps one element per
// namespace there, through every later edit in virsh or virt-manager). libvirt asks only for an
// absolute URI (formatdomain.rst, "metadata"); "vfiogen" is not an IANA-registered URN namespace
// (RFC 8141), and the project owns no domain for an http URI as libosinfo uses. It stays as is:
// define replaces only domains carrying this mark, so a new name would orphan every domain
// defined so far.
inline constexpr const char* kVfiogenMetadataNs = "urn:vfiogen:domain:1";

// `xml` with vfiogen's mark in <metadata>: <vfiogen:vm xmlns:vfiogen="urn:vfiogen:domain:1"
// file="VM_FILE"/>, replacing an older mark. `vm_file` is the VM file the domain came from
// (control characters become '?').
std::string with_vfiogen_mark(const std::string& xml, const std::string& vm_file);

// The `file` of vfiogen's mark in a domain's XML ("" when the mark has none), or nullopt when the
// domain has no mark: it was not defined by `vfiogen define`.
std::optional<std::string> vfiogen_mark(const std::string& xml);

// `xml` re-serialized the way vfiogen writes edited domains (two-space indent, single-quoted
// attributes, no declaration), so an unchanged domain compares equal to itself after an edit.
std::string canonical_domain_xml(const std::string& xml);

struct AttachResult {
    std::string before;              // the existing domain, canonical_domain_xml
    std::string after;               // with the VM file's passthrough parts
    Warnings warnings;               // firmware switches the guest OS may not survive
    bool changed() const { return before != after; }
};

// Merges into `existing_xml` (a domain's inactive XML) the passthrough parts of `rendered_xml`
// (vm rendered for libvirt):
//  - PCI <hostdev>s, matched by host (source) address and replaced in place; a device already
//    attached keeps its guest slot, a new one gets a free bus-0 slot from 0x10 up or, when the
//    rendering put it on a PCIe root port, a new pcie-root-port controller; functions of one
//    device stay together in one slot (multifunction);
//  - legacy IGD at guest 00:02.0 (an error naming the device that holds that slot);
//  - <qemu:override> entries of those hostdevs' aliases (others kept);
//  - <video> replaced by model 'none' when vm.display is none;
//  - <kvm><hidden/> and <hyperv><vendor_id/> when the VM or its profiles ask for them;
//  - Looking Glass: the <shmem name='looking-glass'> replaced in place (its guest <address>
//    kept) or added, <memballoon model='none'/>, and the SPICE graphics, virtio mouse/keyboard and
//    spicevmc channel when the domain has none of that kind (kvmfr's <qemu:commandline>: a warning);
//  - a <tpm> when the VM has one and the domain has none (an existing TPM and its state are kept);
//  - the machine type when vm names a version, and OVMF or SeaBIOS as vm.firmware says (a warning
//    that the installed guest may not boot after the switch); an OVMF domain keeps its loader/nvram.
// Throws InputError at vm's marks when the domain cannot take the passthrough: i440fx vs q35
// mismatch (device addresses differ: make a new domain with `define`), guest 00:02.0 taken, no
// free bus-0 slot.
AttachResult attach_passthrough(const std::string& existing_xml, const std::string& rendered_xml, const Vm& vm);

}  // namespace vfiogen
