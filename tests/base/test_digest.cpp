// Digests against the FIPS 180 test vectors.
#include <doctest/doctest.h>

#include "base/digest.h"

using namespace vfiogen;

TEST_CASE("sha1_hex and sha256_hex: FIPS 180 vectors for \"abc\" and the empty message") {
    CHECK(sha1_hex("abc") == "a9993e364706816aba3e25717850c26c9cd0d89d");
    CHECK(sha1_hex("") == "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(sha256_hex(std::string("a\0b", 3)) != sha256_hex("a"));  // not cut at a NUL
}
