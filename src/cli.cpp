#include "cli.h"

#include <iostream>
#include <iterator>
#include <sstream>

#include <boost/program_options.hpp>

#include "deploy.h"
#include "diagnostic.h"
#include "keys.h"
#include "output_file.h"
#include "profile.h"
#include "render.h"
#include "suggest.h"
#include "vm.h"

namespace po = boost::program_options;

namespace vfiogen {
namespace {

struct Command {
    const char* name;
    const char* summary;
    const char* usage;        // after "vfiogen NAME"
    const char* description;  // shown by --help
    po::options_description (*options)();
    int (*run)(const po::variables_map& vm);
    const char* positional;   // name of the positional option, or nullptr
};

po::options_description render_options() {
    po::options_description o("Options");
    o.add_options()
        ("target,t", po::value<std::string>()->required()->value_name("TARGET"),
         "pve (a whole /etc/pve/qemu-server/<vmid>.conf), pve-snippet (only hostpciN, args, bios, "
         "efidisk0, machine, vga, cpu) or libvirt (domain XML)")
        ("output,o", po::value<std::string>()->value_name("FILE"),
         "write to FILE (replaced atomically, untouched on error) instead of stdout")
        ("templates", po::value<std::string>()->value_name("DIR"),
         "use DIR/NAME.mustache instead of the built-in template NAME.mustache where present")
        ("profiles", po::value<std::vector<std::string>>()->composing()->value_name("DIR"),
         "search DIR for hardware profiles first (repeatable)")
        ("vm-file", po::value<std::string>()->required()->value_name("VM.yaml"), "the VM file ('-' reads stdin)")
        ("help,h", "show this help");
    return o;
}

po::options_description define_options() {
    po::options_description o("Options");
    o.add_options()
        ("connect,c", po::value<std::string>()->value_name("URI"),
         "libvirt connection URI (default: $LIBVIRT_DEFAULT_URI, then libvirt's own choice, as virsh)")
        ("start", "start the domain after defining it (virDomainCreate)")
        ("dry-run,n", "print the XML that would be defined and every preflight result; change nothing")
        ("templates", po::value<std::string>()->value_name("DIR"),
         "use DIR/NAME.mustache instead of the built-in template NAME.mustache where present")
        ("profiles", po::value<std::vector<std::string>>()->composing()->value_name("DIR"),
         "search DIR for hardware profiles first (repeatable)")
        ("vm-file", po::value<std::string>()->required()->value_name("VM.yaml"), "the VM file ('-' reads stdin)")
        ("help,h", "show this help");
    return o;
}

po::options_description attach_options() {
    po::options_description o("Options");
    o.add_options()
        ("domain,d", po::value<std::string>()->required()->value_name("NAME"), "the existing domain to change")
        ("connect,c", po::value<std::string>()->value_name("URI"),
         "libvirt connection URI (default: $LIBVIRT_DEFAULT_URI, then libvirt's own choice, as virsh)")
        ("diff", "print a unified diff of the domain XML before and after")
        ("dry-run,n", "run the preflight and change nothing (with --diff: show what would change)")
        ("templates", po::value<std::string>()->value_name("DIR"),
         "use DIR/NAME.mustache instead of the built-in template NAME.mustache where present")
        ("profiles", po::value<std::vector<std::string>>()->composing()->value_name("DIR"),
         "search DIR for hardware profiles first (repeatable)")
        ("vm-file", po::value<std::string>()->required()->value_name("VM.yaml"), "the VM file ('-' reads stdin)")
        ("help,h", "show this help");
    return o;
}

po::options_description keys_options() {
    po::options_description o("Options");
    o.add_options()
        ("format", po::value<std::string>()->default_value("text")->value_name("FORMAT"), "text or markdown (docs/KEYS.md)")
        ("help,h", "show this help");
    return o;
}

po::options_description profiles_options() {
    po::options_description o("Options");
    o.add_options()
        ("profiles", po::value<std::vector<std::string>>()->composing()->value_name("DIR"),
         "search DIR for hardware profiles first (repeatable)")
        ("help,h", "show this help");
    return o;
}

std::vector<std::string> profile_dirs(const po::variables_map& vm, const std::string& anchor) {
    std::vector<std::string> extra;
    if (vm.count("profiles")) extra = vm["profiles"].as<std::vector<std::string>>();
    return ProfileLibrary::default_search_path(extra, anchor);
}

// Loads the VM file named by --vm-file ('-' = stdin) with the --profiles search path.
Vm load_vm_arg(const po::variables_map& args) {
    std::string file = args["vm-file"].as<std::string>();
    if (file == "-") {
        std::string text{std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
        ProfileLibrary profiles(profile_dirs(args, "./<stdin>"));
        return load_vm_text(text, "<stdin>", profiles);
    }
    ProfileLibrary profiles(profile_dirs(args, file));
    return load_vm(file, profiles);
}

Rendered render_arg(const Vm& vm, Target target, const po::variables_map& args) {
    TemplateSet templates(args.count("templates") ? std::optional(args["templates"].as<std::string>()) : std::nullopt);
    Rendered out = render(vm, target, templates);
    for (const auto& w : out.warnings) std::cerr << w.str() << "\n";
    return out;
}

int run_render(const po::variables_map& args) {
    std::string target_name = args["target"].as<std::string>();
    auto target = parse_target(target_name);
    if (!target)
        throw UsageError("unknown target '" + target_name + "': use pve, pve-snippet or libvirt" +
                         did_you_mean(target_name, {"pve", "pve-snippet", "libvirt"}));
    Vm vm = load_vm_arg(args);
    Rendered out = render_arg(vm, *target, args);
    write_output(args.count("output") ? args["output"].as<std::string>() : "-", out.text);
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

int run_attach(const po::variables_map& args) {
    Vm vm = load_vm_arg(args);
    Rendered xml = render_arg(vm, Target::Libvirt, args);
    attach_vm(vm, xml.text, deploy_options(args), std::cout, std::cerr);
    return kExitOk;
}

int run_keys(const po::variables_map& args) {
    std::string format = args["format"].as<std::string>();
    if (format == "markdown") std::cout << key_reference_markdown();
    else if (format == "text") std::cout << key_reference_text();
    else throw UsageError("unknown format '" + format + "': use text or markdown");
    return kExitOk;
}

int run_profiles(const po::variables_map& args) {
    ProfileLibrary library(profile_dirs(args, "./-"));
    for (const auto& name : library.available()) {
        const Profile& p = library.load(name, Mark{name, 0, 0});
        std::cout << name << "\n";
        if (!p.description.empty()) std::cout << "    " << p.description.substr(0, p.description.find('\n')) << "\n";
        for (const auto& f : p.functions) {
            std::cout << "    " << f.role << " " << (f.id ? f.id->str() : "(no id)");
            if (f.function) std::cout << " function " << *f.function;
            if (f.romfile) std::cout << " romfile " << *f.romfile;
            if (f.legacy_igd) std::cout << " legacy-igd";
            std::cout << "\n";
        }
    }
    return kExitOk;
}

const std::vector<Command>& commands() {
    static const std::vector<Command> table = {
        {"render", "render a VM file as a PVE conf, a PVE snippet or libvirt domain XML",
         "--target pve|pve-snippet|libvirt VM.yaml [-o FILE] [--templates DIR] [--profiles DIR]",
         "Reads VM.yaml and the hardware profiles it names, checks them against the rules of the target\n"
         "(qemu-server's hostpci rules for PVE, libvirt's for XML) and prints the result.\n"
         "Warnings go to stderr; on any error nothing is written.",
         render_options, run_render, "vm-file"},
        {"define", "define (and start) a VM file's domain on a libvirt host",
         "VM.yaml [--connect URI] [--start] [--dry-run]",
         "Renders VM.yaml for libvirt, runs the preflight checks on the target host (host PCI functions\n"
         "exist as node devices, the domain capabilities offer VFIO, the machine type and the OVMF\n"
         "loader, ROM files exist), then defines the domain with VIR_DOMAIN_DEFINE_VALIDATE and, with\n"
         "--start, starts it. A domain of the same name is updated in place (same UUID); if it is\n"
         "running, the new definition applies at its next start. Any failed check refuses the define.",
         define_options, run_define, "vm-file"},
        {"attach", "add a VM file's passthrough to an existing libvirt domain",
         "VM.yaml --domain NAME [--connect URI] [--diff] [--dry-run]",
         "Reads the inactive XML of domain NAME (made in virt-manager, say), adds or replaces the PCI\n"
         "hostdevs of VM.yaml with their ROM settings and <qemu:override> properties, video none,\n"
         "kvm hidden / hyperv vendor_id and the firmware and machine version the VM file asks for,\n"
         "keeps everything else, runs the preflight checks and redefines the domain. Running it again\n"
         "changes nothing. It never moves a domain between i440fx and q35.",
         attach_options, run_attach, "vm-file"},
        {"keys", "print the reference of VM file and hardware profile keys", "[--format text|markdown]",
         "Prints every key a VM file or hardware profile may hold, with its type, default,\n"
         "targets and meaning. docs/KEYS.md is this command's markdown output.",
         keys_options, run_keys, nullptr},
        {"profiles", "list the hardware profiles on the search path", "[--profiles DIR]",
         "Lists every hardware profile found on the search path (see README, Profiles) with its functions.",
         profiles_options, run_profiles, nullptr},
    };
    return table;
}

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
        out << "  " << name << std::string(12 - name.size(), ' ') << c.summary << "\n";
    }
    out << "\nOptions:\n  -h, --help   show this help\n  --version    print the version\n\n"
           "Exit codes: 0 success, 1 invalid input (a rule or key error), 2 unreadable input (missing file,\n"
           "YAML syntax, binary), 64 bad command line, 69 libvirt unreachable or refused the request,\n"
           "74 output could not be written.\n";
}

void print_command_help(const Command& c, std::ostream& out) {
    out << "Usage: vfiogen " << c.name << " " << c.usage << "\n\n" << c.description << "\n\n" << c.options();
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
        std::cout << "vfiogen " VFIOGEN_VERSION "\n";
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
    auto it = std::find_if(commands().begin(), commands().end(), [&](const Command& c) { return name == c.name; });
    if (it == commands().end())
        throw UsageError("unknown command '" + name + "'" + did_you_mean(name, command_names()) +
                         "; see 'vfiogen --help'");
    const Command& cmd = *it;

    po::options_description options = cmd.options();
    po::positional_options_description positional;
    if (cmd.positional) positional.add(cmd.positional, 1);
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(rest).options(options).positional(positional).run(), vm);
        if (vm.count("help")) {
            print_command_help(cmd, std::cout);
            return kExitOk;
        }
        po::notify(vm);
    } catch (const po::error& e) {
        throw UsageError(std::string(cmd.name) + ": " + e.what() + "; see 'vfiogen " + cmd.name + " --help'");
    }
    return cmd.run(vm);
}

}  // namespace vfiogen
