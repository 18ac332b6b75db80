#include "libvirt/deploy.h"

#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <sys/stat.h>

#include "base/diagnostic.h"
#include "base/output_file.h"
#include "base/text_diff.h"
#include "libvirt/domain_edit.h"
#include "libvirt/libvirt_api.h"
#include "libvirt/preflight.h"

namespace vfiogen {
namespace {

std::string describe_uri(const std::string& uri) { return uri.empty() ? "libvirt's default URI" : uri; }

ServiceError service_error(const std::string& doing, const LibvirtError& e) {
    return ServiceError(doing + ": " + e.what() + (e.code() ? " (libvirt error code " + std::to_string(e.code()) + ")" : ""));
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

// The VM file as the mark names it: absolute when it is a file on disk.
std::string marked_file(const Vm& vm) {
    std::error_code ec;
    auto absolute = std::filesystem::absolute(vm.file, ec);
    return ec || vm.file == "<stdin>" ? vm.file : absolute.lexically_normal().string();
}

// A free name for a replaced definition in `dir`: NAME-UUID-YYYYMMDDTHHMMSSZ[-N].xml.
std::string saved_path(const std::string& dir, const DomainInfo& domain) {
    char stamp[32];
    std::time_t now = std::time(nullptr);
    std::tm utc{};
    gmtime_r(&now, &utc);
    std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &utc);
    std::string base = dir + "/" + domain.name + "-" + domain.uuid + "-" + stamp;
    for (int n = 0;; ++n) {
        std::string path = base + (n ? "-" + std::to_string(n) : "") + ".xml";
        struct stat st {};
        if (::lstat(path.c_str(), &st) != 0 || n == 99) return path;
    }
}

// Keeps `domain`'s current definition before it is replaced; returns the file written.
std::string save_definition(const std::string& dir, const DomainInfo& domain) {
    if (dir.empty())
        throw OutputError("define '" + domain.name +
                          "': nowhere to keep the definition it replaces: set XDG_STATE_HOME or HOME");
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) throw OutputError(dir + ": cannot create directory: " + ec.message());
    std::string path = saved_path(dir, domain);
    OutputOptions once;
    once.replace = false;
    write_output(path, domain.inactive_xml, once);
    return path;
}

}  // namespace

std::string default_saved_dir() {
    if (const char* state = std::getenv("XDG_STATE_HOME"); state && *state == '/')
        return std::string(state) + "/vfiogen/replaced";
    if (const char* home = std::getenv("HOME"); home && *home) return std::string(home) + "/.local/state/vfiogen/replaced";
    return "";
}

void define_vm(const Vm& vm, const std::string& domain_xml, const DeployOptions& opts, std::ostream& out,
               std::ostream& err) {
    LibvirtConnection conn = connect(opts);
    std::string uri = conn.uri();
    std::string doing = "define '" + vm.name + "' on " + uri;
    try {
        auto existing = conn.lookup_domain(vm.name);
        std::string file = marked_file(vm);
        std::optional<std::string> owner = existing ? vfiogen_mark(existing->inactive_xml) : std::nullopt;
        if (existing && !owner)
            throw InputError(vm.name_mark,
                             "domain '" + vm.name + "' on " + uri +
                                 " was not defined by vfiogen (its <metadata> has no vfiogen mark): defining would "
                                 "replace its disks, NICs and everything the VM file does not name; add the "
                                 "passthrough to it with 'vfiogen attach --domain " + vm.name + " " + vm.file +
                                 "', or give this VM another name");
        std::string xml = with_vfiogen_mark(existing ? with_uuid(domain_xml, existing->uuid) : domain_xml, file);
        run_preflight(vm, xml, conn, doing, opts.dry_run, err);
        if (owner && !owner->empty() && *owner != file)
            err << vm.file << ": note: domain '" << vm.name << "' was defined by vfiogen from " << *owner
                << "; this VM file replaces it\n";

        std::string what = existing ? "domain '" + vm.name + "' (UUID " + existing->uuid + ")" : "domain '" + vm.name + "'";
        std::string saved_dir = opts.saved_dir.empty() ? default_saved_dir() : opts.saved_dir;
        if (opts.dry_run) {
            out << xml;
            err << "dry run: would " << (existing ? "replace " : "define new ") << what << " on " << uri;
            if (opts.start) err << (existing && existing->active ? " (already running: not started)" : " and start it");
            if (existing) err << ", keeping its current definition in " << (saved_dir.empty() ? "(nowhere: set HOME)" : saved_dir);
            err << "; nothing was changed\n";
            if (existing)
                err << unified_diff(canonical_domain_xml(existing->inactive_xml), xml, vm.name + " (defined)",
                                    vm.name + " (from " + vm.file + ")");
            return;
        }
        std::string saved = existing ? save_definition(saved_dir, *existing) : "";
        conn.define(xml);
        out << (existing ? "updated " : "defined ") << what << " on " << uri << "\n";
        if (existing) out << "its previous definition is saved as " << saved << " (restore: virsh define " << saved << ")\n";
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
