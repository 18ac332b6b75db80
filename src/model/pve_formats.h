// pve-common string formats that values from a VM file must meet before they reach a conf.
#pragma once

#include <string_view>

namespace vfiogen {

// pve-common's dns-name format (the `name` key): labels of letters, digits and inner '-',
// joined by '.', at most 253 characters.
bool valid_pve_dns_name(std::string_view name);

// pve-common's pve-configid format: [a-z][a-z0-9_-]+, case-insensitive (resource mapping ids).
bool valid_pve_configid(std::string_view id);

}  // namespace vfiogen
