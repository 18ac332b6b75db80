#include "model/releases.h"

namespace vfiogen {

const std::vector<PveVersion>& pve_release_lines() {
    static const std::vector<PveVersion> lines = {{8, 0}, {8, 1}, {8, 2}, {8, 3},
                                                  {8, 4}, {9, 0}, {9, 1}, {9, 2}};
    return lines;
}

PveVersion newest_pve_version() { return pve_release_lines().back(); }

std::optional<PveVersion> parse_pve_version(std::string_view text, std::string* error) {
    std::string known;
    for (const auto& v : pve_release_lines()) {
        if (v.str() == text) return v;
        known += (known.empty() ? "" : ", ") + v.str();
    }
    if (error) *error = "unknown PVE version '" + std::string(text) + "': the schema knows " + known;
    return std::nullopt;
}

std::optional<QemuVersion> parse_qemu_version(std::string_view text) {
    QemuVersion v;
    int* parts[] = {&v.major, &v.minor};
    size_t pos = 0;
    for (int i = 0; i < 3; ++i) {
        size_t end = text.find('.', pos);
        std::string_view part = text.substr(pos, end == std::string_view::npos ? end : end - pos);
        if (part.empty() || part.size() > 4 || part.find_first_not_of("0123456789") != std::string_view::npos)
            return std::nullopt;
        if (i < 2) *parts[i] = std::stoi(std::string(part));
        if (end == std::string_view::npos) return i >= 1 ? std::optional<QemuVersion>(v) : std::nullopt;
        pos = end + 1;
    }
    return std::nullopt;
}

}  // namespace vfiogen
