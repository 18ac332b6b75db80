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

}  // namespace vfiogen
