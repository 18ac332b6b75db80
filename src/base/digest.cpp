#include "base/digest.h"

#include <nettle/sha1.h>
#include <nettle/sha2.h>
#include <uuid/uuid.h>

#include <cstdint>
#include <stdexcept>

namespace vfiogen {
namespace {

std::string hex_of(const uint8_t* digest, size_t size) {
    static const char* digits = "0123456789abcdef";
    std::string out;
    for (size_t i = 0; i < size; ++i) {
        out += digits[digest[i] >> 4];
        out += digits[digest[i] & 15];
    }
    return out;
}

}  // namespace

std::string sha1_hex(std::string_view data) {
    sha1_ctx ctx;
    sha1_init(&ctx);
    sha1_update(&ctx, data.size(), reinterpret_cast<const uint8_t*>(data.data()));
    uint8_t digest[SHA1_DIGEST_SIZE];
    sha1_digest(&ctx, sizeof digest, digest);
    return hex_of(digest, sizeof digest);
}

std::string sha256_hex(std::string_view data) {
    sha256_ctx ctx;
    sha256_init(&ctx);
    sha256_update(&ctx, data.size(), reinterpret_cast<const uint8_t*>(data.data()));
    uint8_t digest[SHA256_DIGEST_SIZE];
    sha256_digest(&ctx, sizeof digest, digest);
    return hex_of(digest, sizeof digest);
}

std::string uuid_v5(std::string_view name_space, std::string_view name) {
    uuid_t ns, out;
    if (uuid_parse(std::string(name_space).c_str(), ns) != 0)
        throw std::invalid_argument("not a UUID: " + std::string(name_space));
    uuid_generate_sha1(out, ns, name.data(), name.size());
    char text[37];
    uuid_unparse_lower(out, text);
    return text;
}

}  // namespace vfiogen
