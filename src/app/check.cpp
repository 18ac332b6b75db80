#include "app/check.h"
#include "app/check_config.h"
#include "app/suppressions.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "app/render.h"
#include "base/bounded_read.h"
#include "base/strict_xml.h"
#include "libvirt/libvirt_api.h"
#include "model/keys.h"
#include "model/vm.h"
#include "model/yaml_source.h"
#include "pve/pve_check.h"
#include "pve/pve_conf.h"
#include "pve/pve_mapping.h"
#include "rules/check_common.h"
#include "rules/qemu_args.h"

namespace vfiogen {
namespace {

namespace fs = std::filesystem;

bool ends_with(const std::string& s, const char* suffix) {
    size_t n = std::strlen(suffix);
    return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
}

// Reads `path` whole; throws InputError (Unreadable) like yaml_source does for YAML.
std::string read_input(const std::string& path) {
    if (is_directory(path))
        throw InputError(Mark{path, 0, 0}, "no .yaml, .yml, .conf or .xml file in this directory", InputError::Kind::Unreadable);
    return read_regular_file(path, kMaxInputBytes);
}

// Keeps the first kMaxFindingsPerFile findings, counts the others by severity and says so in one
// `more-findings` note at the file.
void limit_findings(FileResult& r) {
    if (r.findings.size() <= kMaxFindingsPerFile) return;
    for (size_t i = kMaxFindingsPerFile; i < r.findings.size(); ++i)
        (r.findings[i].severity() == Severity::Error ? r.hidden_errors : r.hidden_warnings)++;
    r.findings.resize(kMaxFindingsPerFile);
    r.findings.shrink_to_fit();
    size_t hidden = r.hidden_errors + r.hidden_warnings;
    r.findings.push_back({Mark{r.path, 0, 0}, "more-findings",
                          std::to_string(hidden) + " more findings not shown (" + std::to_string(r.hidden_errors) +
                              " errors, " + std::to_string(r.hidden_warnings) + " warnings); the first " +
                              std::to_string(kMaxFindingsPerFile) + " are above"});
}

void unreadable(FileResult& r, const InputError& e) {
    r.unreadable = true;
    Diagnostic d = e.diagnostic();
    r.findings.push_back({d.mark, "unreadable", d.message});
}

// Keys only qemu-server confs have (VM files spell these differently or not at all).
bool looks_like_pve(const std::string& text) {
    for (const auto& line : lex_pve_conf(text)) {
        if (line.kind == PveLine::Kind::Section) return true;
        if (line.kind != PveLine::Kind::Entry) continue;
        static const char* const kOnlyPve[] = {"bios", "boot", "cores", "memory", "scsihw", "sockets", "vga", "smbios1",
                                               "vmgenid", "efidisk0", "args", "hostpci", "net", "sata", "scsi", "virtio", "ide"};
        for (const char* k : kOnlyPve) {
            std::string key = line.key;
            while (!key.empty() && std::isdigit(static_cast<unsigned char>(key.back()))) key.pop_back();
            if (key == k) return true;
        }
    }
    return false;
}

// Moves a finding from a rendering to the VM file, naming the rendering and its line. `origin`
// is the VM file's mark of what the rendered line came from (a passthrough binding), if known.
Finding from_rendering(const Finding& f, const std::string& vm_file, const char* rendering, std::optional<Mark> origin) {
    std::string where = f.mark.line > 0 ? ", line " + std::to_string(f.mark.line) : "";
    return Finding{origin.value_or(Mark{vm_file, 0, 0}), f.rule, f.message + " (in the " + rendering + " rendering" + where + ")"};
}

// The VM file's mark of each hostpciN line of the PVE rendering, in N order (render_pve.cpp
// writes one line per whole device, else one per function, in passthrough order).
std::vector<Mark> hostpci_origins(const Vm& vm) {
    std::vector<Mark> marks;
    for (const auto& dev : vm.passthrough) {
        if (dev.whole_device) marks.push_back(dev.functions.front().mark);
        else
            for (const auto& f : dev.functions) marks.push_back(f.mark);
    }
    return marks;
}

std::optional<Mark> pve_origin(const PveConf& conf, const std::vector<Mark>& hostpci, int line) {
    for (const auto& e : conf.sections.front().entries) {
        if (e.mark.line != line || e.key.rfind("hostpci", 0) != 0 || e.key.size() == 7) continue;
        size_t n = std::stoul(e.key.substr(7));
        if (n < hostpci.size()) return hostpci[n];
    }
    return std::nullopt;
}

// The VM file's mark of the passthrough function whose <hostdev> (found by its alias) holds `line`.
std::optional<Mark> libvirt_origin(const XmlDocument& doc, const Vm& vm, int line) {
    for (auto hostdev : doc.doc().document_element().child("devices").children("hostdev")) {
        int first = doc.mark_of(hostdev).line, last = first;
        for (auto d : hostdev.select_nodes(".//*")) last = std::max(last, doc.mark_of(d.node()).line + 1);
        if (line < first || line > last) continue;
        std::string alias = hostdev.child("alias").attribute("name").value();
        for (const auto& dev : vm.passthrough)
            for (const auto& f : dev.functions)
                if (f.alias == alias) return f.mark;
    }
    return std::nullopt;
}

}  // namespace

const char* input_kind_name(InputKind kind) {
    switch (kind) {
        case InputKind::VmFile: return "vm";
        case InputKind::Profile: return "profile";
        case InputKind::PveConf: return "pve";
        case InputKind::LibvirtXml: return "libvirt";
        case InputKind::PveMapping: return "pve-mapping";
    }
    return "?";
}

// The keys of a block-style YAML mapping's top level: lines that start with `KEY:`.
std::vector<std::string> top_level_keys(const std::string& text) {
    std::vector<std::string> keys;
    for (size_t start = 0; start < text.size();) {
        size_t end = std::min(text.find('\n', start), text.size());
        std::string_view line(text.data() + start, end - start);
        size_t colon = line.find(':');
        if (colon != std::string_view::npos && colon > 0 &&
            std::all_of(line.begin(), line.begin() + static_cast<std::ptrdiff_t>(colon),
                        [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-'; }))
            keys.emplace_back(line.substr(0, colon));
        start = end + 1;
    }
    return keys;
}

// Whether YAML `text` at `path` is one of vfiogen's: a hardware profile (a `functions` key, or a
// file in a folder named `profiles`) or a VM file (a `passthrough` key, or `name` and mostly keys of
// the VM key table). A docker-compose.yml or a CI workflow beside VM files is not.
bool is_vfiogen_yaml(const std::string& path, const std::string& text) {
    std::vector<std::string> keys = top_level_keys(text);
    auto has = [&](const char* key) { return std::find(keys.begin(), keys.end(), key) != keys.end(); };
    if (has("functions") || has("passthrough") || path.find("profiles/") != std::string::npos) return true;
    if (!has("name")) return false;
    size_t known = std::count_if(keys.begin(), keys.end(), [](const std::string& key) {
        return std::any_of(key_table().begin(), key_table().end(),
                           [&](const KeySpec& k) { return k.doc == DocKind::Vm && k.path == key; });
    });
    return known * 2 > keys.size();  // a misspelt key still leaves a VM file a VM file
}

InputKind detect_kind(const std::string& path, const std::string& text) {
    if (is_pci_mapping_path(path)) return InputKind::PveMapping;
    bool yaml = ends_with(path, ".yaml") || ends_with(path, ".yml");
    if (!yaml) {
        if (ends_with(path, ".conf")) return InputKind::PveConf;
        if (ends_with(path, ".xml")) return InputKind::LibvirtXml;
        size_t first = text.find_first_not_of(" \t\r\n\xef\xbb\xbf");
        if (first != std::string::npos && text[first] == '<') return InputKind::LibvirtXml;
        if (looks_like_pve(text)) return InputKind::PveConf;
    }
    std::vector<std::string> keys = top_level_keys(text);
    return std::find(keys.begin(), keys.end(), "functions") != keys.end() ? InputKind::Profile : InputKind::VmFile;
}

Checker::Checker(CheckOptions options) : options_(std::move(options)) {
    // Debian installs the schemas with the library: the default schema is the installed libvirt's.
    if (options_.libvirt_version.empty() && options_.schema_path == DomainSchema::kDefaultPath)
        options_.libvirt_version = installed_libvirt_version();
    if (!options_.host_root.empty()) host_ = read_host(HostRoot::under(options_.host_root));
    ctx_.host = host_ ? &*host_ : nullptr;
    ctx_.qemu = options_.qemu;
    ctx_.pve_version = options_.pve_version;
}
Checker::~Checker() = default;

const DomainSchema& Checker::schema() {
    if (!schema_) schema_ = std::make_unique<DomainSchema>(options_.schema_path, options_.libvirt_version);
    return *schema_;
}

bool Checker::own_rendering_valid() const {
    return templates_.origin("libvirt.xml.mustache").rfind("<built-in>", 0) == 0;
}

const CheckConfig* Checker::config_for(const std::string& path) {
    std::optional<std::string> file = options_.config_file;
    if (!file) {
        std::string dir = path == "<stdin>" ? "." : path.substr(0, path.rfind('/') + 1);
        auto known = config_files_.find(dir);
        if (known == config_files_.end()) known = config_files_.emplace(dir, find_check_config(dir)).first;
        file = known->second;
    }
    if (!file) return nullptr;
    auto& slot = configs_[*file];
    if (!slot) slot = std::make_unique<CheckConfig>(load_check_config(*file));
    return slot.get();
}

bool Checker::ignored(const std::string& path) {
    const CheckConfig* config = path == "-" ? nullptr : config_for(path);
    return config && config_ignores(*config, path);
}

ProfileLibrary& Checker::library_for(const std::string& path) {
    std::string dir = path.substr(0, path.rfind('/') + 1);
    auto known = search_paths_.find(dir);
    if (known == search_paths_.end()) {
        std::vector<std::string> explicit_dirs = options_.profile_dirs;
        if (const CheckConfig* config = config_for(path))
            explicit_dirs.insert(explicit_dirs.end(), config->profile_dirs.begin(), config->profile_dirs.end());
        known = search_paths_.emplace(dir, ProfileLibrary::default_search_path(explicit_dirs, path)).first;
    }
    const std::vector<std::string>& dirs = known->second;
    auto& slot = libraries_[dirs];
    if (!slot) slot = std::make_unique<ProfileLibrary>(dirs);
    slot->trust_owner_of(path);
    return *slot;
}

FileResult Checker::check_file(const std::string& path) {
    FileResult r;
    r.path = path == "-" ? "<stdin>" : path;
    std::string text;
    try {
        if (path == "-") {
            text = read_bounded_stream(std::cin, r.path);
        } else {
            text = read_input(path);
        }
    } catch (const InputError& e) {
        unreadable(r, e);
        return r;
    }
    // stdin anchors the profile search path at the current directory.
    return check_text(text, path == "-" ? "./<stdin>" : path);
}

FileResult Checker::check_text(const std::string& text, const std::string& path, std::optional<InputKind> kind) {
    FileResult r;
    r.path = path == "./<stdin>" ? "<stdin>" : path;
    try {
        if (text.find('\0') != std::string::npos)
            throw InputError(Mark{r.path, 0, 0}, "binary file: expected text", InputError::Kind::Unreadable);
        if (text.find_first_not_of(" \t\r\n") == std::string::npos)
            throw InputError(Mark{r.path, 0, 0}, "empty file", InputError::Kind::Unreadable);
        r.kind = kind ? *kind : detect_kind(r.path, text);
        bool yaml = *r.kind == InputKind::VmFile || *r.kind == InputKind::Profile;
        if (!kind && yaml && (ends_with(r.path, ".yaml") || ends_with(r.path, ".yml")) && !is_vfiogen_yaml(r.path, text)) {
            r.findings.push_back({Mark{r.path, 0, 0}, "not-vfiogen",
                                  "not a vfiogen VM file or hardware profile (no passthrough or functions key, and "
                                  "mostly keys a VM file does not have): skipped"});
            return r;
        }
        switch (*r.kind) {
            case InputKind::VmFile: check_vm(text, r); break;
            case InputKind::Profile: check_profile(text, r); break;
            case InputKind::PveConf: check_pve(text, r); break;
            case InputKind::LibvirtXml: check_xml(text, r); break;
            case InputKind::PveMapping: check_mapping_file(text, r); break;
        }
    } catch (const InputError& e) {
        // Only this file's own failures are results; a missing schema stops the run.
        if (e.kind() != InputError::Kind::Unreadable || e.diagnostic().mark.file != r.path) throw;
        unreadable(r, e);
    }
    if (r.kind) apply_suppressions(text, *r.kind, r);
    if (const CheckConfig* config = config_for(r.path)) apply_rule_config(*config, r);
    limit_findings(r);
    return r;
}

void Checker::check_pve(const std::string& text, FileResult& r) {
    // Bounds the findings the conf rules make before limit_findings (two per line at most).
    if (size_t lines = std::count(text.begin(), text.end(), '\n'); lines > kMaxConfLines)
        throw InputError(Mark{r.path, 0, 0},
                         "conf has " + std::to_string(lines) + " lines, more than the " + std::to_string(kMaxConfLines) +
                             " vfiogen checks in one qemu-server conf",
                         InputError::Kind::Unreadable);
    PveConf conf = parse_pve_conf(text, r.path);
    r.findings = check_pve_conf(conf, ctx_);
    for (const auto& section : conf.sections) {
        if (section.kind == PveSection::Kind::Pending) continue;  // may name a mapping not yet created
        for (const auto& e : section.entries) {
            if (pve_key_base(e.key) != "hostpci") continue;
            PropertyList props = parse_property_string(e.value, "host");
            if (const Property* m = props.find("mapping")) mapping_uses_.push_back({r.path, m->value, e.value_mark(m->offset)});
        }
    }
}

void Checker::check_mapping_file(const std::string& text, FileResult& r) {
    PciMappingFile file = parse_pci_mapping(text, r.path);
    read_mapping_file_ = true;
    for (const auto& m : file.mappings) mapping_ids_.insert(m.id);
    for (const auto& [mark, message] : file.problems) r.findings.push_back({mark, "pve-mapping", message});
}

bool Checker::awaits_mappings(const FileResult& result) const {
    return std::any_of(mapping_uses_.begin(), mapping_uses_.end(), [&](const MappingUse& use) {
        return use.path == result.path && !mapping_ids_.count(use.id);
    });
}

void Checker::check_mappings(std::vector<FileResult>& results) const {
    if (!read_mapping_file_) return;
    for (const auto& use : mapping_uses_) {
        if (mapping_ids_.count(use.id)) continue;
        for (auto& r : results)
            if (r.path == use.path)
                r.findings.push_back({use.mark, "pve-mapping-missing",
                                      "hostpci mapping '" + use.id + "' has no section in the pci.cfg given; PVE cannot start the VM"});
    }
}

namespace {

// Elements in `doc`, counted without recursion.
size_t element_count(const pugi::xml_document& doc) {
    size_t count = 0;
    for (pugi::xml_node n = doc.first_child(); n;) {
        count += n.type() == pugi::node_element;
        if (n.first_child()) {
            n = n.first_child();
            continue;
        }
        while (n && !n.next_sibling()) n = n.parent();
        if (n) n = n.next_sibling();
    }
    return count;
}

}  // namespace

void Checker::check_xml(const std::string& text, FileResult& r) {
    XmlDocument doc(text, r.path);  // throws Unreadable when not well-formed
    // libxml2's RelaxNG validation of domain.rng takes time quadratic in the elements of one
    // <devices> or <qemu:commandline> (20,000 <qemu:arg> take 5 s); a domain has a few hundred.
    if (size_t n = element_count(doc.doc()); n > kMaxXmlElements)
        throw InputError(Mark{r.path, 0, 0},
                         "XML has " + std::to_string(n) + " elements, more than the " + std::to_string(kMaxXmlElements) +
                             " vfiogen checks in one domain",
                         InputError::Kind::Unreadable);
    // pugixml accepts what libvirt's parser (libxml2) refuses: text after the root, a second
    // root, undefined entities, repeated attributes, &#0;. (Renderings were read back already.)
    if (auto problem = strict_xml_error(text, XmlOrigin::Foreign))
        throw InputError(Mark{r.path, problem->line, problem->column}, "XML is not well-formed: " + problem->message,
                         InputError::Kind::Unreadable);
    Findings schema_findings = schema().validate(text, doc);
    Findings rules = check_libvirt_domain(doc, ctx_);
    r.findings = std::move(schema_findings);
    r.findings.insert(r.findings.end(), rules.begin(), rules.end());
}

void Checker::check_profile(const std::string& text, FileResult& r) {
    try {
        YAML::Node root = load_yaml_text(text, r.path);
        try {
            validate_keys(root, DocKind::Profile, r.path);
        } catch (const KeyErrors& e) {
            for (const auto& p : e.problems()) r.findings.push_back({p.diagnostic.mark, "profile-invalid", p.diagnostic.message});
            return;
        }
        if (path_exists(r.path)) {
            // Load through a library rooted at the profile's own directory, so `extends` resolves.
            ProfileLibrary library(ProfileLibrary::default_search_path(options_.profile_dirs, r.path));
            library.trust_owner_of(r.path);
            library.load_file(r.path);
        }
    } catch (const InputError& e) {
        if (e.kind() == InputError::Kind::Unreadable && e.diagnostic().mark.file == r.path) throw;
        r.findings.push_back({e.diagnostic().mark, "profile-invalid", e.diagnostic().message});
    }
}

void Checker::check_vm(const std::string& text, FileResult& r) {
    ProfileLibrary& profiles = library_for(r.path == "<stdin>" ? "./<stdin>" : r.path);
    Vm vm;
    try {
        vm = load_vm_text(text, r.path, profiles);
    } catch (const KeyErrors& e) {
        // Every shape error, each under its rule: the VM file's own keys, or a profile's.
        for (const auto& p : e.problems())
            r.findings.push_back({p.diagnostic.mark,
                                  p.diagnostic.mark.file != r.path    ? "profile-invalid"
                                  : p.kind == KeyProblemKind::Key     ? "vm-key"
                                                                      : "vm-value",
                                  p.diagnostic.message});
        return;
    } catch (const InputError& e) {
        if (e.kind() == InputError::Kind::Unreadable && e.diagnostic().mark.file == r.path) throw;
        r.findings.push_back({e.diagnostic().mark, "vm-invalid", e.diagnostic().message});
        return;
    }

    // Rules on the VM file itself, at its own marks.
    for (const auto& dev : vm.passthrough) {
        const Profile& p = profiles.load(dev.profile, dev.mark);
        bool gpu = false, audio = false;
        for (const auto& f : dev.functions) gpu |= f.role == "gpu", audio |= f.role == "audio";
        if (gpu && !audio && p.find("audio"))
            r.findings.push_back({dev.mark, "gpu-without-audio",
                                  "profile '" + dev.profile + "' has an audio function, but only the GPU is bound"});
    }
    std::vector<QemuArg> words;
    for (const auto& [arg, mark] : vm.qemu_args) words.push_back({arg, mark});
    check_qemu_args(words, ctx_.qemu, r.findings);
    for (size_t i = 0; i < vm.qemu_args.size(); ++i) {
        const auto& [arg, mark] = vm.qemu_args[i];
        check_isolation_text(arg, mark, r.findings);
        if (arg == "-set" && i + 1 < vm.qemu_args.size() && vm.qemu_args[i + 1].first.rfind("device.", 0) == 0)
            r.findings.push_back({mark, "lv-commandline-set",
                                  "'-set " + vm.qemu_args[i + 1].first +
                                      "' lands in <qemu:commandline> of the libvirt rendering, which current libvirt breaks "
                                      "(devices are passed as JSON)"});
    }
    if (!vm.description.empty()) check_isolation_text(vm.description, Mark{r.path, 0, 0}, r.findings, false);

    Findings rendered;
    auto render_to = [&](Target target) -> std::optional<std::string> {
        try {
            return render(vm, target, templates_, options_.pve_version).text;
        } catch (const InputError& e) {
            if (e.diagnostic().mark.file != r.path && e.kind() == InputError::Kind::Unreadable) throw;
            r.findings.push_back({e.diagnostic().mark, "vm-invalid", e.diagnostic().message});
            return std::nullopt;
        }
    };
    if (vm.vmid) {
        if (auto text = render_to(Target::Pve)) {
            PveConf conf = parse_pve_conf(*text, r.path);
            std::vector<Mark> hostpci = hostpci_origins(vm);
            for (const auto& f : check_pve_conf(conf, ctx_))
                rendered.push_back(from_rendering(f, r.path, "PVE", pve_origin(conf, hostpci, f.mark.line)));
        }
    }
    // A VM file that names PVE resource mappings is for PVE only: no libvirt rendering to judge.
    bool pve_only = std::any_of(vm.passthrough.begin(), vm.passthrough.end(), [](const auto& d) { return !d.mapping.empty(); });
    if (auto xml = pve_only ? std::nullopt : render_to(Target::Libvirt)) {
        XmlDocument doc(*xml, r.path);
        // The built-in template's renderings are proven valid by the test suite (every VM file in
        // the repository and the VM-file fuzzer validate against domain.rng), so only a --templates
        // override's rendering goes through RelaxNG here; foreign XML always does.
        Findings found = own_rendering_valid() ? Findings{} : schema().validate(*xml, doc);
        Findings rules = check_libvirt_domain(doc, ctx_);
        found.insert(found.end(), rules.begin(), rules.end());
        for (const auto& f : found)
            rendered.push_back(from_rendering(f, r.path, "libvirt", libvirt_origin(doc, vm, f.mark.line)));
    }
    std::vector<std::string> own;
    for (const auto& f : r.findings) own.push_back(f.rule);
    for (const auto& f : rendered)
        if (std::find(own.begin(), own.end(), f.rule) == own.end()) r.findings.push_back(f);
}

std::vector<std::string> expand_check_paths(const std::vector<std::string>& paths, std::vector<std::string>* notes) {
    std::vector<std::string> out;
    for (const auto& p : paths) {
        std::error_code ec;
        if (p == "-" || !fs::is_directory(p, ec)) {
            out.push_back(p);
            continue;
        }
        std::vector<std::string> found;
        fs::path inside = fs::canonical(p, ec);
        fs::recursive_directory_iterator it(p, fs::directory_options::skip_permission_denied, ec), end;
        for (; !ec && it != end; it.increment(ec)) {
            std::string name = it->path().filename().string();
            if (!name.empty() && name[0] == '.') {
                if (it->is_directory(ec)) it.disable_recursion_pending();
                continue;
            }
            if (!it->is_regular_file(ec)) continue;
            std::string path = it->path().string();
            if (it->is_symlink(ec)) {
                std::error_code ec2;
                fs::path target = fs::canonical(it->path(), ec2);
                auto rel = target.lexically_relative(inside);
                if (ec2 || rel.empty() || *rel.begin() == "..") {
                    if (notes)
                        notes->push_back(path + ": note: not followed: a symlink to " + target.string() + ", outside " + p);
                    continue;
                }
            }
            if (ends_with(path, ".yaml") || ends_with(path, ".yml") || ends_with(path, ".conf") || ends_with(path, ".xml") ||
                is_pci_mapping_path(path))
                found.push_back(path);
        }
        std::sort(found.begin(), found.end());
        if (found.empty()) found.push_back(p);  // reported as unreadable: a CI job pointed at the wrong folder fails
        out.insert(out.end(), found.begin(), found.end());
    }
    return out;
}

}  // namespace vfiogen
