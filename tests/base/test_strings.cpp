#include "base/strings.h"

#include <doctest/doctest.h>

using namespace vfiogen;

TEST_CASE("join keeps empty words and puts sep only between words") {
    CHECK(join({}, ", ") == "");
    CHECK(join({"a"}, ", ") == "a");
    CHECK(join({"a", "", "b"}, ",") == "a,,b");
    CHECK(join({"", "b"}, " ") == " b");
}

TEST_CASE("hex pads to the width and never truncates") {
    CHECK(hex(0x1f, 4) == "0x001f");
    CHECK(hex(0x10de, 4) == "0x10de");
    CHECK(hex(0x12345, 4) == "0x12345");
    CHECK(hex(0, 1) == "0x0");
    CHECK(hex(0xffffffffu, 8) == "0xffffffff");
}
