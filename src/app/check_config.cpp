#include "app/check_config.h"

#include <fnmatch.h>

#include <algorithm>
#include <filesystem>

#include "base/suggest.h"
#include "model/yaml_source.h"

namespace vfiogen {
namespace fs = std::filesystem;
namespace {

constexpr const char* kConfigName = ".vfiogen.yaml";

InputError config_error(const std::string& file, const YAML::Node& node, const std::string& message) {
    return InputError(mark_of(file, node), message, InputError::Kind::Unreadable);
}

void read_rules(CheckConfig& c, const YAML::Node& rules) {
    if (!rules.IsMap()) throw config_error(c.file, rules, "'rules' must map rule ids to off, error, warning or note");
    const std::vector<std::string> ids = check_rule_ids();
    const std::vector<std::string> levels = {"off", "error", "warning", "note"};
    for (const auto& entry : rules) {
        std::string id = entry.first.Scalar();
        if (std::find(ids.begin(), ids.end(), id) == ids.end())
            throw config_error(c.file, entry.first, "unknown rule '" + id + "'" + did_you_mean(id, ids) +
                                                        " (vfiogen check --list-rules lists them)");
        std::string level = entry.second.IsScalar() ? entry.second.Scalar() : "";
        if (std::find(levels.begin(), levels.end(), level) == levels.end())
            throw config_error(c.file, entry.second, "rule '" + id + "': '" + level +
                                                         "' is not off, error, warning or note" + did_you_mean(level, levels));
        c.rules[id] = level == "off"     ? std::nullopt
                      : level == "error" ? std::optional(Severity::Error)
                      : level == "warning" ? std::optional(Severity::Warning)
                                           : std::optional(Severity::Note);
    }
}

// A list of plain strings under `key`.
std::vector<std::string> strings(const CheckConfig& c, const YAML::Node& list, const char* key) {
    if (!list.IsSequence()) throw config_error(c.file, list, std::string("'") + key + "' must be a list of strings");
    std::vector<std::string> out;
    for (const auto& item : list) {
        if (!item.IsScalar() || item.Scalar().empty())
            throw config_error(c.file, item, std::string("'") + key + "' must be a list of non-empty strings");
        out.push_back(item.Scalar());
    }
    return out;
}

// A profile folder inside the config's folder: a profile adds functions, ROM files and host
// configuration lines, so a config from a pull request may not point vfiogen anywhere else.
void read_profiles(CheckConfig& c, const YAML::Node& list) {
    size_t i = 0;
    for (const auto& rel : strings(c, list, "profiles")) {
        fs::path p(rel);
        bool climbs = std::any_of(p.begin(), p.end(), [](const fs::path& part) { return part == ".."; });
        if (p.is_absolute() || climbs)
            throw config_error(c.file, list[i], "profile folder '" + rel +
                                                    "' must be inside the folder of " + c.file + " (relative, no '..')");
        c.profile_dirs.push_back(c.dir.empty() ? rel : c.dir + "/" + rel);
        ++i;
    }
}

}  // namespace

CheckConfig load_check_config(const std::string& path) {
    CheckConfig c;
    c.file = path;
    c.dir = fs::path(path).parent_path().string();
    YAML::Node root = load_yaml_file(path);
    const std::vector<std::string> keys = {"rules", "ignore", "profiles"};
    for (const auto& entry : root) {
        std::string key = entry.first.Scalar();
        if (key == "rules") read_rules(c, entry.second);
        else if (key == "ignore") c.ignore = strings(c, entry.second, "ignore");
        else if (key == "profiles") read_profiles(c, entry.second);
        else
            throw config_error(path, entry.first, "unknown key '" + key + "'" + did_you_mean(key, keys) +
                                                      " (a .vfiogen.yaml has rules, ignore and profiles)");
    }
    return c;
}

std::optional<std::string> find_check_config(const std::string& dir) {
    std::error_code ec;
    fs::path p = fs::absolute(dir.empty() ? "." : dir, ec);
    if (ec) return std::nullopt;
    for (p = p.lexically_normal();; p = p.parent_path()) {
        if (fs::is_regular_file(p / kConfigName, ec)) return (p / kConfigName).string();
        if (fs::exists(p / ".git", ec) || p == p.root_path() || p.empty()) return std::nullopt;
    }
}

bool config_ignores(const CheckConfig& config, const std::string& path) {
    std::error_code ec;
    fs::path base = fs::absolute(config.dir.empty() ? "." : config.dir, ec).lexically_normal();
    fs::path file = fs::absolute(path, ec).lexically_normal();
    std::string rel = file.lexically_relative(base).string();
    if (ec || rel.empty() || rel.rfind("..", 0) == 0) return false;
    return std::any_of(config.ignore.begin(), config.ignore.end(),
                       [&](const std::string& glob) { return fnmatch(glob.c_str(), rel.c_str(), 0) == 0; });
}

void apply_rule_config(const CheckConfig& config, FileResult& result) {
    if (config.rules.empty()) return;
    auto off = [&](const Finding& f) {
        auto it = config.rules.find(f.rule);
        return it != config.rules.end() && !it->second && f.rule != "unreadable";
    };
    result.findings.erase(std::remove_if(result.findings.begin(), result.findings.end(), off), result.findings.end());
    for (auto& f : result.findings)
        if (auto it = config.rules.find(f.rule); it != config.rules.end() && it->second && f.rule != "unreadable")
            f.level = it->second;
}

}  // namespace vfiogen
