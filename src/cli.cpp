#include "cli.h"

#include <iostream>
#include <iterator>
#include <sstream>

#include <boost/program_options.hpp>

#include "check.h"
#include "check_report.h"
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
    int max_positional = 1;   // how many positional arguments it takes (-1: any number)
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

int run_render(const po::variables_map& args) {
    std::string target_name = args["target"].as<std::string>();
    auto target = parse_target(target_name);
    if (!target)
        throw UsageError("unknown target '" + target_name + "': use pve, pve-snippet or libvirt" +
                         did_you_mean(target_name, {"pve", "pve-snippet", "libvirt"}));
    TemplateSet templates(args.count("templates") ? std::optional(args["templates"].as<std::string>()) : std::nullopt);
    std::string file = args["vm-file"].as<std::string>();

    Vm vm;
    if (file == "-") {
        std::string text{std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
        ProfileLibrary profiles(profile_dirs(args, "./<stdin>"));
        vm = load_vm_text(text, "<stdin>", profiles);
    } else {
        ProfileLibrary profiles(profile_dirs(args, file));
        vm = load_vm(file, profiles);
    }
    Rendered out = render(vm, *target, templates);
    for (const auto& w : out.warnings) std::cerr << w.str() << "\n";
    write_output(args.count("output") ? args["output"].as<std::string>() : "-", out.text);
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

po::options_description check_options() {
    po::options_description o("Options");
    o.add_options()
        ("format", po::value<std::string>()->default_value("text")->value_name("FORMAT"),
         "text (file:line:col: severity[RULE]: message, then a hint), json, or sarif (SARIF 2.1.0); "
         "with --list-rules: text or markdown (docs/RULES.md)")
        ("fail-on", po::value<std::string>()->default_value("error")->value_name("SEVERITY"),
         "exit 1 when a finding is at or above SEVERITY: error or warning")
        ("list-rules", "print the rule table (id, severity, summary, source) and exit")
        ("profiles", po::value<std::vector<std::string>>()->composing()->value_name("DIR"),
         "search DIR for hardware profiles first (repeatable)")
        ("schema", po::value<std::string>()->default_value(DomainSchema::kDefaultPath)->value_name("FILE"),
         "libvirt's RelaxNG domain schema")
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
    if (format != "text" && format != "json" && format != "sarif")
        throw UsageError("unknown format '" + format + "': use text, json or sarif" +
                         did_you_mean(format, {"text", "json", "sarif"}));
    std::string fail_on = args["fail-on"].as<std::string>();
    if (fail_on != "error" && fail_on != "warning")
        throw UsageError("unknown --fail-on '" + fail_on + "': use error or warning" + did_you_mean(fail_on, {"error", "warning"}));
    if (!args.count("paths")) throw UsageError("check: give at least one PATH (a file, a directory or '-'); see 'vfiogen check --help'");

    CheckOptions options;
    if (args.count("profiles")) options.profile_dirs = args["profiles"].as<std::vector<std::string>>();
    options.schema_path = args["schema"].as<std::string>();
    Checker checker(options);
    std::vector<FileResult> results;
    for (const auto& path : expand_check_paths(args["paths"].as<std::vector<std::string>>()))
        results.push_back(checker.check_file(path));

    std::cout << (format == "json" ? format_json(results) : format == "sarif" ? format_sarif(results) : format_text(results));
    CheckSummary s = summarize(results);
    if (s.unreadable) return kExitUnreadable;
    if (s.errors || (fail_on == "warning" && s.warnings)) return kExitInvalid;
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
        {"keys", "print the reference of VM file and hardware profile keys", "[--format text|markdown]",
         "Prints every key a VM file or hardware profile may hold, with its type, default,\n"
         "targets and meaning. docs/KEYS.md is this command's markdown output.",
         keys_options, run_keys, nullptr},
        {"profiles", "list the hardware profiles on the search path", "[--profiles DIR]",
         "Lists every hardware profile found on the search path (see README, Profiles) with its functions.",
         profiles_options, run_profiles, nullptr},
        {"check", "check VM files, profiles, Proxmox VE confs and libvirt XML for passthrough mistakes",
         "PATH... [--format text|json|sarif] [--fail-on error|warning] [--profiles DIR] | --list-rules",
         "Checks each PATH (a file, a directory searched recursively for .yaml, .yml, .conf and .xml,\n"
         "or '-' for stdin, recognised by content): vfiogen VM files (as themselves and through both\n"
         "renderings), hardware profiles, Proxmox qemu-server confs and libvirt domain XML (libvirt's\n"
         "RelaxNG schema, then the passthrough rules). docs/RULES.md lists every rule.\n\n"
         "Exit codes: 0 no finding at or above --fail-on, 1 at least one, 2 an input could not be read\n"
         "or parsed at all, 64 bad command line.",
         check_options, run_check, "paths", -1},
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
           "YAML syntax, binary), 64 bad command line, 74 output could not be written.\n";
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
    if (cmd.positional) positional.add(cmd.positional, cmd.max_positional);
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
