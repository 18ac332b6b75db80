// The profile search path and which profile files vfiogen trusts (issue 17, section 4).
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

#include "model/profile.h"
#include "test_helpers.h"

using namespace vfiogen;
namespace fs = std::filesystem;

namespace {

struct Tree {
    fs::path root;
    Tree() {
        static int n = 0;
        root = fs::temp_directory_path() / ("vfiogen-profiles-" + std::to_string(::getpid()) + "-" + std::to_string(++n));
        fs::remove_all(root);
        fs::create_directories(root);
        ::chmod(root.c_str(), 0755);
    }
    ~Tree() { fs::remove_all(root); }
    std::string add_profile(const std::string& dir, const std::string& name) {
        fs::create_directories(root / dir);
        std::string path = (root / dir / (name + ".yaml")).string();
        std::ofstream(path) << "description: test\nfunctions:\n  - role: gpu\n    id: 10de:1d01\n";
        return path;
    }
};

const std::string kDataDir = std::string(VFIOGEN_DATADIR) + "/profiles";

std::string load_error(ProfileLibrary& library, const std::string& name) {
    return test::input_error_text([&] { library.load(name, Mark{"vm.yaml", 3, 14}); });
}

}  // namespace

TEST_CASE("the search path: --profiles, beside the VM file, its project, the data dir; never a parent's profiles/") {
    Tree t;
    fs::create_directories(t.root / "tmp/x");
    std::string vm = (t.root / "tmp/x/vm.yaml").string();
    // No project marker above (the temporary directory is no repository): no "../profiles".
    CHECK(ProfileLibrary::default_search_path({"/mine"}, vm) ==
          std::vector<std::string>{"/mine", (t.root / "tmp/x").string() + "/profiles", kDataDir});

    // A .vfiogen.yaml (or .git) marks the project: its profiles/ is searched, wherever below it the VM file is.
    std::ofstream((t.root / ".vfiogen.yaml").string()) << "";
    CHECK(ProfileLibrary::default_search_path({}, vm) ==
          std::vector<std::string>{(t.root / "tmp/x").string() + "/profiles", t.root.string() + "/profiles", kDataDir});

    // Standard input has no directory: neither ./profiles nor ../profiles.
    for (const char* anchor : {"-", "./-", "<stdin>", "./<stdin>"})
        CHECK(ProfileLibrary::default_search_path({"/mine"}, anchor) == std::vector<std::string>{"/mine", kDataDir});
}

TEST_CASE("the repository's examples find its profiles/ through the repository root") {
    auto dirs = ProfileLibrary::default_search_path({}, test::source_dir() + "/examples/pve-nvidia-gt1030.yaml");
    ProfileLibrary library(dirs);
    CHECK(library.load("nvidia-gt1030", Mark{"vm.yaml", 1, 1}).file ==
          fs::canonical(test::source_dir()).string() + "/profiles/nvidia-gt1030.yaml");
}

TEST_CASE("a profile writable by group or others, or owned by another user, is refused with the fix") {
    Tree t;
    std::string file = t.add_profile("profiles", "gpu");
    std::string dir = (t.root / "profiles").string();
    ::chmod(dir.c_str(), 0755);
    ::chmod(file.c_str(), 0644);
    {
        ProfileLibrary ok({dir});
        CHECK(load_error(ok, "gpu") == "");
    }
    SUBCASE("directory writable by others (as /tmp)") {
        ::chmod(dir.c_str(), 01777);
        ProfileLibrary library({dir});
        CHECK(load_error(library, "gpu") ==
              "vm.yaml:3:14: error: hardware profile 'gpu' (" + file + ") is not used: " + dir +
                  " is writable by others (mode 1777): anyone who can write there can plant or change profiles; run "
                  "'chmod go-w " + dir + "'");
    }
    SUBCASE("file writable by its group") {
        ::chmod(file.c_str(), 0664);
        ProfileLibrary library({dir});
        CHECK(load_error(library, "gpu") ==
              "vm.yaml:3:14: error: hardware profile 'gpu' (" + file + ") is not used: " + file +
                  " is writable by its group (mode 0664): anyone who can write there can plant or change profiles; "
                  "run 'chmod go-w " + file + "'");
    }
    SUBCASE("file owned by another user") {
        if (::geteuid() != 0) return;  // only root can give a file away
        REQUIRE(::chown(file.c_str(), 1000, 1000) == 0);
        ProfileLibrary library({dir});
        CHECK(load_error(library, "gpu") ==
              "vm.yaml:3:14: error: hardware profile 'gpu' (" + file + ") is not used: " + file +
                  " is owned by uid 1000, neither root nor you (uid 0) nor the VM file's owner: anyone with that "
                  "account can change the profiles vfiogen loads; chown it, or give a directory you own with --profiles");
        // A CI job running as root over a checkout owned by the runner: the VM file's owner is trusted.
        std::string vm = (t.root / "vm.yaml").string();
        std::ofstream(vm) << "name: x\n";
        REQUIRE(::chown(vm.c_str(), 1000, 1000) == 0);
        REQUIRE(::chown(dir.c_str(), 1000, 1000) == 0);
        ProfileLibrary trusting({dir});
        trusting.trust_owner_of(vm);
        CHECK(load_error(trusting, "gpu") == "");
    }
}

TEST_CASE("format_profile_list: each profile, its description's first line and its functions") {
    ProfileLibrary library({test::source_dir() + "/profiles"});
    std::string list = format_profile_list(library);
    CHECK(list.find("intel-igd-gen12\n    Intel 12th-gen (Alder Lake-S) UHD Graphics 730/770 iGPU and PCH HD audio, legacy "
                    "IGD with GOP ROMs\n    igd 8086:4692 function 0 romfile gen12_igd.rom legacy-igd\n    audio 8086:7ad0 romfile "
                    "gen12_gop.rom\n") != std::string::npos);
    CHECK(list.find("nvidia-gt1030\n") != std::string::npos);
    CHECK(list.find(" function 0") != std::string::npos);
}
