#include <doctest/doctest.h>

#include <filesystem>
#include <unistd.h>
#include <fstream>

#include "diagnostic.h"
#include "output_file.h"
#include "test_helpers.h"

using namespace vfiogen;
namespace fs = std::filesystem;

TEST_CASE("output files are replaced whole, and left untouched when writing fails") {
    fs::path dir = fs::temp_directory_path() / ("vfiogen-out-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    fs::path file = dir / "100.conf";

    write_output(file.string(), "first\n");
    CHECK(test::read_file(file.string()) == "first\n");
    write_output(file.string(), "second\n");
    CHECK(test::read_file(file.string()) == "second\n");

    CHECK_THROWS_AS(write_output(dir.string(), "x"), OutputError);  // a directory
    CHECK_THROWS_AS(write_output((dir / "missing" / "f.conf").string(), "x"), OutputError);
    CHECK(test::read_file(file.string()) == "second\n");
    // No temporary files are left behind.
    size_t entries = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++entries;
    CHECK(entries == 1);
    fs::remove_all(dir);
}
