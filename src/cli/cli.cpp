#include "cli/cli.h"

#include <cstring>
#include <filesystem>
#include <iostream>
#include <iterator>
#include <sstream>
#include <sys/ioctl.h>
#include <unistd.h>
#include <sys/stat.h>

#include <boost/program_options.hpp>

#include "app/check.h"
#include "app/check_report.h"
#include "app/host_report.h"
#include "app/render.h"
#include "base/bounded_read.h"
#include "base/color.h"
#include "base/strings.h"
#include "base/diagnostic.h"
#include "base/output_file.h"
#include "base/suggest.h"
#include "cli/cli_table.h"
#include "host/host_check.h"
#include "host/host_config.h"
#include "host/host_init.h"
#include "host/host_scan.h"
#include "libvirt/deploy.h"
#include "libvirt/libvirt_api.h"
#include "model/key_schema.h"
#include "model/keys.h"
#include "model/profile.h"
#include "model/vm.h"
#include "pve/pve_attach.h"
#include "pve/render_pve_mapping.h"
#include "sysfs/host.h"
#include "version.h"

namespace po = boost::program_options;

namespace vfiogen {
namespace {

// --profiles DIR (repeatable): every command that loads hardware profiles.
void add_profiles_option(po::options_description& o) {
    o.add_options()("profiles", po::value<std::vector<std::string>>()->composing()->value_name("DIR"),
                    "search DIR for hardware profiles first (repeatable)");
}

// The positional VM.yaml; `required` unless the command has a mode without one.
void add_vm_file_option(po::options_description& o, bool required) {
    auto* value = po::value<std::string>()->value_name("VM.yaml");
    if (required) value->required();
    o.add_options()("vm-file", value, "the VM file ('-' reads stdin)");
}

// --pve-version X.Y: the PVE release line confs are rendered or checked for (pve_schema.h).
void add_pve_version_option(po::options_description& o) {
    o.add_options()("pve-version", po::value<std::string>()->value_name("X.Y"),
                    ("PVE release line to render or check for, 8.0 to " + newest_pve_version().str() + " (default: " +
                     newest_pve_version().str() + "); newer keys and values are errors")
                        .c_str());
}

PveVersion pve_version_arg(const po::variables_map& args) {
    if (!args.count("pve-version")) return newest_pve_version();
    std::string error;
    auto v = parse_pve_version(args["pve-version"].as<std::string>(), &error);
    if (!v) throw UsageError("--pve-version: " + error);
    return *v;
}

// --color WHEN: colour in text output (check, host check), as git and ls take it.
void add_color_option(po::options_description& o) {
    o.add_options()("color", po::value<std::string>()->default_value("auto")->value_name("WHEN"),
                    "colour the severities: auto (on a terminal, unless NO_COLOR is set), always or never");
}

// --fail-on SEVERITY: one vocabulary for check and host check (exit 1 at or above it; host
// check's old word 'fail' still means error, see value_choices).
void add_fail_on_option(po::options_description& o) {
    o.add_options()("fail-on", po::value<std::string>()->default_value("error")->value_name("SEVERITY"),
                    "exit 1 when a finding is at or above SEVERITY: error or warning");
}

// Whether --fail-on is warning. host check's own word for error before the two commands shared
// one vocabulary, 'fail', is still read as error.
bool fail_on_warning_arg(const po::variables_map& args) { return args["fail-on"].as<std::string>() == "warning"; }

// The report format `name` names (run_cli has checked it against value_choices).
ReportFormat report_format_arg(const std::string& name) {
    if (auto format = report_format(name)) return *format;
    throw UsageError("--format " + name + " is for --list-rules");
}

// Whether stdout gets colour, from --color.
bool color_arg(const po::variables_map& args) {
    auto mode = parse_color_mode(args["color"].as<std::string>());  // a WHEN word: run_cli checked it
    return use_color(mode.value_or(ColorMode::Auto), STDOUT_FILENO);
}

// The template set --templates names (the built-in templates without it).
TemplateSet templates_arg(const po::variables_map& args) {
    return TemplateSet(args.count("templates") ? std::optional(args["templates"].as<std::string>()) : std::nullopt);
}

// --connect URI: the libvirt connection of define and attach.
void add_connect_option(po::options_description& o) {
    o.add_options()("connect,c", po::value<std::string>()->value_name("URI"),
                    "libvirt connection URI (default: $LIBVIRT_DEFAULT_URI, then libvirt's own choice, as virsh)");
}

// --templates, --profiles, VM.yaml and --help: the options every command that renders a VM file ends with.
void add_templates_option(po::options_description& o) {
    o.add_options()("templates", po::value<std::string>()->value_name("DIR"),
                    "use DIR/NAME.mustache instead of the built-in template NAME.mustache where present");
}

void add_rendering_input_options(po::options_description& o) {
    add_templates_option(o);
    add_profiles_option(o);
    add_vm_file_option(o, true);
    o.add_options()("help,h", "show this help");
}

po::options_description render_options() {
    po::options_description o("Options");
    o.add_options()
        ("target,t", po::value<std::string>()->required()->value_name("TARGET"),
         "qm (a sh script whose qm create makes the VM on a PVE node, allocating its disks: use this to "
         "create a VM), pve (the whole /etc/pve/qemu-server/<vmid>.conf, for check and git; its volumes "
         "must exist), pve-snippet (the passthrough keys for an existing VM; no volumes) or libvirt (domain XML)")
        ("output,o", po::value<std::string>()->value_name("FILE"),
         "write to FILE instead of stdout (replaced atomically keeping mode and owner, through a symlink to its target; untouched on error; never an input; <N>.conf only for vmid N)");
    add_pve_version_option(o);
    add_rendering_input_options(o);
    return o;
}

po::options_description define_options() {
    po::options_description o("Options");
    add_connect_option(o);
    o.add_options()
        ("start", "start the domain after defining it (virDomainCreate)")
        ("dry-run,n", "print the XML that would be defined and every preflight result; change nothing");
    add_rendering_input_options(o);
    return o;
}

po::options_description attach_options() {
    po::options_description o("Options");
    o.add_options()
        ("domain,d", po::value<std::string>()->value_name("NAME"), "libvirt: the existing domain to change");
    add_connect_option(o);
    o.add_options()
        ("vmid", po::value<long long>()->value_name("N"), "Proxmox VE: change /etc/pve/qemu-server/N.conf")
        ("pve-conf", po::value<std::string>()->value_name("FILE"), "Proxmox VE: change the conf FILE (a copy, say)")
        ("pve-root", po::value<std::string>()->value_name("DIR"),
         "Proxmox VE: look for etc/pve/qemu-server/N.conf and var/lock/qemu-server under DIR instead of / (tests)")
        ("print-qm", "Proxmox VE: print the equivalent 'qm set N ...' and write nothing")
        ("diff", "print a unified diff of the domain XML or the PVE conf before and after")
        ("dry-run,n", "change nothing (libvirt: after the preflight; with --diff: show what would change)");
    add_pve_version_option(o);
    add_rendering_input_options(o);
    return o;
}

po::options_description keys_options() {
    po::options_description o("Options");
    o.add_options()
        ("format", po::value<std::string>()->default_value("text")->value_name("FORMAT"),
         "text, markdown (docs/KEYS.md) or json-schema (JSON Schema draft-07 for editors)")
        ("doc", po::value<std::string>()->default_value("vm")->value_name("DOC"),
         "with --format json-schema: vm (VM files) or profile (hardware profiles)")
        ("help,h", "show this help");
    return o;
}

po::options_description profiles_options() {
    po::options_description o("Options");
    add_profiles_option(o);
    o.add_options()("help,h", "show this help");
    return o;
}

// The --profiles folders, in the order given.
std::vector<std::string> profiles_arg(const po::variables_map& args) {
    return args.count("profiles") ? args["profiles"].as<std::vector<std::string>>() : std::vector<std::string>{};
}

std::vector<std::string> profile_dirs(const po::variables_map& args, const std::string& anchor) {
    return ProfileLibrary::default_search_path(profiles_arg(args), anchor);
}

// Loads the VM file `file` ('-' = stdin) with the --profiles search path (model/vm.h load_vm_input).
Vm load_vm_file(const std::string& file, const po::variables_map& args, std::vector<std::string>* inputs = nullptr) {
    return load_vm_input(file, profiles_arg(args), std::cin, inputs);
}

Vm load_vm_arg(const po::variables_map& args, std::vector<std::string>* inputs = nullptr) {
    return load_vm_file(args["vm-file"].as<std::string>(), args, inputs);
}

// Renders `vm`; the --templates override files read are appended to `inputs` when given.
Rendered render_arg(const Vm& vm, Target target, const po::variables_map& args,
                    std::vector<std::string>* inputs = nullptr) {
    TemplateSet templates = templates_arg(args);
    Rendered out = render(vm, target, templates, pve_version_arg(args));
    for (const auto& w : out.warnings) std::cerr << w.str() << "\n";
    if (inputs) inputs->insert(inputs->end(), templates.files_read().begin(), templates.files_read().end());
    return out;
}

int run_render(const po::variables_map& args) {
    auto target = parse_target(args["target"].as<std::string>());  // a TARGET word: run_cli checked it
    if (!target) throw std::logic_error("--target passed the value check but names no target");
    OutputOptions output;
    Vm vm = load_vm_arg(args, &output.inputs);
    Rendered out = render_arg(vm, *target, args, &output.inputs);
    std::string path = args.count("output") ? args["output"].as<std::string>() : "-";
    if (path != "-" && *target != Target::Libvirt) refuse_foreign_vmid_conf(vm, path);
    write_output(path, out.text, output);
    return kExitOk;
}

DeployOptions deploy_options(const po::variables_map& args) {
    DeployOptions opts;
    if (args.count("connect")) opts.uri = args["connect"].as<std::string>();
    opts.dry_run = args.count("dry-run") > 0;
    opts.start = args.count("start") > 0;
    opts.diff = args.count("diff") > 0;
    if (args.count("domain")) opts.domain = args["domain"].as<std::string>();
    return opts;
}

int run_define(const po::variables_map& args) {
    Vm vm = load_vm_arg(args);
    Rendered xml = render_arg(vm, Target::Libvirt, args);
    define_vm(vm, xml.text, deploy_options(args), std::cout, std::cerr);
    return kExitOk;
}

int run_attach_pve(const po::variables_map& args) {
    if (args.count("vmid") && args.count("pve-conf")) throw UsageError("attach: give --vmid N or --pve-conf FILE, not both");
    if (args.count("connect")) throw UsageError("attach: --connect is for libvirt domains, not Proxmox VE VMs");
    PveAttachOptions opts;
    if (args.count("vmid")) {
        long long vmid = args["vmid"].as<long long>();
        if (vmid < 100 || vmid > 999999999)
            throw UsageError("attach: --vmid " + std::to_string(vmid) + " is not a PVE VMID (100-999999999)");
        opts.vmid = vmid;
    }
    if (args.count("pve-conf")) opts.conf_path = args["pve-conf"].as<std::string>();
    if (args.count("pve-root")) opts.pve_root = args["pve-root"].as<std::string>();
    opts.diff = args.count("diff") > 0;
    opts.dry_run = args.count("dry-run") > 0;
    opts.print_qm = args.count("print-qm") > 0;
    opts.pve_version = pve_version_arg(args);
    Vm vm = load_vm_arg(args);
    attach_pve(vm, opts, std::cout, std::cerr);
    return kExitOk;
}

int run_attach(const po::variables_map& args) {
    bool pve = args.count("vmid") || args.count("pve-conf");
    if (pve && args.count("domain"))
        throw UsageError("attach: give --domain (libvirt) or --vmid/--pve-conf (Proxmox VE), not both");
    if (pve) return run_attach_pve(args);
    if (!args.count("domain"))
        throw UsageError("attach: give --domain NAME (libvirt) or --vmid N / --pve-conf FILE (Proxmox VE); see 'vfiogen attach --help'");
    if (args.count("pve-root") || args.count("print-qm") || args.count("pve-version"))
        throw UsageError("attach: --pve-root, --print-qm and --pve-version are for Proxmox VE (--vmid, --pve-conf)");
    Vm vm = load_vm_arg(args);
    Rendered xml = render_arg(vm, Target::Libvirt, args);
    attach_vm(vm, xml.text, deploy_options(args), std::cout, std::cerr);
    return kExitOk;
}

int run_keys(const po::variables_map& args) {
    std::string format = args["format"].as<std::string>();
    if (format == "markdown") std::cout << key_reference_markdown();
    else if (format == "text") std::cout << key_reference_text();
    else std::cout << key_json_schema(args["doc"].as<std::string>() == "profile" ? DocKind::Profile : DocKind::Vm);
    return kExitOk;
}

int run_profiles(const po::variables_map& args) {
    ProfileLibrary library(profile_dirs(args, "./-"));
    std::cout << format_profile_list(library);
    return kExitOk;
}

po::options_description check_options() {
    po::options_description o("Options");
    o.add_options()
        ("format", po::value<std::string>()->default_value("text")->value_name("REPORT"),
         "text (file:line:col: severity[RULE]: message, then a hint), json, sarif (SARIF 2.1.0), github "
         "(GitHub Actions workflow commands: annotations) or gitlab (GitLab Code Quality JSON); "
         "with --list-rules: text or markdown (docs/RULES.md)")
        ("output,o", po::value<std::string>()->value_name("FILE"),
         "write the --format report to FILE (replaced atomically, untouched when check cannot run) and print "
         "the text report on stdout")
        ("list-rules", "print the rule table (id, severity, summary, source) and exit")
        ("config", po::value<std::string>()->value_name("FILE"),
         "use this .vfiogen.yaml (rules: off or a severity per rule id, ignore: globs, profiles: folders) for every "
         "file, instead of the nearest .vfiogen.yaml above each file");
    add_fail_on_option(o);
    add_color_option(o);
    add_pve_version_option(o);
    add_profiles_option(o);
    o.add_options()
        ("schema", po::value<std::string>()->default_value(DomainSchema::kDefaultPath)->value_name("FILE"),
         "libvirt's RelaxNG domain schema")
        ("libvirt-schema", po::value<std::string>()->value_name("DIR"),
         "judge libvirt XML with the schemas in DIR (DIR/domain.rng, e.g. a newer libvirt's docs/schemas) instead of --schema")
        ("libvirt-version", po::value<std::string>()->value_name("VERSION"),
         "the libvirt release whose schema is used, named in findings (default: the installed libvirt's, for the default schema)")
        ("qemu-version", po::value<std::string>()->value_name("X.Y"),
         "the QEMU that runs the VMs: options removed in it or before are errors, later removals warnings (default 7.2, Debian 12)")
        ("host-root", po::value<std::string>()->value_name("DIR"),
         "read the host from DIR/sys and DIR/proc (use / on the host itself): slot IDs expand to the functions it has, "
         "and ROM and chipset rules know the device classes")
        ("paths", po::value<std::vector<std::string>>()->value_name("PATH"), "files or directories ('-' reads stdin)")
        ("help,h", "show this help");
    return o;
}

int run_check(const po::variables_map& args) {
    std::string format = args["format"].as<std::string>();
    if (args.count("list-rules")) {
        if (format == "markdown") std::cout << rules_markdown();
        else if (format == "text") std::cout << rules_text();
        else throw UsageError("--list-rules prints text or markdown (docs/RULES.md), not '" + format + "'");
        return kExitOk;
    }
    ReportFormat report = report_format_arg(format);
    bool fail_on_warning = fail_on_warning_arg(args);
    if (!args.count("paths")) throw UsageError("check: give at least one PATH (a file, a directory or '-'); see 'vfiogen check --help'");

    CheckOptions options;
    options.profile_dirs = profiles_arg(args);
    options.schema_path = args["schema"].as<std::string>();
    options.pve_version = pve_version_arg(args);
    if (args.count("libvirt-schema")) options.schema_path = args["libvirt-schema"].as<std::string>() + "/domain.rng";
    if (args.count("libvirt-version")) options.libvirt_version = args["libvirt-version"].as<std::string>();
    if (args.count("qemu-version")) {
        std::string v = args["qemu-version"].as<std::string>();
        auto parsed = parse_qemu_version(v);
        if (!parsed) throw UsageError("--qemu-version: '" + v + "' is not a QEMU release such as 7.2 or 9.0.2");
        options.qemu = *parsed;
    }
    if (args.count("host-root")) options.host_root = args["host-root"].as<std::string>();
    if (args.count("config")) options.config_file = args["config"].as<std::string>();
    Checker checker(options);
    std::vector<std::string> notes;
    std::vector<std::string> paths;
    // Every .vfiogen.yaml is read before the first finding is written: a broken one stops the
    // run with no partial report.
    for (auto& path : expand_check_paths(args["paths"].as<std::vector<std::string>>(), &notes))
        if (!checker.ignored(path)) paths.push_back(std::move(path));
    for (const auto& n : notes) std::cerr << n << "\n";
    // With -o, the report for FILE is collected and written atomically at the end, and stdout
    // gets text.
    std::ostringstream to_file;
    auto shown = ReportWriter::make(args.count("output") ? ReportFormat::Text : report, std::cout, color_arg(args));
    auto saved = args.count("output") ? ReportWriter::make(report, to_file) : nullptr;
    CheckSummary s = check_and_report(checker, paths, *shown, saved.get());
    if (saved) write_output(args["output"].as<std::string>(), to_file.str(), OutputOptions{paths});
    if (s.unreadable) return kExitUnreadable;
    if (s.errors || (fail_on_warning && s.warnings)) return kExitInvalid;
    return kExitOk;
}

// --root, --sysfs-root, --proc-root: where the host's files are (the seam tests use).
void add_host_root_options(po::options_description& o) {
    o.add_options()
        ("root", po::value<std::string>()->value_name("DIR"),
         "read the host from DIR/sys, DIR/proc and files (ROMs, OVMF) under DIR instead of /")
        ("sysfs-root", po::value<std::string>()->value_name("DIR"), "read sysfs from DIR (default /sys)")
        ("proc-root", po::value<std::string>()->value_name("DIR"), "read procfs from DIR (default /proc)");
}

HostRoot host_root(const po::variables_map& args) {
    HostRoot root = args.count("root") ? HostRoot::under(args["root"].as<std::string>()) : HostRoot{};
    if (args.count("sysfs-root")) root.sysfs = args["sysfs-root"].as<std::string>();
    if (args.count("proc-root")) root.proc = args["proc-root"].as<std::string>();
    return root;
}

po::options_description host_scan_options() {
    po::options_description o("Options");
    o.add_options()
        ("all", "list every PCI function, not only display devices and their sibling functions")
        ("json", "print JSON instead of the readable report");
    add_host_root_options(o);
    o.add_options()("help,h", "show this help");
    return o;
}

po::options_description pve_mapping_options() {
    po::options_description o("Options");
    o.add_options()
        ("node", po::value<std::vector<std::string>>()->required()->composing()->value_name("NAME=SCAN.json"),
         "a PVE node and its 'vfiogen host scan --json' output (--all for devices that are not GPUs); repeatable")
        ("output,o", po::value<std::string>()->value_name("FILE"),
         "write to FILE instead of stdout (replaced atomically keeping mode and owner; untouched on error; never an input)");
    add_profiles_option(o);
    add_vm_file_option(o, true);
    o.add_options()("help,h", "show this help");
    return o;
}

int run_pve_mapping(const po::variables_map& args) {
    OutputOptions output;  // -o never replaces an input (the VM file, a profile, a scan)
    Vm vm = load_vm_arg(args, &output.inputs);
    std::vector<NodeScan> nodes;
    for (const auto& argument : args["node"].as<std::vector<std::string>>()) {
        auto [node, file] = split_node_argument(argument);
        nodes.push_back(read_node_scan_file(node, file));
        output.inputs.push_back(file);
    }
    write_output(args.count("output") ? args["output"].as<std::string>() : "-", render_pve_mapping(vm, nodes), output);
    return kExitOk;
}

int run_host_scan(const po::variables_map& args) {
    Host host = read_host(host_root(args));
    PciNames names;
    bool all = args.count("all") > 0;
    std::cout << (args.count("json") ? host_scan_json(host, names, all) : host_scan_text(host, names, all));
    return kExitOk;
}

// The VM file named by the positional "vm-file" ('-' = stdin), with profiles from --profiles.
po::options_description host_check_options() {
    po::options_description o("Options");
    o.add_options()
        ("format", po::value<std::string>()->default_value("checklist")->value_name("HOSTREPORT"),
         "checklist (PASS, INFO, WARN and FAIL lines with each fix), or check's reports: text, json, sarif, "
         "github or gitlab (WARN a warning, FAIL an error, INFO a note; PASS left out); with --list-rules: text")
        ("json", "the same as --format json")
        ("list-rules", "print the host rule table (id, severity, summary, source) and exit");
    add_fail_on_option(o);
    add_color_option(o);
    add_profiles_option(o);
    add_vm_file_option(o, false);
    add_host_root_options(o);
    o.add_options()("help,h", "show this help");
    return o;
}

int run_host_check(const po::variables_map& args) {
    std::string format = args.count("json") ? "json" : args["format"].as<std::string>();
    if (args.count("list-rules")) {
        if (format != "text" && format != "checklist")
            throw UsageError("--list-rules prints text, not '" + format + "'");
        std::cout << rules_text(host_check_rules());
        return kExitOk;
    }
    std::optional<ReportFormat> report;
    if (format != "checklist") report = report_format_arg(format);
    bool fail_on_warning = fail_on_warning_arg(args);
    if (!args.count("vm-file")) throw UsageError("host check: give a VM file; see 'vfiogen host check --help'");
    Vm vm = load_vm_arg(args);
    Host host = read_host(host_root(args));
    PciNames names;
    auto findings = check_host(host, vm, names);
    if (report) return write_host_report(findings, vm.file, *report, fail_on_warning, std::cout, color_arg(args));
    std::cout << format_findings_text(findings, color_arg(args));
    return findings_exit_code(findings, fail_on_warning);
}

po::options_description host_config_options() {
    po::options_description o("Options");
    o.add_options()
        ("distro", po::value<std::string>()->value_name("DISTRO"),
         "debian, proxmox, arch or fedora (default: the host's, from /etc/pve, /usr/share/pve-edk2-firmware or "
         "/etc/os-release ID and ID_LIKE)")
        ("boot", po::value<std::string>()->value_name("LOADER"),
         "grub or systemd-boot (default: systemd-boot on Proxmox when /etc/kernel/cmdline exists, else grub)")
        ("output,o", po::value<std::string>()->value_name("DIR"),
         "write the files under DIR (DIR/etc/modprobe.d/vfio.conf, ...) instead of printing them")
        ("install", "allow -o / (write into the real /etc)")
        ("force", "with -o: replace a vfio.conf that claims functions for VMs this run does not name")
        ("vm-file", po::value<std::vector<std::string>>()->required()->value_name("VM.yaml"),
         "the VM files whose functions the host hands to vfio-pci ('-' reads stdin)");
    add_host_root_options(o);
    add_templates_option(o);
    add_profiles_option(o);
    o.add_options()("help,h", "show this help");
    return o;
}

int run_host_config(const po::variables_map& args) {
    std::optional<std::string> dir;
    if (args.count("output")) {
        dir = args["output"].as<std::string>();
        if (dir->empty()) throw UsageError("-o: the output directory is empty (use -o . for the current directory)");
        std::error_code ec;
        auto canonical = std::filesystem::weakly_canonical(*dir, ec);
        if (!ec && canonical == "/" && !args.count("install"))
            throw UsageError("-o / would write into /etc: add --install if that is what you want");
    }
    std::vector<Vm> vms;
    for (const auto& file : args["vm-file"].as<std::vector<std::string>>()) {
        vms.push_back(load_vm_file(file, args));
        for (size_t i = 0; i + 1 < vms.size(); ++i)
            if (vms[i].name == vms.back().name)
                throw UsageError("VM '" + vms.back().name + "' is named twice (" + vms[i].file + ", " + vms.back().file + ")");
    }
    Host host = read_host(host_root(args));
    auto [distro, loader] = choose_distro_and_boot(args.count("distro") ? args["distro"].as<std::string>() : "",
                                                   args.count("boot") ? args["boot"].as<std::string>() : "", host);
    HostConfig config = host_config(vms, host, distro, loader, templates_arg(args));
    for (const auto& w : config.warnings) std::cerr << "vfiogen: warning: " << w << "\n";
    std::cout << (dir ? write_host_config(config, vms, *dir, args.count("force") > 0)
                      : format_host_config(config, vms, distro, loader));
    return kExitOk;
}

po::options_description init_options() {
    po::options_description o("Options");
    o.add_options()
        ("from-host", po::value<std::string>()->required()->value_name("BDF"),
         "the host device to pass through, e.g. 0000:01:00.0 (all its functions are taken)")
        ("output,o", po::value<std::string>()->value_name("VM.yaml"),
         "write the VM file there (and a new profile into profiles/ beside it when none matches)")
        ("force,f", "replace VM.yaml when it exists (it may hold your edits)");
    add_profiles_option(o);
    add_host_root_options(o);
    o.add_options()("help,h", "show this help");
    return o;
}

int run_init(const po::variables_map& args) {
    std::string text = args["from-host"].as<std::string>(), error;
    auto bdf = parse_pci_address(text, &error);
    if (!bdf) throw UsageError("--from-host '" + text + "': " + error);
    std::string out = args.count("output") ? args["output"].as<std::string>() : "-";
    refuse_to_replace_vm_file(out, args.count("force") > 0);  // before the host is read
    ProfileLibrary profiles(profile_dirs(args, out == "-" ? "./-" : out));
    Host host = read_host(host_root(args));
    PciNames names;
    InitResult r = init_from_host(host, *bdf, profiles, names);
    for (const auto& note : write_init(r, out, args.count("force") > 0, text, profiles)) std::cerr << note << "\n";
    return kExitOk;
}

po::options_description completion_options() {
    po::options_description o("Options");
    o.add_options()("shell", po::value<std::string>()->required()->value_name("SHELL"), "bash or zsh")(
        "help,h", "show this help");
    return o;
}

int run_completion(const po::variables_map& args) {
    const std::string& shell = args["shell"].as<std::string>();
    std::cout << (shell == "zsh" ? zsh_completion() : bash_completion());  // a SHELL word: run_cli checked it
    return kExitOk;
}

po::options_description man_options() {
    po::options_description o("Options");
    o.add_options()("help,h", "show this help");
    return o;
}

int run_man(const po::variables_map&) {
    std::cout << man_page();
    return kExitOk;
}

// Commands that turn a VM file into a VM: render, define, attach.
std::vector<Command> vm_commands() {
    return {
        {"render", "render a VM file as a qm create script, a PVE conf or snippet, or libvirt domain XML",
         "--target qm|pve|pve-snippet|libvirt VM.yaml [-o FILE] [--pve-version X.Y] [--templates DIR] [--profiles DIR]",
         "Reads VM.yaml and the hardware profiles it names, checks them against the rules of the target\n"
         "(qemu-server's hostpci rules for PVE, libvirt's for XML) and prints the result.\n"
         "Warnings go to stderr; on any error nothing is written.",
         render_options, run_render, "vm-file"},
        {"define", "define (and start) a VM file's domain on a libvirt host",
         "VM.yaml [--connect URI] [--start] [--dry-run]",
         "Renders VM.yaml for libvirt, runs the preflight checks on the target host (host PCI functions\n"
         "exist as node devices, the domain capabilities offer VFIO, the machine type and the OVMF\n"
         "loader, ROM files exist), then defines the domain with VIR_DOMAIN_DEFINE_VALIDATE and, with\n"
         "--start, starts it. The domain is marked as vfiogen's in its <metadata>. A domain of the same\n"
         "name is replaced only when it carries that mark (same UUID; its previous definition is saved\n"
         "under $XDG_STATE_HOME/vfiogen/replaced, else ~/.local/state/vfiogen/replaced, and named); any\n"
         "other domain of that name is refused: use 'vfiogen attach' to add passthrough to it. If it is\n"
         "running, the new definition applies at its next start. Any failed check refuses the define.\n"
         "--dry-run prints the XML, the plan and a diff against the definition it would replace.",
         define_options, run_define, "vm-file"},
        {"attach", "add a VM file's passthrough to an existing libvirt domain or Proxmox VE VM",
         "VM.yaml --domain NAME [--connect URI] [--diff] [--dry-run]\n"
         "       vfiogen attach VM.yaml --vmid N | --pve-conf FILE [--pve-root DIR] [--diff] [--dry-run] [--print-qm]",
         "libvirt: reads the inactive XML of domain NAME (made in virt-manager, say), adds or replaces the\n"
         "PCI hostdevs of VM.yaml with their ROM settings and <qemu:override> properties, video none,\n"
         "kvm hidden / hyperv vendor_id and the firmware and machine version the VM file asks for,\n"
         "keeps everything else, runs the preflight checks and redefines the domain.\n\n"
         "Proxmox VE: under qemu-server's lock (/var/lock/qemu-server/lock-N.conf) merges into the current\n"
         "config of /etc/pve/qemu-server/N.conf the hostpciN entries (matched by host address; an entry\n"
         "keeps its index), the args words vfiogen owns, bios, the machine type (a pinned version is\n"
         "kept), vga and the cpu hidden/hv-vendor-id flags (the cpu type is kept), and writes it back\n"
         "atomically. The description, [PENDING], snapshots and every other line stay as they were; disks\n"
         "are never touched (without an efidisk0 under OVMF it prints the 'qm set' that creates one).\n"
         "It refuses a locked VM and a [PENDING] change of a key it would set.\n\n"
         "Running it again changes nothing. It never moves a VM between i440fx and q35.",
         attach_options, run_attach, "vm-file"},
    };
}

// Commands that list or check what vfiogen knows: keys, profiles, check, pve mapping.
std::vector<Command> reference_commands() {
    return {
        {"keys", "print the reference of VM file and hardware profile keys", "[--format text|markdown]",
         "Prints every key a VM file or hardware profile may hold, with its type, default,\n"
         "targets and meaning. docs/KEYS.md is this command's markdown output.",
         keys_options, run_keys, nullptr},
        {"profiles", "list the hardware profiles on the search path", "[--profiles DIR]",
         "Lists every hardware profile found on the search path (see README, Profiles) with its functions.",
         profiles_options, run_profiles, nullptr},
        {"check", "check VM files, profiles, Proxmox VE confs and libvirt XML for passthrough mistakes",
         "PATH... [--format text|json|sarif] [--fail-on error|warning] [--pve-version X.Y] [--profiles DIR]\n"
         "    [--host-root DIR] [--qemu-version X.Y] [--libvirt-schema DIR] [--libvirt-version VERSION] | --list-rules",
         "Checks each PATH (a file, a directory searched recursively for .yaml, .yml, .conf, .xml and pci.cfg,\n"
         "or '-' for stdin, recognised by content): vfiogen VM files (as themselves and through both\n"
         "renderings), hardware profiles, Proxmox qemu-server confs and libvirt domain XML (libvirt's\n"
         "RelaxNG schema, then the passthrough rules). PVE confs are judged for --pve-version (default the\n"
         "newest release line vfiogen knows); a PVE pci.cfg given with them is checked, and so is every\n"
         "mapping= of the confs against it. docs/RULES.md lists every rule.\n\n"
         "The libvirt schema is one release's (the installed libvirt's unless --libvirt-schema): names\n"
         "it does not know are warnings naming that release. QEMU arguments are read as QEMU 7.2 reads\n"
         "them, removed options judged against --qemu-version. Without --host-root a PVE slot ID counts\n"
         "only the functions certain to exist (Intel's IGD at 00:02 has .0 alone).\n\n"
         "Exit codes: 0 no finding at or above --fail-on, 1 at least one, 2 an input could not be read\n"
         "or parsed at all, 64 bad command line.",
         check_options, run_check, "paths", -1},
        {"pve mapping", "write PVE PCI resource mappings (pci.cfg) for a VM file's 'mapping' entries",
         "VM.yaml --node NAME=SCAN.json [--node ...] [-o FILE] [--profiles DIR]",
         "For each passthrough entry of VM.yaml that says 'mapping: ID', finds the device on each node\n"
         "by the profile's vendor:device IDs in that node's 'vfiogen host scan --json' output and prints\n"
         "the /etc/pve/mapping/pci.cfg section (one map line per node: id, iommugroup, node, path,\n"
         "subsystem-id). A node with no matching device, or with two, is an error naming the node and the\n"
         "devices; nothing is written then. Add the sections to pci.cfg (or create them in Datacenter >\n"
         "Resource Mappings) before starting the VM.",
         pve_mapping_options, run_pve_mapping, "vm-file"},
    };
}

// Commands that read (or write set-up for) a host: host scan, host check, host config, init.
std::vector<Command> host_commands() {
    return {
        {"host scan", "list GPUs, their functions, drivers and IOMMU groups on this host",
         "[--all] [--json] [--root DIR | --sysfs-root DIR --proc-root DIR]",
         "Reads sysfs (never writes it) and prints every display-class PCI function and its sibling\n"
         "functions with vendor:device and subsystem IDs, names from pci.ids, the bound driver,\n"
         "boot_vga, reset_method and the IOMMU group: every member and whether the group is viable\n"
         "for passthrough (every endpoint unbound or on vfio-pci; PCI bridges allowed).",
         host_scan_options, run_host_scan, nullptr},
        {"host check", "check this host against a VM file: IOMMU, cmdline, modules, groups, drivers, ROMs",
         "VM.yaml [--format checklist|text|json|sarif|github|gitlab] [--fail-on error|warning]\n"
         "    [--root DIR | --sysfs-root DIR --proc-root DIR] | --list-rules",
         "Reads the host (never writes it) and prints PASS, INFO, WARN and FAIL lines: CPU virtualization,\n"
         "the IOMMU in firmware and kernel, kernel command line advice, interrupt remapping, vfio modules,\n"
         "and for each function of VM.yaml: present, vendor:device as the profile says, SR-IOV VF or mdev\n"
         "type, its IOMMU group, its driver, boot_vga, ROM files (55 AA signature), reset_method; then OVMF,\n"
         "TPM and Looking Glass. Every WARN and FAIL names its fix. --format text|json|sarif|github|gitlab\n"
         "writes check's reports instead (a FAIL is an error, a WARN a warning, an INFO a note, each at the\n"
         "VM file's key or the host file it is about). Exit 0 when nothing fails, 1 on a FAIL (or a WARN\n"
         "with --fail-on warning; 'fail' is still read as error), 2 when VM.yaml or the host cannot be read.",
         host_check_options, run_host_check, "vm-file"},
        {"host config", "write the host-side VFIO set-up for a VM file: cmdline, modprobe.d, initramfs",
         "VM.yaml [VM.yaml ...] [--distro debian|proxmox|arch|fedora] [--boot grub|systemd-boot] [-o DIR [--force]]\n"
         "    [--templates DIR]",
         "Prints (or writes under DIR: all files or none, never through a symlink below DIR, a file vfiogen\n"
        "did not write kept as NAME.vfiogen-old) the kernel command line additions and\n"
         "how to apply them, /etc/modprobe.d/vfio.conf (options vfio-pci ids=..., softdep DRIVER pre: vfio-pci\n"
         "for the drivers the functions use today), /etc/modules-load.d/vfio.conf (vfio_virqfd only before\n"
         "kernel 6.2), the distribution's initramfs configuration and the commands to run. Reads the host\n"
         "(drivers, boot_vga, kernel release) from --root/--sysfs-root/--proc-root. Warns when ids= would\n"
         "also claim a device the host keeps and uses driver_override by address instead. Each file is laid\n"
         "out by a template (host-*.mustache) that --templates DIR overrides; it must keep the line\n"
         "'Written by vfiogen host config'. --distro defaults to the host's own. -o / (the real /etc) needs\n"
         "--install. One vfio.conf serves every VM on the host: give all their VM files in one run; -o refuses\n"
         "to replace a vfio.conf written for a VM the run does not name (--force replaces it).",
         host_config_options, run_host_config, "vm-file", -1},
        {"init", "write a VM file for a host device (init --from-host BDF)",
         "--from-host BDF [-o VM.yaml [--force]] [--profiles DIR] [--root DIR]",
         "Reads the device at BDF and its sibling functions from the host and writes a VM file that\n"
         "passes them all, bound to the roles of the hardware profile whose IDs match (an Intel iGPU's\n"
         "PCH audio at 00:1f.3 is found too). It renders without edits; check name, memory and disks.\n"
         "When no profile matches, -o is needed: a minimal profile is then written to profiles/ beside\n"
         "VM.yaml, where render finds it. An existing VM.yaml is replaced only with --force.",
         init_options, run_init, nullptr},
    };
}

// Commands that print vfiogen's own documentation: completion, man.
std::vector<Command> doc_commands() {
    return {
        {"completion", "print the bash or zsh completion script", "bash|zsh",
         "Prints a completion script for commands, options, --target values and file arguments.\n"
         "Packages install it (bash-completion and zsh's vendor-completions); by hand:\n"
         "  source <(vfiogen completion bash)      in ~/.bashrc\n"
         "  vfiogen completion zsh > ~/.zfunc/_vfiogen  with ~/.zfunc in $fpath",
         completion_options, run_completion, "shell"},
        {"man", "print the vfiogen(1) manual page (roff)", "",
         "Prints the manual page, generated from the same tables as --help; 'vfiogen man | man -l -' shows it.",
         man_options, run_man, nullptr},
    };
}

}  // namespace

// The one command table: the groups above, in the order --help lists them.
const std::vector<ValueChoices>& value_choices() {
    static const std::vector<ValueChoices> table = [] {
        std::vector<std::string> check_report = report_format_names(), host_report = {"checklist"}, distros;
        check_report.push_back("markdown");  // with --list-rules
        host_report.insert(host_report.end(), report_format_names().begin(), report_format_names().end());
        for (Distro d : {Distro::Debian, Distro::Proxmox, Distro::Arch, Distro::Fedora}) distros.push_back(distro_name(d));
        return std::vector<ValueChoices>{
            {"TARGET", target_names()},
            {"REPORT", check_report},
            {"HOSTREPORT", host_report},
            {"FORMAT", {"text", "markdown", "json-schema"}},
            {"DOC", {"vm", "profile"}},
            {"SEVERITY", {"error", "warning"}, {"fail"}},  // 'fail': host check's word for error before issue 16
            {"WHEN", {"auto", "always", "never"}},
            {"DISTRO", distros},
            {"LOADER", {"grub", "systemd-boot"}},
            {"SHELL", {"bash", "zsh"}},
        };
    }();
    return table;
}

const std::vector<Command>& commands() {
    static const std::vector<Command> table = [] {
        std::vector<Command> all;
        for (auto group : {vm_commands(), reference_commands(), host_commands(), doc_commands()})
            all.insert(all.end(), group.begin(), group.end());
        return all;
    }();
    return table;
}

const std::vector<ExitCodeDoc>& exit_codes() {
    static const std::vector<ExitCodeDoc> table = {
        {kExitOk, "success"},
        {kExitInvalid, "invalid input (a rule or key error), or a finding at or above --fail-on (check, host check)"},
        {kExitUnreadable, "unreadable input (missing file, YAML syntax, binary)"},
        {kExitUsage, "bad command line"},
        {kExitService, "libvirt unreachable or refused the request"},
        {70, "internal error (a bug: please report it)"},
        {kExitOutput, "output could not be written or was refused (a -o file, or stdout)"},
    };
    return table;
}

const std::vector<EnvironmentVariable>& environment_variables() {
    static const std::vector<EnvironmentVariable> table = {
        {"VFIOGEN_PROFILE_PATH",
         "colon-separated directories searched for hardware profiles after --profiles and before the "
         "profiles/ folders beside the VM file and in its project directory, and the installed ones"},
    };
    return table;
}

namespace {

std::vector<std::string> command_names() {
    std::vector<std::string> names;
    for (const auto& c : commands()) names.push_back(c.name);
    return names;
}

void print_main_help(std::ostream& out) {
    out << "vfiogen " VFIOGEN_VERSION " - VFIO passthrough configs for Proxmox VE and libvirt from one YAML file\n\n"
           "Usage: vfiogen COMMAND [OPTIONS]\n       vfiogen COMMAND --help\n\nCommands:\n";
    for (const auto& c : commands()) {
        std::string name = c.name;
        out << "  " << name << std::string(name.size() < 13 ? 13 - name.size() : 1, ' ') << c.summary << "\n";
    }
    out << "\nOptions:\n  -h, --help   show this help\n  --version    print the version and the git commit it was built from\n\n"
           "Exit codes:\n";
    for (const auto& e : exit_codes()) out << "  " << e.code << std::string(e.code < 10 ? 4 : 3, ' ') << e.meaning << "\n";
}

// The terminal's width when stdout is one (TIOCGWINSZ), else 80: help wraps to it.
unsigned help_width() {
    winsize w{};
    if (::isatty(STDOUT_FILENO) && ::ioctl(STDOUT_FILENO, TIOCGWINSZ, &w) == 0 && w.ws_col >= 40) return w.ws_col;
    return 80;
}

// The command's options without its positional one (VM.yaml, PATH), which the usage line names.
po::options_description visible_options(const Command& c) {
    po::options_description all = c.options();
    unsigned width = help_width();
    po::options_description shown("Options", width, width / 2);
    for (const auto& option : all.options())
        if (!c.positional || option->long_name() != c.positional) shown.add(option);
    return shown;
}

void print_command_help(const Command& c, std::ostream& out) {
    out << "Usage: vfiogen " << c.name << " " << c.usage << "\n\n" << c.description << "\n\n" << visible_options(c);
}

// "a, b or c".
std::string one_of(const std::vector<std::string>& words) {
    if (words.size() < 2) return join(words, "");
    return join({words.begin(), words.end() - 1}, ", ") + " or " + words.back();
}

// Every option of `options` given on the command line whose value name has fixed words
// (value_choices) holds one of them; UsageError otherwise, naming the option and the words.
void check_value_choices(const po::options_description& options, const po::variables_map& vm) {
    for (const auto& option : options.options()) {
        std::string name = option->long_name();
        if (!vm.count(name) || vm[name].defaulted()) continue;
        std::string value_name = option->format_parameter();
        value_name = value_name.substr(0, value_name.find(' '));
        for (const auto& c : value_choices()) {
            if (value_name != c.value_name) continue;
            const std::string& given = vm[name].as<std::string>();
            auto in = [&](const std::vector<std::string>& list) { return std::find(list.begin(), list.end(), given) != list.end(); };
            if (!in(c.words) && !in(c.also))
                throw UsageError("unknown --" + name + " '" + given + "': use " + one_of(c.words) + did_you_mean(given, c.words));
        }
    }
}

// Boost.Program_options' message in the command's own words: the argument a usage line names
// instead of "--vm-file", a did-you-mean for an unknown option.
std::string usage_error_text(const po::error& e, const Command& c) {
    std::string positional = c.positional ? std::string("--") + c.positional : "";
    std::string argument = c.positional ? std::string(c.positional) == "paths" ? "PATH" : "VM.yaml" : "";
    if (const auto* missing = dynamic_cast<const po::required_option*>(&e)) {
        if (missing->get_option_name() == positional) return "missing " + argument + " (the usage line names it)";
        return missing->get_option_name() + " is required";
    }
    if (dynamic_cast<const po::too_many_positional_options_error*>(&e))
        return c.positional ? "takes " + std::string(c.max_positional == 1 ? "one " : "") + argument +
                                  ", and got more arguments than that (a name with a space needs quotes)"
                            : "takes no arguments besides options";
    if (const auto* unknown = dynamic_cast<const po::unknown_option*>(&e)) {
        std::vector<std::string> names;
        po::options_description all = c.options();  // kept: options() refers into it
        for (const auto& option : all.options())
            if (option->long_name() != c.positional) names.push_back("--" + option->long_name());
        return "unknown option '" + unknown->get_option_name() + "'" + did_you_mean(unknown->get_option_name(), names);
    }
    return e.what();
}

}  // namespace

int run_cli(const std::vector<std::string>& args) {
    if (args.empty()) {
        print_main_help(std::cerr);
        return kExitUsage;
    }
    const std::string& first = args[0];
    if (first == "-h" || first == "--help") {
        print_main_help(std::cout);
        return kExitOk;
    }
    if (first == "--version") {
        std::cout << "vfiogen " VFIOGEN_VERSION " (git " VFIOGEN_GIT_COMMIT ")\n";
        return kExitOk;
    }
    std::string name = first;
    std::vector<std::string> rest(args.begin() + 1, args.end());
    if (name == "help") {
        if (rest.empty()) {
            print_main_help(std::cout);
            return kExitOk;
        }
        name = rest[0];
        rest = {"--help"};
    }
    if (name == "host" || name == "pve") {  // host scan|check|config, pve mapping: groups dispatched as "GROUP SUB"
        const std::string group = name, prefix = name + " ";
        std::vector<std::string> subs;
        for (const auto& n : command_names())
            if (n.rfind(prefix, 0) == 0) subs.push_back(n.substr(prefix.size()));
        if (rest.empty() || rest[0] == "-h" || rest[0] == "--help") {
            std::ostream& out = rest.empty() ? std::cerr : std::cout;
            out << "Usage: vfiogen " << group << " SUBCOMMAND [OPTIONS]\n\nSubcommands:\n";
            for (const auto& c : commands())
                if (std::string(c.name).rfind(prefix, 0) == 0) {
                    std::string sub = std::string(c.name).substr(prefix.size());
                    out << "  " << sub << std::string(sub.size() + 2 > 8 ? 2 : 8 - sub.size(), ' ') << c.summary << "\n";
                }
            return rest.empty() ? kExitUsage : kExitOk;
        }
        if (std::find(subs.begin(), subs.end(), rest[0]) == subs.end())
            throw UsageError("unknown " + group + " subcommand '" + rest[0] + "'" + did_you_mean(rest[0], subs) + "; see 'vfiogen " +
                             group + " --help'");
        name = prefix + rest[0];
        rest.erase(rest.begin());
    }
    auto it = std::find_if(commands().begin(), commands().end(), [&](const Command& c) { return name == c.name; });
    if (it == commands().end())
        throw UsageError("unknown command '" + name + "'" + did_you_mean(name, command_names()) +
                         "; see 'vfiogen --help'");
    const Command& cmd = *it;

    po::options_description options = cmd.options();
    po::positional_options_description positional;
    if (cmd.positional) positional.add(cmd.positional, cmd.max_positional);
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(rest).options(options).positional(positional).run(), vm);
        if (vm.count("help")) {
            print_command_help(cmd, std::cout);
            return kExitOk;
        }
        po::notify(vm);
        check_value_choices(options, vm);
    } catch (const po::error& e) {
        throw UsageError(std::string(cmd.name) + ": " + usage_error_text(e, cmd) + "; see 'vfiogen " + cmd.name + " --help'");
    }
    return cmd.run(vm);
}

}  // namespace vfiogen
