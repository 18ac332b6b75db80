#include <doctest/doctest.h>

#include "base/suggest.h"

using namespace vfiogen;

TEST_CASE("did-you-mean picks the closest candidate and stays quiet for unrelated words") {
    std::vector<std::string> keys = {"name", "memory_mib", "machine", "passthrough"};
    CHECK(closest_match("memroy_mib", keys) == "memory_mib");  // transposition
    CHECK(closest_match("machin", keys) == "machine");
    CHECK(closest_match("mem", keys) == "memory_mib");         // prefix
    CHECK(closest_match("passtrough", keys) == "passthrough");
    CHECK(closest_match("xyz", keys) == "");
    CHECK(did_you_mean("nmae", keys) == " (did you mean 'name'?)");
    CHECK(did_you_mean("zzzzzz", keys) == "");
}
