#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>

#include "base/diagnostic.h"
#include "base/output_file.h"
#include "test_helpers.h"

using namespace vfiogen;
namespace fs = std::filesystem;

namespace {

// A fresh directory per test case, removed afterwards.
struct TempDir {
    fs::path path;
    TempDir() {
        static int n = 0;
        path = fs::temp_directory_path() /
               ("vfiogen-out-" + std::to_string(::getpid()) + "-" + std::to_string(++n));
        fs::remove_all(path);
        fs::create_directories(path);
    }
    ~TempDir() { fs::remove_all(path); }
    std::string operator/(const std::string& name) const { return (path / name).string(); }
    size_t entries() const {
        size_t n = 0;
        for ([[maybe_unused]] const auto& e : fs::directory_iterator(path)) ++n;
        return n;
    }
};

void write_file(const std::string& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
}

struct stat stat_of(const std::string& path) {
    struct stat st {};
    REQUIRE(::lstat(path.c_str(), &st) == 0);
    return st;
}

std::string output_error(const std::string& path, const std::string& text,
                         const OutputOptions& options = {}) {
    try {
        write_output(path, text, options);
    } catch (const OutputError& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("output files are replaced whole, and left untouched when writing fails") {
    TempDir dir;
    std::string file = dir / "100.conf";
    write_output(file, "first\n");
    CHECK(test::read_file(file) == "first\n");
    write_output(file, "second\n");
    CHECK(test::read_file(file) == "second\n");

    CHECK(output_error(dir.path.string(), "x") == dir.path.string() + ": cannot write: Is a directory");
    CHECK(output_error(dir / "missing/f.conf", "x") == (dir / "missing/f.conf") +
                                                           ": cannot open its directory " +
                                                           (dir / "missing") + ": No such file or directory");
    CHECK(test::read_file(file) == "second\n");
    CHECK(dir.entries() == 1);  // no temporary file left behind
    CHECK_THROWS_AS(write_output("", "x"), UsageError);
}

TEST_CASE("replacing a file keeps its mode and owner") {
    TempDir dir;
    std::string file = dir / "vm.conf";
    write_file(file, "old\n");
    REQUIRE(::chmod(file.c_str(), 0640) == 0);
    bool root = ::geteuid() == 0;
    if (root) REQUIRE(::chown(file.c_str(), 1000, 1000) == 0);
    ino_t before = stat_of(file).st_ino;

    write_output(file, "new\n");
    struct stat st = stat_of(file);
    CHECK(test::read_file(file) == "new\n");
    CHECK((st.st_mode & 07777) == 0640);
    CHECK(st.st_ino != before);  // replaced by rename, not rewritten
    if (root) {
        CHECK(st.st_uid == 1000);
        CHECK(st.st_gid == 1000);
    }
}

TEST_CASE("a symlink is written through: its target is replaced, the link stays") {
    TempDir dir;
    fs::create_directories(dir.path / "real");
    std::string target = dir / "real/101.conf", link = dir / "101.conf";
    write_file(target, "old\n");
    fs::create_symlink("real/101.conf", link);

    write_output(link, "new\n");
    CHECK(fs::is_symlink(link));
    CHECK(fs::read_symlink(link) == "real/101.conf");
    CHECK(test::read_file(target) == "new\n");
    CHECK(dir.entries() == 2);  // real/ and the link: the temporary file was made in real/
    size_t in_real = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir.path / "real")) ++in_real;
    CHECK(in_real == 1);

    fs::create_symlink("nowhere.conf", dir / "dangling.conf");
    CHECK(output_error(dir / "dangling.conf", "x") ==
          (dir / "dangling.conf") +
              ": is a symlink to a missing file; refusing to create a file wherever it points");
    CHECK(!fs::exists(dir / "nowhere.conf"));
}

TEST_CASE("character devices are written in place; their write errors are reported") {
    write_output("/dev/null", "discarded\n");
    CHECK(S_ISCHR(stat_of("/dev/null").st_mode));
    if (fs::exists("/dev/full"))
        CHECK(output_error("/dev/full", "x") == "/dev/full: write failed: No space left on device");
}

TEST_CASE("a file with several hard links is refused, both names untouched") {
    TempDir dir;
    std::string a = dir / "a.conf", b = dir / "b.conf";
    write_file(a, "shared\n");
    REQUIRE(::link(a.c_str(), b.c_str()) == 0);
    CHECK(output_error(a, "new\n") ==
          a + ": has 2 hard links: replacing it would split them and writing in place would not be atomic; "
              "write to another path, or remove the other links first");
    CHECK(test::read_file(b) == "shared\n");
    CHECK(stat_of(a).st_ino == stat_of(b).st_ino);
    CHECK(dir.entries() == 2);
}

TEST_CASE("an output that is one of the inputs is refused, by inode") {
    TempDir dir;
    std::string vm = dir / "vm.yaml";
    write_file(vm, "name: x\n");
    fs::create_symlink("vm.yaml", dir / "alias.yaml");
    CHECK(output_error(vm, "conf\n", {{vm}}) ==
          vm + ": is an input of this run: writing it would destroy what was read; choose another output");
    CHECK(output_error(dir / "alias.yaml", "conf\n", {{vm}}) ==
          (dir / "alias.yaml") + ": is the input " + vm +
              " of this run: writing it would destroy what was read; choose another output");
    CHECK(test::read_file(vm) == "name: x\n");
    write_output(dir / "other.conf", "conf\n", {{vm}});  // any other file is fine
}

TEST_CASE("replace = false refuses an existing file") {
    TempDir dir;
    std::string file = dir / "vm.yaml";
    write_file(file, "edited\n");
    CHECK(output_error(file, "new\n", {{}, false}) == file + ": exists; add --force to replace it");
    CHECK(test::read_file(file) == "edited\n");
    write_output(dir / "new.yaml", "new\n", {{}, false});
    CHECK(test::read_file(dir / "new.yaml") == "new\n");
}

TEST_CASE("SIGTERM between staging and commit removes the temporary file") {
    for (int sig : {SIGTERM, SIGINT, SIGHUP}) {
        CAPTURE(sig);
        TempDir dir;
        write_file(dir / "vm.conf", "old\n");
        pid_t child = ::fork();
        REQUIRE(child >= 0);
        if (child == 0) {
            int fd = ::open(dir.path.c_str(), O_RDONLY | O_DIRECTORY);
            FileReplacement file(fd, "vm.conf", dir / "vm.conf");
            file.stage("new\n");
            ::raise(sig);
            ::_exit(0);  // not reached: the handler re-raises with the default action
        }
        int status = 0;
        ::waitpid(child, &status, 0);
        CHECK(WIFSIGNALED(status));
        CHECK(WTERMSIG(status) == sig);
        CHECK(dir.entries() == 1);
        CHECK(test::read_file(dir / "vm.conf") == "old\n");
    }
}

TEST_CASE("a signal after commit leaves the new file and no hidden copy of the old one") {
    TempDir dir;
    write_file(dir / "vm.conf", "old\n");
    pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        int fd = ::open(dir.path.c_str(), O_RDONLY | O_DIRECTORY);
        FileReplacement file(fd, "vm.conf", dir / "vm.conf");
        file.stage("new\n");
        file.commit();  // the old file is still linked under a hidden name, for undo()
        ::raise(SIGTERM);
        ::_exit(0);
    }
    int status = 0;
    ::waitpid(child, &status, 0);
    CHECK(WIFSIGNALED(status));
    CHECK(dir.entries() == 1);
    CHECK(test::read_file(dir / "vm.conf") == "new\n");
}

