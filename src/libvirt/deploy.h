// Putting a rendered VM on a libvirt host: `vfiogen define` (define, update, start) and
// `vfiogen attach` (merge the passthrough parts into a domain someone already made).
#pragma once

#include <ostream>
#include <string>

#include "model/vm.h"

namespace vfiogen {

struct DeployOptions {
    std::string uri;          // "" = libvirt's default (LIBVIRT_DEFAULT_URI, then libvirt's choice)
    bool dry_run = false;     // print what would be done and the preflight results, change nothing
    bool start = false;       // define: start the domain afterwards
    bool diff = false;        // attach: print a unified diff of the domain's XML
    std::string domain;       // attach: the existing domain's name
    std::string saved_dir;    // define: where replaced definitions are kept ("" = default_saved_dir())
};

// Where `define` keeps the definitions it replaces: $XDG_STATE_HOME/vfiogen/replaced, else
// $HOME/.local/state/vfiogen/replaced; "" when neither variable is set.
std::string default_saved_dir();

// Defines `domain_xml` (vm rendered for libvirt) on opts.uri, marked as vfiogen's in <metadata>
// (with_vfiogen_mark, naming the VM file). An existing domain of the same name is replaced only
// when it carries that mark: it is updated (its UUID is reused), never duplicated, and its
// previous inactive XML is first saved as SAVED_DIR/NAME-UUID-YYYYMMDDTHHMMSSZ.xml (named on
// `out`; `virsh define` restores it); when it is running, the new definition applies at its next
// start. A domain without the mark (made in virt-manager, say) is refused with InputError at the VM
// file's `name`, pointing to `vfiogen attach`. Runs preflight() first and refuses on any failed
// check. With opts.start the domain is started (virDomainCreate) unless it is already running.
// Writes progress to `out`; with opts.dry_run writes the XML that would be defined to `out` and the
// preflight results, the plan and a unified diff against the definition it would replace to `err`.
// Throws InputError (foreign domain), InputErrors (preflight), OutputError (the saved copy cannot
// be written: nothing is defined), ServiceError (libvirt: "define 'NAME' on URI: message (libvirt
// error code N)").
void define_vm(const Vm& vm, const std::string& domain_xml, const DeployOptions& opts, std::ostream& out,
               std::ostream& err);

// Reads opts.domain's inactive XML, merges the passthrough parts of `domain_xml` into it
// (attach_passthrough), runs preflight() on the result and redefines the domain unless nothing
// changed. opts.diff prints the unified diff to `out`; opts.dry_run stops before redefining.
// Throws InputError/InputErrors (VM file or preflight), ServiceError (libvirt).
void attach_vm(const Vm& vm, const std::string& domain_xml, const DeployOptions& opts, std::ostream& out,
               std::ostream& err);

}  // namespace vfiogen
