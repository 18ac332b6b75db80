// Shared helpers for the unit tests.
#pragma once

#include <fstream>
#include <sstream>
#include <string>

#include "diagnostic.h"
#include "profile.h"
#include "vm.h"

namespace vfiogen::test {

inline std::string source_dir() { return VFIOGEN_SOURCE_DIR; }

inline std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

// The repository's profiles plus the test-only ones in tests/data/profiles.
inline ProfileLibrary test_profiles() {
    return ProfileLibrary({source_dir() + "/tests/data/profiles", source_dir() + "/profiles"});
}

// Loads VM text labelled "vm.yaml"; returns the error line ("vm.yaml:3:5: error: ...") or "".
inline std::string load_error(const std::string& text) {
    auto profiles = test_profiles();
    try {
        load_vm_text(text, "vm.yaml", profiles);
    } catch (const InputError& e) {
        return e.diagnostic().str();
    }
    return "";
}

// A minimal valid VM file to which a test appends or in which it replaces parts.
inline const char* kMinimalVm =
    "name: test\n"
    "vmid: 100\n";

}  // namespace vfiogen::test
