#include "pve/pve_mapping.h"

#include <algorithm>
#include <cctype>

#include "pve/pve_conf.h"
#include "pve/pve_schema.h"

namespace vfiogen {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }
bool is_hex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }
bool is_lower_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

// ^[0-9A-Fa-f]{4}:[0-9A-Fa-f]{4}$ (PCI.pm $map_fmt id and subsystem-id)
bool is_vendor_device(std::string_view v) {
    return v.size() == 9 && v[4] == ':' && std::all_of(v.begin(), v.begin() + 4, is_hex) &&
           std::all_of(v.begin() + 5, v.end(), is_hex);
}

// One of PCI.pm's $PCI_RE: [a-f0-9]{4,}:[a-f0-9]{2}:[a-f0-9]{2}(?:\.[a-f0-9])?
bool is_mapped_path(std::string_view p) {
    if (p.size() >= 2 && p[p.size() - 2] == '.') {
        if (!is_lower_hex(p.back())) return false;
        p.remove_suffix(2);
    }
    if (p.size() < 10 || p[p.size() - 3] != ':' || p[p.size() - 6] != ':') return false;
    std::string_view domain = p.substr(0, p.size() - 6);
    auto hex_run = [](std::string_view s) {
        return !s.empty() && std::all_of(s.begin(), s.end(), is_lower_hex);
    };
    return domain.size() >= 4 && hex_run(domain) && hex_run(p.substr(p.size() - 5, 2)) &&
           hex_run(p.substr(p.size() - 2));
}

bool is_digits(std::string_view v) {
    return !v.empty() && v.size() < 18 &&
           std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// A `map` value: its sub-keys, each checked; problems go to `out`.
PciMap parse_map(std::string_view value, const Mark& mark, PciMappingFile& out) {
    PciMap m;
    m.mark = mark;
    auto problem = [&](std::string text) { out.problems.emplace_back(mark, "map: " + std::move(text)); };
    PropertyList props = parse_property_string(value, "");
    if (!props.error.empty()) problem(props.error);
    for (const auto& p : props.properties) {
        if (p.key == "node")
            m.node = p.value;
        else if (p.key == "path")
            m.path = p.value;
        else if (p.key == "id")
            m.id = p.value;
        else if (p.key == "subsystem-id")
            m.subsystem_id = p.value;
        else if (p.key == "iommugroup" && is_digits(p.value))
            m.iommugroup = std::stoll(p.value);
        else if (p.key == "iommugroup")
            problem("iommugroup must be an integer, got '" + p.value + "'");
        else if (p.key != "description")
            problem("unknown sub-key '" + p.key + "'");
    }
    if (m.node.empty()) problem("node= is required");
    if (!is_vendor_device(m.id)) problem("id= must be vendor:device (4 hex digits each), got '" + m.id + "'");
    if (!m.subsystem_id.empty() && !is_vendor_device(m.subsystem_id))
        problem("subsystem-id= must be vendor:device (4 hex digits each), got '" + m.subsystem_id + "'");
    size_t start = 0;
    while (start <= m.path.size()) {
        size_t semi = std::min(m.path.find(';', start), m.path.size());
        std::string_view one = std::string_view(m.path).substr(start, semi - start);
        if (!is_mapped_path(one))
            problem("path '" + std::string(one) +
                    "' must be dddd:bb:dd[.f] in lowercase hex, with the domain");
        start = semi + 1;
    }
    return m;
}

}  // namespace

const PciMapping* PciMappingFile::find(std::string_view id) const {
    for (const auto& m : mappings)
        if (m.id == id) return &m;
    return nullptr;
}

bool is_pci_mapping_path(std::string_view path) {
    size_t slash = path.rfind('/');
    return path.substr(slash == std::string_view::npos ? 0 : slash + 1) == "pci.cfg";
}

PciMappingFile parse_pci_mapping(std::string_view text, const std::string& file) {
    PciMappingFile out;
    out.file = file;
    PciMapping* current = nullptr;
    size_t start = 0;
    int number = 0;
    while (start < text.size()) {
        size_t end = std::min(text.find('\n', start), text.size());
        std::string_view line = text.substr(start, end - start);
        start = end + 1;
        Mark mark{file, ++number, 1};
        if (trim(line).empty()) {
            current = nullptr;  // a blank line ends the section
            continue;
        }
        if (line[0] == '#') continue;
        if (!is_space(line[0])) {
            std::string id(trim(line));
            if (id.find_first_of(" \t") != std::string::npos || !valid_pve_configid(id)) {
                out.problems.emplace_back(mark, "'" + id +
                                                    "' is not a mapping id (pve-configid: a letter, then "
                                                    "letters, digits, '_' or '-'); PVE skips this section");
                current = nullptr;
                continue;
            }
            out.mappings.push_back({id, mark, {}, false});
            current = &out.mappings.back();
            continue;
        }
        if (!current) {
            out.problems.emplace_back(mark, "property line outside a section; PVE ignores it");
            continue;
        }
        std::string_view body = trim(line);
        size_t gap = body.find_first_of(" \t");
        std::string_view key = body.substr(0, gap),
                         value = gap == std::string_view::npos ? "" : trim(body.substr(gap));
        Mark value_mark{file, number, static_cast<int>(value.empty() ? 1 : value.data() - line.data() + 1)};
        if (key == "map")
            current->maps.push_back(parse_map(value, value_mark, out));
        else if (key == "mdev")
            current->mdev = value == "1";
        else if (key != "description" && key != "live-migration-capable")
            out.problems.emplace_back(
                mark, "unknown property '" + std::string(key) + "' in mapping '" + current->id + "'");
    }
    return out;
}

}  // namespace vfiogen
