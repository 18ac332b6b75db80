#include "model/profile.h"

#include <algorithm>
#include <cstring>
#include <cstdlib>
#include <climits>
#include <cstdio>
#include <set>
#include <filesystem>
#include <sys/stat.h>
#include <unistd.h>

#include "base/bounded_read.h"
#include "base/install_paths.h"
#include "base/strings.h"
#include "base/suggest.h"
#include "model/keys.h"
#include "model/yaml_source.h"

namespace vfiogen {
namespace {

// Whether `anchor` stands for standard input ("-", "<stdin>", "./-", "./<stdin>"): no directory.
bool is_stdin_anchor(const std::string& anchor) {
    std::string base = anchor.substr(anchor.rfind('/') + 1);
    return base == "-" || base == "<stdin>";
}

// The project directory holding `dir`: the nearest of `dir` and its parents that holds
// `.vfiogen.yaml` or `.git` (a repository root, `.git` being a directory or a worktree's file).
std::optional<std::string> project_root(const std::string& dir) {
    char resolved[PATH_MAX];
    if (!realpath(dir.c_str(), resolved)) return std::nullopt;
    std::filesystem::path p = resolved;
    for (;;) {
        std::error_code ec;
        if (std::filesystem::exists(p / ".vfiogen.yaml", ec) || std::filesystem::exists(p / ".git", ec)) return p.string();
        if (p == p.root_path()) return std::nullopt;
        p = p.parent_path();
    }
}

// ssh StrictModes for profiles, which add functions, ROM files and host-config lines: the file and
// its directory must be owned by root, by the user running vfiogen or by a user in `owners` (the
// owners of the VM files being read: a CI job running as root over a checkout owned by the runner),
// and writable by neither group nor others. Returns why `path` is not trusted, or "" when it is.
std::string untrusted_because(const std::string& path, const std::set<uid_t>& owners) {
    for (const std::string& p : {dirname_of(path), path}) {
        struct stat st {};
        if (stat(p.c_str(), &st) != 0) continue;  // vanished meanwhile: reading it will say so
        if (st.st_uid != 0 && st.st_uid != geteuid() && !owners.count(st.st_uid))
            return p + " is owned by uid " + std::to_string(st.st_uid) + ", neither root nor you (uid " +
                   std::to_string(geteuid()) + ") nor the VM file's owner: anyone with that account can change the profiles vfiogen " +
                   "loads; chown it, or give a directory you own with --profiles";
        if (st.st_mode & (S_IWGRP | S_IWOTH)) {
            char mode[8];
            std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
            return p + " is writable by " + ((st.st_mode & S_IWOTH) ? "others" : "its group") + " (mode " + mode +
                   "): anyone who can write there can plant or change profiles; run 'chmod go-w " + p + "'";
        }
    }
    return "";
}

std::string stem_of(const std::string& path) {
    std::string base = path.substr(path.rfind('/') + 1);
    return base.size() > 5 && base.compare(base.size() - 5, 5, ".yaml") == 0 ? base.substr(0, base.size() - 5) : base;
}

// Profile names are file stems: lowercase letters, digits, '-', '_' and '.', no path.
bool valid_profile_name(const std::string& name) {
    if (name.empty() || name.size() > 64 || name[0] == '.' || name[0] == '-') return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
    });
}

void merge_function(ProfileFunction& base, const Section& s) {
    std::string err;
    if (auto id = s.opt_str("id")) base.id = *parse_pci_id(*id, &err);
    if (auto f = s.opt_integer("function")) base.function = static_cast<unsigned>(*f);
    if (auto r = s.opt_str("romfile")) {
        base.romfile = *r;
        base.romfile_mark = s.mark("romfile");
    }
    if (auto b = s.opt_boolean("rombar")) base.rombar = *b;
    if (auto b = s.opt_boolean("x_vga")) base.x_vga = *b;
    if (auto b = s.opt_boolean("legacy_igd")) base.legacy_igd = *b;
    if (auto g = s.opt_integer("igd_gms")) base.igd_gms = static_cast<int>(*g);
    if (auto b = s.opt_boolean("igd_opregion")) base.igd_opregion = *b;
}

}  // namespace

const ProfileFunction* Profile::find(const std::string& role) const {
    for (const auto& f : functions)
        if (f.role == role) return &f;
    return nullptr;
}

ProfileLibrary::ProfileLibrary(std::vector<std::string> search_dirs) : dirs_(std::move(search_dirs)) {}

std::vector<std::string> ProfileLibrary::default_search_path(const std::vector<std::string>& extra_dirs,
                                                             const std::string& vm_file) {
    std::vector<std::string> dirs = extra_dirs;
    if (const char* env = std::getenv("VFIOGEN_PROFILE_PATH")) {
        std::string s = env;
        size_t start = 0;
        while (start <= s.size()) {
            size_t colon = s.find(':', start);
            if (colon == std::string::npos) colon = s.size();
            if (colon > start) dirs.push_back(s.substr(start, colon - start));
            start = colon + 1;
        }
    }
    if (!is_stdin_anchor(vm_file)) {
        std::string vm_dir = dirname_of(vm_file);
        dirs.push_back(vm_dir + "/profiles");
        if (auto root = project_root(vm_dir)) {
            char resolved[PATH_MAX];
            if (!realpath(vm_dir.c_str(), resolved) || *root != resolved) dirs.push_back(*root + "/profiles");
        }
    }
    dirs.push_back(installed_data_dir() + "/profiles");
    return dirs;
}

const Profile& ProfileLibrary::load_file(const std::string& path) {
    std::string base = path.substr(path.rfind('/') + 1);
    for (const char* ext : {".yaml", ".yml"})
        if (size_t n = std::strlen(ext); base.size() > n && base.compare(base.size() - n, n, ext) == 0) {
            base.resize(base.size() - n);
            break;
        }
    dirs_.insert(dirs_.begin(), dirname_of(path));
    pinned_[base] = path;
    return load(base, Mark{path, 0, 0});
}

