// Putting a rendered VM on a libvirt host: `vfiogen define` (define, update, start) and
// `vfiogen attach` (merge the passthrough parts into a domain someone already made).
#pragma once

#include <ostream>
#include <string>

#include "vm.h"

namespace vfiogen {

struct DeployOptions {
    std::string uri;          // "" = libvirt's default (LIBVIRT_DEFAULT_URI, then libvirt's choice)
    bool dry_run = false;     // print what would be done and the preflight results, change nothing
    bool start = false;       // define: start the domain afterwards
    bool diff = false;        // attach: print a unified diff of the domain's XML
    std::string domain;       // attach: the existing domain's name
};

// Defines `domain_xml` (vm rendered for libvirt) on opts.uri. An existing domain of the same name
// is updated (its UUID is reused), never duplicated; when it is running, the new definition applies
// at its next start. Runs preflight() first and refuses on any failed check. With opts.start the
// domain is started (virDomainCreate) unless it is already running.
// Writes progress to `out`; with opts.dry_run writes the XML that would be defined to `out` and the
// preflight results and plan to `err`. Throws InputErrors (preflight), ServiceError (libvirt:
// "define 'NAME' on URI: message (libvirt error code N)").
void define_vm(const Vm& vm, const std::string& domain_xml, const DeployOptions& opts, std::ostream& out,
               std::ostream& err);

// Reads opts.domain's inactive XML, merges the passthrough parts of `domain_xml` into it
// (attach_passthrough), runs preflight() on the result and redefines the domain unless nothing
// changed. opts.diff prints the unified diff to `out`; opts.dry_run stops before redefining.
// Throws InputError/InputErrors (VM file or preflight), ServiceError (libvirt).
void attach_vm(const Vm& vm, const std::string& domain_xml, const DeployOptions& opts, std::ostream& out,
               std::ostream& err);

}  // namespace vfiogen
