#include "base/install_paths.h"

#include <filesystem>
#include <system_error>

namespace vfiogen {

namespace {

std::string find_installed_data_dir() {
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        // VFIOGEN_BINDIR and VFIOGEN_DATADIR_REL are CMAKE_INSTALL_BINDIR and CMAKE_INSTALL_DATADIR
        // (relative to the prefix, "bin" and "share" by default).
        fs::path bindir = VFIOGEN_BINDIR;
        fs::path prefix = exe.parent_path();
        bool in_bindir = !bindir.is_absolute();
        for (auto part = bindir.end(); in_bindir && part != bindir.begin();) {
            --part;
            if (part->empty()) continue;  // a trailing slash
            in_bindir = prefix.filename() == *part;
            prefix = prefix.parent_path();
        }
        if (in_bindir) return (prefix / VFIOGEN_DATADIR_REL / "vfiogen").string();
    }
    return VFIOGEN_DATADIR;
}

}  // namespace

// The executable does not move while it runs: found once (check asks for every VM file).
std::string installed_data_dir() {
    static const std::string dir = find_installed_data_dir();
    return dir;
}

}  // namespace vfiogen
