// Reading input within bounds: regular files only, never blocking, size-capped, errors naming the path.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/bounded_read.h"
#include "test_helpers.h"

using namespace vfiogen;
namespace fs = std::filesystem;

namespace {

struct TempDir {
    fs::path path = fs::temp_directory_path() / ("vfiogen-read-" + std::to_string(::getpid()));
    TempDir() { fs::create_directories(path); }
    ~TempDir() { fs::remove_all(path); }
    std::string file(const std::string& name, const std::string& text) const {
        std::ofstream(path / name, std::ios::binary) << text;
        return (path / name).string();
    }
};

// A stream of zero bytes without end, like /dev/zero on stdin.
class Zeros : public std::streambuf {
    char buffer_[4096] = {};
    int_type underflow() override {
        setg(buffer_, buffer_, buffer_ + sizeof buffer_);
        return 0;
    }
};

}  // namespace

TEST_CASE("a regular file is read whole up to the limit, and refused past it") {
    TempDir dir;
    std::string ten = dir.file("ten", "0123456789");
    CHECK(read_regular_file(ten, 10) == "0123456789");
    CHECK(test::input_error_text([&] { read_regular_file(ten, 9); }) ==
          ten + ": error: file too large (over 9 bytes)");
    CHECK(read_regular_file(ten, 4, Excess::Truncate) == "0123");
    CHECK(read_regular_file(dir.file("empty", ""), 10) == "");
}

TEST_CASE("a FIFO, a device and a directory are refused without blocking, naming the path") {
    TempDir dir;
    std::string fifo = (dir.path / "fifo").string();
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    // No writer: opening it for reading without O_NONBLOCK would wait forever.
    InputError::Kind kind{};
    CHECK(test::input_error_text([&] { read_regular_file(fifo, 100); }, &kind) ==
          fifo + ": error: not a regular file (a FIFO)");
    CHECK(kind == InputError::Kind::Unreadable);
    CHECK(test::input_error_text([&] { read_regular_file_if_present(fifo, 100); }) ==
          fifo + ": error: not a regular file (a FIFO)");
    CHECK(test::input_error_text([] { read_regular_file("/dev/zero", 100); }) ==
          "/dev/zero: error: not a regular file (a character device)");
    // Through a symlink too: the link is followed, then the target's type decides.
    fs::create_symlink("/dev/zero", dir.path / "zero");
    CHECK(test::input_error_text([&] { read_regular_file_if_present((dir.path / "zero").string(), 100); }) ==
          (dir.path / "zero").string() + ": error: not a regular file (a character device)");
    CHECK(test::input_error_text([&] { read_regular_file(dir.path.string(), 100); }) ==
          dir.path.string() + ": error: is a directory, expected a file");
}

TEST_CASE("a missing file is an error, or nothing when it may be absent") {
    CHECK(test::input_error_text([] { read_regular_file("/nonexistent/x", 10); }) ==
          "/nonexistent/x: error: cannot open: No such file or directory");
    CHECK(!read_regular_file_if_present("/nonexistent/x", 10));
}

TEST_CASE("a stream is read up to the limit and refused at the first byte past it") {
    std::istringstream ten("0123456789");
    CHECK(read_bounded_stream(ten, "<stdin>", 10) == "0123456789");
    std::istringstream eleven("0123456789a");
    CHECK(test::input_error_text([&] { read_bounded_stream(eleven, "<stdin>", 10); }) ==
          "<stdin>: error: input too large (over 10 bytes)");
    Zeros zeros;
    std::istream endless(&zeros);
    CHECK(test::input_error_text([&] { read_bounded_stream(endless, "<stdin>"); }) ==
          "<stdin>: error: input too large (over 4194304 bytes)");
}