TEST_CASE("FileReplacement: commit, undo and backups") {
    TempDir dir;
    int fd = ::open(dir.path.c_str(), O_RDONLY | O_DIRECTORY);
    REQUIRE(fd >= 0);
    write_file(dir / "old.conf", "old\n");
    ino_t old_inode = stat_of(dir / "old.conf").st_ino;
    {
        FileReplacement existing(fd, "old.conf", dir / "old.conf");
        FileReplacement fresh(fd, "new.conf", dir / "new.conf");
        CHECK(existing.exists());
        CHECK(existing.current_text() == "old\n");
        CHECK(!fresh.exists());
        existing.stage("replaced\n");
        fresh.stage("created\n");
        CHECK(test::read_file(dir / "old.conf") == "old\n");  // nothing visible before commit
        CHECK(existing.commit() == "");
        CHECK(fresh.commit() == "");
        CHECK(test::read_file(dir / "old.conf") == "replaced\n");
        CHECK(test::read_file(dir / "new.conf") == "created\n");
        // A later failure: roll both back.
        CHECK(fresh.undo());
        CHECK(existing.undo());
    }
    CHECK(test::read_file(dir / "old.conf") == "old\n");
    CHECK(stat_of(dir / "old.conf").st_ino == old_inode);  // the very same file is back
    CHECK(!fs::exists(dir / "new.conf"));
    CHECK(dir.entries() == 1);
    {
        FileReplacement kept(fd, "old.conf", dir / "old.conf");
        kept.stage("vfiogen\n");
        CHECK(kept.commit(".vfiogen-old") == "old.conf.vfiogen-old");
    }
    {
        FileReplacement again(fd, "old.conf", dir / "old.conf");
        again.stage("vfiogen 2\n");
        CHECK(again.commit(".vfiogen-old") == "old.conf.vfiogen-old.1");
    }
    CHECK(test::read_file(dir / "old.conf.vfiogen-old") == "old\n");
    CHECK(test::read_file(dir / "old.conf.vfiogen-old.1") == "vfiogen\n");
    CHECK(dir.entries() == 3);
    ::close(fd);
}

