#include "deploy.h"

#include "diagnostic.h"
#include "domain_edit.h"
#include "libvirt_api.h"
#include "preflight.h"
#include "text_diff.h"

namespace vfiogen {
namespace {

std::string describe_uri(const std::string& uri) { return uri.empty() ? "libvirt's default URI" : uri; }

ServiceError service_error(const std::string& doing, const LibvirtError& e) {
    return ServiceError(doing + ": " + e.what() + " (libvirt error code " + std::to_string(e.code()) + ")");
}

LibvirtConnection connect(const DeployOptions& opts) {
    try {
        // Read-write even for --dry-run: libvirt answers domain capabilities (the preflight) only
        // there. A dry run never calls define or start.
        return LibvirtConnection::open(opts.uri, false);
    } catch (const LibvirtError& e) {
        throw service_error("connect to " + describe_uri(opts.uri), e);
    }
}

// Runs the preflight and prints its notes (and passes, on a dry run); throws on any failure.
void run_preflight(const Vm& vm, const std::string& xml, const LibvirtConnection& conn, const std::string& doing,
                   bool dry_run, std::ostream& err) {
    std::vector<PreflightCheck> checks;
    try {
        checks = preflight(vm, xml, conn);
    } catch (const LibvirtError& e) {
        throw service_error(doing, e);
    }
    auto diagnostics = preflight_diagnostics(checks, dry_run);
    if (preflight_failed(checks)) {
        diagnostics.push_back({vm.file_mark(), Severity::Error,
                               doing + ": refused, the preflight checks above failed; nothing was changed"});
        throw InputErrors(diagnostics);
    }
    for (const auto& d : diagnostics) err << d.str() << "\n";
}

}  // namespace

void define_vm(const Vm& vm, const std::string& domain_xml, const DeployOptions& opts, std::ostream& out,
               std::ostream& err) {
    LibvirtConnection conn = connect(opts);
    std::string uri = conn.uri();
    std::string doing = "define '" + vm.name + "' on " + uri;
    try {
        auto existing = conn.lookup_domain(vm.name);
        std::string xml = existing ? with_uuid(domain_xml, existing->uuid) : canonical_domain_xml(domain_xml);
        run_preflight(vm, xml, conn, doing, opts.dry_run, err);

        std::string what = existing ? "domain '" + vm.name + "' (UUID " + existing->uuid + ")" : "domain '" + vm.name + "'";
        if (opts.dry_run) {
            out << xml;
            err << "dry run: would " << (existing ? "update " : "define new ") << what << " on " << uri;
            if (opts.start) err << (existing && existing->active ? " (already running: not started)" : " and start it");
            err << "; nothing was changed\n";
            return;
        }
        conn.define(xml);
        out << (existing ? "updated " : "defined ") << what << " on " << uri << "\n";
        if (existing && existing->active) {
            out << "domain '" << vm.name << "' is running: the new definition applies at its next start\n";
            return;
        }
        if (!opts.start) return;
        doing = "start '" + vm.name + "' on " + uri;
        conn.start(vm.name);
        out << "started domain '" << vm.name << "'\n";
    } catch (const LibvirtError& e) {
        throw service_error(doing, e);
    }
}

void attach_vm(const Vm& vm, const std::string& domain_xml, const DeployOptions& opts, std::ostream& out,
               std::ostream& err) {
    LibvirtConnection conn = connect(opts);
    std::string uri = conn.uri();
    std::string doing = "attach to '" + opts.domain + "' on " + uri;
    try {
        auto existing = conn.lookup_domain(opts.domain);
        if (!existing)
            throw ServiceError(doing + ": there is no domain '" + opts.domain +
                               "' (list them with 'virsh --connect " + uri + " list --all')");
        AttachResult edit = attach_passthrough(existing->inactive_xml, domain_xml, vm);
        for (const auto& w : edit.warnings) err << w.str() << "\n";
        if (!edit.changed()) {
            out << "domain '" << opts.domain << "' on " << uri << " already has the passthrough settings of " << vm.file
                << "; nothing changed\n";
            return;
        }
        run_preflight(vm, edit.after, conn, doing, opts.dry_run, err);
        if (opts.diff)
            out << unified_diff(edit.before, edit.after, opts.domain + " (defined)", opts.domain + " (with " + vm.file + ")");
        if (opts.dry_run) {
            err << "dry run: would redefine domain '" << opts.domain << "' on " << uri << "; nothing was changed\n";
            return;
        }
        conn.define(edit.after);
        out << "updated domain '" << opts.domain << "' on " << uri << " with the passthrough settings of " << vm.file
            << "\n";
        if (existing->active)
            out << "domain '" << opts.domain << "' is running: the new definition applies at its next start\n";
    } catch (const LibvirtError& e) {
        throw service_error(doing, e);
    }
}

}  // namespace vfiogen
