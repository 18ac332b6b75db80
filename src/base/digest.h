// Message digests through nettle, as hex strings: conf digests for `qm set --digest` and stable
// fingerprints for CI reports.
#pragma once

#include <string>
#include <string_view>

namespace vfiogen {

// SHA-1 of `data`, 40 lowercase hex digits (what qemu-server's config digest is).
std::string sha1_hex(std::string_view data);

// SHA-256 of `data`, 64 lowercase hex digits.
std::string sha256_hex(std::string_view data);

// The name-based UUID (version 5, SHA-1; RFC 9562 section 5.5) of `name` in the namespace
// `name_space` (a UUID string), through libuuid: 36 lowercase characters, the same for the same
// input on every machine. Throws std::invalid_argument when `name_space` is no UUID.
std::string uuid_v5(std::string_view name_space, std::string_view name);

}  // namespace vfiogen