TEST_CASE("StagedTree: all files or none, never through a symlink, foreign files kept") {
    TempDir dir;
    std::vector<TreeFile> files = {{"etc/modprobe.d/vfio.conf", "# MARK\noptions vfio-pci ids=10de:1d01\n"},
                                   {"etc/kernel/cmdline", "root=/dev/sda1 iommu=pt\n"}};
    fs::create_directories(dir.path / "etc/kernel");
    write_file(dir / "etc/kernel/cmdline", "root=/dev/sda1\n");  // not vfiogen's: no marker

    SUBCASE("a symlink below the root is refused before anything is written") {
        fs::create_directories(dir.path / "elsewhere");
        fs::create_symlink("../elsewhere", dir.path / "etc/modprobe.d");
        try {
            StagedTree tree(dir.path.string(), files, "MARK");
            FAIL("no error");
        } catch (const OutputError& e) {
            CHECK(std::string(e.what()) == (dir / "etc/modprobe.d") + ": is a symlink; vfiogen writes only inside " +
                                               dir.path.string() + ", never through links: remove it or choose another directory");
        }
        CHECK(fs::is_empty(dir.path / "elsewhere"));
        CHECK(test::read_file(dir / "etc/kernel/cmdline") == "root=/dev/sda1\n");
    }
    SUBCASE("a symlinked file is refused too") {
        fs::create_directories(dir.path / "etc/modprobe.d");
        write_file(dir / "target.conf", "keep\n");
        fs::create_symlink("../../target.conf", dir.path / "etc/modprobe.d/vfio.conf");
        CHECK_THROWS_AS(StagedTree(dir.path.string(), files, "MARK"), OutputError);
        CHECK(test::read_file(dir / "target.conf") == "keep\n");
    }
    SUBCASE("commit writes all, keeps the foreign file, and a second run changes nothing") {
        auto writes = StagedTree(dir.path.string(), files, "MARK").commit();
        REQUIRE(writes.size() == 2);
        CHECK(writes[0].path == dir / "etc/modprobe.d/vfio.conf");
        CHECK(writes[0].change == TreeWrite::Change::Created);
        CHECK(writes[1].change == TreeWrite::Change::Replaced);
        CHECK(writes[1].backup == dir / "etc/kernel/cmdline.vfiogen-old");
        CHECK(test::read_file(dir / "etc/kernel/cmdline.vfiogen-old") == "root=/dev/sda1\n");
        CHECK(test::read_file(dir / "etc/kernel/cmdline") == "root=/dev/sda1 iommu=pt\n");
        auto again = StagedTree(dir.path.string(), files, "MARK").commit();
        CHECK(again[0].change == TreeWrite::Change::Unchanged);
        CHECK(again[1].change == TreeWrite::Change::Unchanged);
        CHECK(!fs::exists(dir / "etc/kernel/cmdline.vfiogen-old.1"));
    }
    SUBCASE("a failure while committing puts back every file already replaced") {
        StagedTree tree(dir.path.string(), files, "MARK");
        // Sabotage the second file: its staged temporary file disappears before commit.
        for (const auto& e : fs::directory_iterator(dir.path / "etc/kernel"))
            if (e.path().filename().string().rfind(".cmdline.vfiogen-", 0) == 0) fs::remove(e.path());
        CHECK_THROWS_WITH_AS(tree.commit(), doctest::Contains("every file written before it was put back"), OutputError);
        CHECK(!fs::exists(dir / "etc/modprobe.d/vfio.conf"));
        CHECK(test::read_file(dir / "etc/kernel/cmdline") == "root=/dev/sda1\n");
        CHECK(fs::is_empty(dir.path / "etc/modprobe.d"));
        size_t in_kernel = 0;
        for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir.path / "etc/kernel")) ++in_kernel;
        CHECK(in_kernel == 1);
    }
    SUBCASE("a path that climbs out of the root is refused") {
        CHECK_THROWS_AS(StagedTree(dir.path.string(), {{"etc/../../x", "x"}}, "MARK"), OutputError);
        CHECK_THROWS_AS(StagedTree("", files, "MARK"), UsageError);
    }
}