std::optional<std::string> ProfileLibrary::locate(const std::string& name) const {
    if (auto it = pinned_.find(name); it != pinned_.end()) return it->second;
    for (const auto& dir : dirs_) {
        std::string path = dir + "/" + name + ".yaml";
        if (is_regular_file(path)) return path;
    }
    return std::nullopt;
}

void ProfileLibrary::trust_owner_of(const std::string& vm_file) {
    struct stat st {};
    if (stat(vm_file.c_str(), &st) == 0) owners_.insert(st.st_uid);
}

std::vector<std::string> ProfileLibrary::files() const {
    std::vector<std::string> out;
    for (const auto& [name, profile] : cache_) out.push_back(profile.file);
    return out;
}

std::vector<std::string> ProfileLibrary::available() const {
    std::vector<std::string> names;
    for (const auto& dir : dirs_) {
        std::error_code ec;
        for (std::filesystem::directory_iterator it(dir, ec); !ec && it != std::filesystem::directory_iterator();
             it.increment(ec)) {
            std::string file = it->path().filename().string();
            if (file.size() > 5 && file.compare(file.size() - 5, 5, ".yaml") == 0) names.push_back(stem_of(file));
        }
    }
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    return names;
}

const Profile& ProfileLibrary::load(const std::string& name, const Mark& ref) {
    std::vector<std::string> chain;
    return load_chain(name, ref, chain);
}

const Profile& ProfileLibrary::load_chain(const std::string& name, const Mark& ref, std::vector<std::string>& chain) {
    if (auto it = cache_.find(name); it != cache_.end()) return it->second;
    if (!valid_profile_name(name))
        throw InputError(ref, "invalid profile name '" + name + "': use lowercase letters, digits, '-', '_' and '.'");
    if (std::find(chain.begin(), chain.end(), name) != chain.end()) {
        std::string cycle;
        for (const auto& n : chain) cycle += n + " -> ";
        throw InputError(ref, "cyclic profile reference: " + cycle + name);
    }
    auto path = locate(name);
    if (!path) {
        std::string searched;
        for (const auto& d : dirs_) searched += (searched.empty() ? "" : ", ") + d;
        throw InputError(ref, "hardware profile '" + name + "' not found" + did_you_mean(name, available()) +
                                  "; searched " + searched + ". Put " + name +
                                  ".yaml in one of them, or add its folder with --profiles DIR, "
                                  "VFIOGEN_PROFILE_PATH=DIR[:DIR] or profiles: in .vfiogen.yaml");
    }
    if (std::string why = untrusted_because(*path, owners_); !why.empty())
        throw InputError(ref, "hardware profile '" + name + "' (" + *path + ") is not used: " + why);
    YAML::Node root = load_yaml_file(*path);
    validate_keys(root, DocKind::Profile, *path);
    Section s(root, DocKind::Profile, "", *path);

    if (auto declared = s.opt_str("name"); declared && *declared != name)
        throw InputError(s.mark("name"), "profile name '" + *declared + "' does not match its file name '" + name + ".yaml'");

    Profile profile;
    chain.push_back(name);
    if (auto parent = s.opt_str("extends")) profile = load_chain(*parent, s.mark("extends"), chain);
    chain.pop_back();

    profile.name = name;
    profile.file = *path;
    profile.description = s.str("description");
    Section code43 = s.child("code43");
    if (auto b = code43.opt_boolean("kvm_hidden")) profile.kvm_hidden = *b;
    if (auto v = code43.opt_str("hv_vendor_id")) profile.hv_vendor_id = *v;

    std::vector<std::string> own_roles;
    for (const Section& f : s.list("functions")) {
        std::string role = f.str("role");
        if (std::find(own_roles.begin(), own_roles.end(), role) != own_roles.end())
            throw InputError(f.mark("role"), "role '" + role + "' appears twice in profile '" + name + "'");
        own_roles.push_back(role);
        auto existing = std::find_if(profile.functions.begin(), profile.functions.end(),
                                     [&](const ProfileFunction& p) { return p.role == role; });
        if (existing == profile.functions.end()) {
            ProfileFunction fn;
            fn.role = role;
            merge_function(fn, f);
            fn.mark = f.mark("role");
            profile.functions.push_back(fn);
        } else {
            merge_function(*existing, f);
            existing->mark = f.mark("role");
        }
    }
    if (profile.functions.empty())
        throw InputError(s.self_mark(), "profile '" + name + "' has no functions");
    for (const auto& fn : profile.functions) {
        if ((fn.legacy_igd || fn.igd_gms || fn.igd_opregion) && fn.role != "igd")
            throw InputError(fn.mark, "legacy_igd, igd_gms and igd_opregion apply to role 'igd' only, not '" + fn.role + "'");
    }
    return cache_.emplace(name, std::move(profile)).first->second;
}

std::string format_profile_list(ProfileLibrary& library) {
    std::string out;
    for (const auto& name : library.available()) {
        const Profile& p = library.load(name, Mark{name, 0, 0});
        out += name + "\n";
        if (!p.description.empty()) out += "    " + p.description.substr(0, p.description.find('\n')) + "\n";
        for (const auto& f : p.functions) {
            out += "    " + f.role + " " + (f.id ? f.id->str() : "(no id)");
            if (f.function) out += " function " + std::to_string(*f.function);
            if (f.romfile) out += " romfile " + *f.romfile;
            if (f.legacy_igd) out += " legacy-igd";
            out += "\n";
        }
    }
    return out;
}

}  // namespace vfiogen
