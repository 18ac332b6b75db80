// .vfiogen.yaml: rule severities and off, ignore globs, profile folders, and its own errors.
#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "app/check.h"
#include "app/check_config.h"
#include "test_helpers.h"

using namespace vfiogen;
namespace fs = std::filesystem;

namespace {

struct Tree {
    fs::path root = fs::temp_directory_path() / ("vfiogen-config-" + std::to_string(::getpid()));
    Tree() {
        fs::remove_all(root);
        fs::create_directories(root / ".git");  // the search stops here
    }
    ~Tree() { fs::remove_all(root); }
    std::string write(const std::string& rel, const std::string& text) const {
        fs::create_directories((root / rel).parent_path());
        std::ofstream(root / rel) << text;
        return (root / rel).string();
    }
};

const char* kConf = "bios: ovmf\nhostpci0: 0000:01:00,rombar=0,pcie=1,romfile=gpu.rom\n";

std::vector<std::string> rules_and_levels(Checker& checker, const std::string& path) {
    std::vector<std::string> out;
    for (const auto& f : checker.check_file(path).findings) out.push_back(f.rule + ":" + severity_name(f.severity()));
    return out;
}

}  // namespace

TEST_CASE(".vfiogen.yaml: the nearest one above a file turns rules off, changes severities and ignores files") {
    Tree t;
    std::string conf = t.write("pve/100.conf", kConf);
    std::string legacy = t.write("pve/legacy/101.conf", kConf);
    Checker plain(CheckOptions{});
    CHECK(rules_and_levels(plain, conf) ==
          std::vector<std::string>{"pve-efidisk-missing:warning", "romfile-rombar-off:warning", "pve-pcie-q35:error"});

    t.write(".vfiogen.yaml", "rules:\n  pve-efidisk-missing: off\n  romfile-rombar-off: error\n  pve-pcie-q35: note\n"
                             "ignore:\n  - pve/legacy/*\n");
    Checker configured(CheckOptions{});
    CHECK(rules_and_levels(configured, conf) ==
          std::vector<std::string>{"romfile-rombar-off:error", "pve-pcie-q35:note"});
    CHECK(configured.ignored(legacy));
    CHECK_FALSE(configured.ignored(conf));

    // A nearer one wins for the files below it.
    t.write("pve/.vfiogen.yaml", "rules:\n  pve-pcie-q35: off\n");
    Checker nearer(CheckOptions{});
    CHECK(rules_and_levels(nearer, conf) ==
          std::vector<std::string>{"pve-efidisk-missing:warning", "romfile-rombar-off:warning"});

    // --config: one file for all.
    CheckOptions options;
    options.config_file = t.write("ci.yaml", "rules:\n  romfile-rombar-off: off\n");
    Checker given(options);
    CHECK(rules_and_levels(given, conf) == std::vector<std::string>{"pve-efidisk-missing:warning", "pve-pcie-q35:error"});
}

TEST_CASE(".vfiogen.yaml errors: unknown keys and rules with did-you-mean, bad levels, profile folders outside") {
    Tree t;
    auto error_of = [&](const std::string& text) {
        std::string path = t.write(".vfiogen.yaml", text);
        std::string message = test::input_error_text([&] { load_check_config(path); });
        return message.substr(message.find(".vfiogen.yaml") + 13);
    };
    CHECK(error_of("rule:\n  x: off\n") ==
          ":1:1: error: unknown key 'rule' (did you mean 'rules'?) (a .vfiogen.yaml has rules, ignore and profiles)");
    CHECK(error_of("rules:\n  pve-pcie-q3: off\n") ==
          ":2:3: error: unknown rule 'pve-pcie-q3' (did you mean 'pve-pcie-q35'?) (vfiogen check --list-rules lists them)");
    CHECK(error_of("rules:\n  pve-pcie-q35: warn\n") ==
          ":2:17: error: rule 'pve-pcie-q35': 'warn' is not off, error, warning or note (did you mean 'warning'?)");
    CHECK(error_of("profiles:\n  - /etc/x\n").find("must be inside the folder of") != std::string::npos);
    CHECK(error_of("profiles:\n  - hw/../../x\n").find("must be inside the folder of") != std::string::npos);
    CHECK(error_of("ignore: legacy\n") == ":1:9: error: 'ignore' must be a list of strings");
    CheckConfig ok = load_check_config(t.write(".vfiogen.yaml", "profiles:\n  - hw/profiles\n"));
    CHECK(ok.profile_dirs == std::vector<std::string>{(t.root / "hw/profiles").string()});
}
