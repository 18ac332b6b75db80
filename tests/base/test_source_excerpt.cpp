#include "base/source_excerpt.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>

using namespace vfiogen;

namespace {

// A file of `text` in a fresh temporary directory, removed with it.
struct TempFile {
    std::filesystem::path dir;
    std::string path;
    explicit TempFile(const std::string& text) {
        std::string templ = (std::filesystem::temp_directory_path() / "vfiogen-excerpt-XXXXXX").string();
        dir = mkdtemp(templ.data());
        path = (dir / "vm.yaml").string();
        std::ofstream(path, std::ios::binary) << text;
    }
    ~TempFile() { std::filesystem::remove_all(dir); }
};

}  // namespace

TEST_CASE("the line and a caret under the column") {
    TempFile f("name: vm\nmachine:\n  type: q35\n");
    SourceExcerpts e;
    CHECK(e.of(Mark{f.path, 3, 9}) == "      type: q35\n            ^\n");
    CHECK(e.of(Mark{f.path, 1, 1}) == "    name: vm\n    ^\n");
    CHECK(e.of(Mark{f.path, 1, 9}) == "    name: vm\n            ^\n");  // just past the end: a missing value
}

TEST_CASE("no excerpt without a line, a column, a file or that line") {
    TempFile f("a: 1\r\nb: 2\n");
    SourceExcerpts e;
    CHECK(e.of(Mark{f.path, 0, 0}) == "");
    CHECK(e.of(Mark{f.path, 2, 0}) == "");
    CHECK(e.of(Mark{f.path, 3, 1}) == "");   // past the last line
    CHECK(e.of(Mark{f.path, 2, 9}) == "");   // past the end of the line
    CHECK(e.of(Mark{"-", 1, 1}) == "");      // standard input cannot be read again
    CHECK(e.of(Mark{"<stdin>", 1, 1}) == "");
    CHECK(e.of(Mark{f.path + ".missing", 1, 1}) == "");
    CHECK(e.of(Mark{f.dir.string(), 1, 1}) == "");  // a directory
    CHECK(e.of(Mark{f.path, 1, 4}) == "    a: 1\n       ^\n");  // CR of CRLF dropped
}

TEST_CASE("tabs, UTF-8 and control characters keep the caret under its character") {
    TempFile f("\tx: 1\nname: \xc3\xa9t\xc3\xa9 [\n\x1b[31mred: 1\n");
    SourceExcerpts e;
    CHECK(e.of(Mark{f.path, 1, 2}) == "     x: 1\n     ^\n");
    CHECK(e.of(Mark{f.path, 2, 13}) == "    name: \xc3\xa9t\xc3\xa9 [\n              ^\n");
    CHECK(e.of(Mark{f.path, 3, 6}) == "    \\e[31mred: 1\n          ^\n");
}

TEST_CASE("a line over 72 columns is cut around the column") {
    std::string line = std::string(100, 'a') + "X" + std::string(100, 'b');
    TempFile f(line + "\n");
    SourceExcerpts e;
    std::string got = e.of(Mark{f.path, 1, 101});
    std::string shown = "..." + std::string(36, 'a') + "X" + std::string(35, 'b') + "...";
    CHECK(got == "    " + shown + "\n    " + std::string(39, ' ') + "^\n");
    CHECK(e.of(Mark{f.path, 1, 1}) == "    a" + std::string(71, 'a') + "...\n    ^\n");
    CHECK(e.of(Mark{f.path, 1, 201}) == "    ..." + std::string(72, 'b') + "\n    " + std::string(3 + 71, ' ') + "^\n");
}
