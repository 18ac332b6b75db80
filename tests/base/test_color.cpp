// Colour decisions: the mode, NO_COLOR and TERM=dumb for auto, and the SGR sequences.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/color.h"

using namespace vfiogen;

TEST_CASE("--color: always and never decide alone; auto wants a terminal, no NO_COLOR and no dumb TERM") {
    CHECK(parse_color_mode("auto") == ColorMode::Auto);
    CHECK(parse_color_mode("always") == ColorMode::Always);
    CHECK(!parse_color_mode("yes"));
    int file = ::open("/dev/null", O_WRONLY);
    REQUIRE(file >= 0);
    CHECK(use_color(ColorMode::Always, file));
    CHECK_FALSE(use_color(ColorMode::Never, file));
    CHECK_FALSE(use_color(ColorMode::Auto, file));  // /dev/null is no terminal
    ::setenv("NO_COLOR", "1", 1);
    CHECK(use_color(ColorMode::Always, file));  // an explicit --color always wins
    ::unsetenv("NO_COLOR");
    ::close(file);

    CHECK(paint("error[x]", Tone::Error, true) == "\033[1;31merror[x]\033[0m");
    CHECK(paint("WARN", Tone::Warning, true) == "\033[1;33mWARN\033[0m");
    CHECK(paint("note", Tone::Note, false) == "note");
}
