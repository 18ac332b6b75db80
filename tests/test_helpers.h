// Shared helpers for the unit tests.
#pragma once

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "base/diagnostic.h"
#include "model/profile.h"
#include "model/vm.h"
#include "sysfs/host.h"

namespace vfiogen::test {

inline std::string source_dir() { return VFIOGEN_SOURCE_DIR; }

inline std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

// The names of the example VM files (examples/NAME.yaml), sorted: every golden test covers each,
// so a new example cannot be left out of one.
inline std::vector<std::string> example_stems() {
    std::vector<std::string> stems;
    for (const auto& e : std::filesystem::directory_iterator(source_dir() + "/examples"))
        if (e.path().extension() == ".yaml") stems.push_back(e.path().stem().string());
    std::sort(stems.begin(), stems.end());
    return stems;
}

// The repository's profiles plus the test-only ones in tests/data/profiles.
inline ProfileLibrary test_profiles() {
    return ProfileLibrary({source_dir() + "/tests/data/profiles", source_dir() + "/profiles"});
}

// A VM file and a fixture host (tests/data/hosts/NAME), for host tests that may change the host
// before using it. `vm_file` is relative to the source tree; profiles from test_profiles().
struct HostCase {
    Vm vm;
    Host host;
};
inline HostCase host_case(const std::string& host_name, const std::string& vm_file) {
    auto profiles = test_profiles();
    return {load_vm(source_dir() + "/" + vm_file, profiles),
            read_host(HostRoot::under(source_dir() + "/tests/data/hosts/" + host_name))};
}

// Runs `f` and returns the InputError it throws as "file:line:col: error: ...", or "" when it
// throws none. `kind`, when given, receives the error's kind.
template <typename F>
std::string input_error_text(F&& f, InputError::Kind* kind = nullptr) {
    try {
        f();
    } catch (const InputError& e) {
        if (kind) *kind = e.kind();
        return e.diagnostic().str();
    }
    return "";
}

// Loads VM text labelled "vm.yaml"; returns the error line ("vm.yaml:3:5: error: ...") or "".
inline std::string load_error(const std::string& text) {
    auto profiles = test_profiles();
    return input_error_text([&] { load_vm_text(text, "vm.yaml", profiles); });
}

// A minimal valid VM file to which a test appends or in which it replaces parts.
inline const char* kMinimalVm =
    "name: test\n"
    "vmid: 100\n";

}  // namespace vfiogen::test
