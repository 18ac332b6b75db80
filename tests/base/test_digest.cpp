// Digests against the FIPS 180 test vectors.
#include <doctest/doctest.h>

#include "base/digest.h"

#include <stdexcept>

using namespace vfiogen;

TEST_CASE("sha1_hex and sha256_hex: FIPS 180 vectors for \"abc\" and the empty message") {
    CHECK(sha1_hex("abc") == "a9993e364706816aba3e25717850c26c9cd0d89d");
    CHECK(sha1_hex("") == "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(sha256_hex(std::string("a\0b", 3)) != sha256_hex("a"));  // not cut at a NUL
}

TEST_CASE("uuid_v5: RFC 9562 name-based UUIDs, as Python's uuid.uuid5 gives them") {
    // uuid.uuid5(uuid.NAMESPACE_DNS, "python.org"), the example in Python's uuid documentation.
    CHECK(uuid_v5("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "python.org") == "886313e1-3b8a-5372-9b90-0c9aee199e5d");
    CHECK(uuid_v5("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "python.org!") != "886313e1-3b8a-5372-9b90-0c9aee199e5d");
    CHECK_THROWS_AS(uuid_v5("not-a-uuid", "x"), std::invalid_argument);
}
