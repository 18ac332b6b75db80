// The hostile-input suite (issue 17, docs/SECURITY.md): every class of input that once reached
// a consumer (libvirt, modprobe, a YAML reader, a terminal, a JSON reader) as something other
// than what vfiogen meant, tried with generated values rather than one example each. Run alone
// with `vfiogen_tests --test-suite=hostile` (ctest: `hostile`).
#include <doctest/doctest.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "app/check.h"
#include "app/check_report.h"
#include "app/host_report.h"
#include "app/render.h"
#include "base/strict_xml.h"
#include "base/templates.h"
#include "base/text_escape.h"
#include "host/host_check.h"
#include "host/host_config.h"
#include "host/host_init.h"
#include "host/host_scan.h"
#include "test_helpers.h"

using namespace vfiogen;
namespace fs = std::filesystem;

namespace {

// A fixed seed: a failure names the value, and the same values come back on every run.
std::mt19937& rng() {
    static std::mt19937 engine(17);
    return engine;
}

std::string utf8(char32_t c) {
    std::string out;
    if (c < 0x80) {
        out += static_cast<char>(c);
    } else if (c < 0x800) {
        out += static_cast<char>(0xc0 | (c >> 6));
        out += static_cast<char>(0x80 | (c & 0x3f));
    } else if (c < 0x10000) {
        out += static_cast<char>(0xe0 | (c >> 12));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3f));
        out += static_cast<char>(0x80 | (c & 0x3f));
    } else {
        out += static_cast<char>(0xf0 | (c >> 18));
        out += static_cast<char>(0x80 | ((c >> 12) & 0x3f));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3f));
        out += static_cast<char>(0x80 | (c & 0x3f));
    }
    return out;
}

// Text that is not UTF-8 (Unicode 15 table 3-7) or not XML 1.0 characters: the raw bytes, and
// the code point when there is one (a YAML file can then spell it as an escape, "\uFFFE").
struct BadText {
    std::string raw;
    std::optional<char32_t> code;
};

std::vector<BadText> bad_texts() {
    std::vector<BadText> out = {
        {"\xc0\x80", {}},
        {"\xc1\xbf", {}},
        {"\xe0\x80\xaf", {}},
        {"\xe0\x9f\xbf", {}},  // overlong
        {"\xf0\x82\x82\xac", {}},
        {"\xf0\x8f\xbf\xbf", {}},
        {"\xed\xa0\x80", 0xd800},
        {"\xed\xbf\xbf", 0xdfff},
        {"\xed\xa0\xbd\xed\xb8\x80", {}},  // surrogates
        {"\xf4\x90\x80\x80", {}},
        {"\xf5\x80\x80\x80", {}},
        {"\xff", {}},
        {"\xfe", {}},
        {"\x80", {}},
        {"\xbf", {}},
        {"\xe2\x82", {}},
        {"\xf0\x9f\x98", {}},  // other
        {utf8(0xfffe), 0xfffe},
        {utf8(0xffff), 0xffff},  // non-characters
    };
    for (char32_t c = 1; c < 0x20; ++c)
        if (c != '\t' && c != '\n' && c != '\r') out.push_back({utf8(c), c});
    return out;
}

// A YAML double-quoted scalar: `before`, the code point as a \U escape, `after` (ASCII).
std::string yaml_escaped(const std::string& before, char32_t code, const std::string& after) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "\\U%08X", static_cast<unsigned>(code));
    return "\"" + before + buf + after + "\"";
}

// Any text as a YAML double-quoted scalar of escapes and printable ASCII (valid UTF-8 only).
std::string yaml_escaped(const std::u32string& text) {
    std::string out = "\"";
    char buf[16];
    for (char32_t c : text) {
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
            out += static_cast<char>(c);
        } else {
            std::snprintf(buf, sizeof buf, "\\U%08X", static_cast<unsigned>(c));
            out += buf;
        }
    }
    return out + "\"";
}

std::string load_error_text(const std::string& text) {
    auto profiles = test::test_profiles();
    return test::input_error_text([&] { load_vm_text(text, "vm.yaml", profiles); });
}

// The VM file keys whose strings reach the libvirt XML as text or attribute values, each as
// (YAML text with VALUE as the placeholder, line of the value).
struct StringKey {
    const char* yaml;
    int line;
};
const StringKey kXmlStringKeys[] = {
    {"name: vm\ndescription: VALUE\n", 2},
    {"name: vm\nqemu_args:\n  - VALUE\n", 3},
    {"name: vm\nnics:\n  - model: virtio\n    network: VALUE\n", 4},
    {"name: vm\nnics:\n  - model: virtio\n    bridge: VALUE\n", 4},
    {"name: vm\ndisks:\n  - bus: virtio\n    size_gib: 8\n    path: VALUE\n", 5},  // with its required size
    {"name: vm\nrom_dir: VALUE\n", 2},
};

std::string with_value(const char* yaml, const std::string& value) {
    std::string text = yaml;
    return text.replace(text.find("VALUE"), 5, value);
}

// The text of the first element called `name` in `xml` (libxml2, as libvirt reads it).
std::optional<std::string> xml_element_text(const std::string& xml, const char* name) {
    xmlDocPtr doc = xmlReadMemory(xml.data(), static_cast<int>(xml.size()), nullptr, nullptr,
                                  XML_PARSE_NONET | XML_PARSE_NOERROR);
    if (!doc) return std::nullopt;
    std::optional<std::string> out;
    std::vector<xmlNodePtr> todo = {xmlDocGetRootElement(doc)};
    while (!todo.empty() && !out) {
        xmlNodePtr n = todo.back();
        todo.pop_back();
        for (; n; n = n->next) {
            if (n->type != XML_ELEMENT_NODE) continue;
            if (xmlStrEqual(n->name, reinterpret_cast<const xmlChar*>(name))) {
                xmlChar* content = xmlNodeGetContent(n);
                out = reinterpret_cast<const char*>(content);
                xmlFree(content);
                break;
            }
            if (n->children) todo.push_back(n->children);
        }
    }
    xmlFreeDoc(doc);
    return out;
}

// A copy of a fixture host tree (tests/data/hosts/NAME) in a fresh temporary directory, for
// planting hostile values; removed again at the end of the test.
class HostTree {
  public:
    explicit HostTree(const std::string& name) {
        static int count = 0;
        dir_ = fs::temp_directory_path() /
               ("vfiogen-hostile-host-" + std::to_string(::getpid()) + "-" + std::to_string(++count));
        fs::remove_all(dir_);
        fs::copy(test::source_dir() + "/tests/data/hosts/" + name, dir_,
                 fs::copy_options::recursive | fs::copy_options::copy_symlinks);
    }
    ~HostTree() { fs::remove_all(dir_); }
    std::string path(const std::string& relative) const { return (dir_ / relative).string(); }
    void write(const std::string& relative, const std::string& text) const {
        fs::remove(path(relative));
        std::ofstream(path(relative), std::ios::binary) << text;
    }
    void link(const std::string& relative, const std::string& target) const {
        fs::remove(path(relative));
        REQUIRE(::symlink(target.c_str(), path(relative).c_str()) == 0);
    }
    Host read() const { return read_host(HostRoot::under(dir_.string())); }

  private:
    fs::path dir_;
};

const char* const kGpuDir = "sys/devices/pci0000:00/0000:00:01.0/0000:01:00.0/";
const char* const kGpuLink = "sys/bus/pci/devices/0000:01:00.0/";  // how vfiogen reaches kGpuDir

// Hostile strings: the ingredients of an injection (line breaks, a shell command, separators,
// terminal escapes, non-ASCII, length), alone and mixed at random with a fixed seed.
std::vector<std::string> hostile_values(size_t random_count) {
    std::vector<std::string> out = {
        "nouveau\ninstall nouveau /bin/sh -c 'id > /tmp/x'",
        "nouveau\ninstall x sh",
        "nouveau\r\ninstall x sh",
        "nouveau install x",
        "nouveau;reboot",
        "nouveau\tx",
        "nouveau\x1b[2J",
        "nouv\xc3\xa9"
        "au",
        "nouveau\xff",
        "nouveau#x",
        "nouveau,x",
        "nouveau=x",
        "$(reboot)",
        "`reboot`",
        " nouveau",
        "nouveau ",
        std::string(65, 'a'),
        std::string(4000, 'n'),
        "-",
        "x\x85y",
        "x\xe2\x80\xa8y",
    };
    const std::string pieces[] = {
        "a", "Z",    "9",    "_",        "-",    "\n",           "\r",       " ",      "\t", ";",
        "|", "&",    "$",    "`",        "'",    "\"",           "#",        ",",      "=",  ":",
        ".", "\x1b", "\x7f", "\xc3\xa9", "\xff", "\xe2\x80\xae", "install ", "/bin/sh"};
    std::uniform_int_distribution<size_t> pick(0, std::size(pieces) - 1), length(1, 40);
    for (size_t i = 0; i < random_count; ++i) {
        std::string v;
        for (size_t n = length(rng()); n > 0; --n) v += pieces[pick(rng())];
        out.push_back(v);
    }
    return out;
}

// Every line of a generated modprobe.d file is a comment or one of the commands vfiogen means,
// with a module name where modprobe.d(5) takes one.
void check_modprobe_lines(const std::string& text) {
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        CAPTURE(line);
        if (line.empty() || line[0] == '#') continue;
        if (line.rfind("options vfio-pci ", 0) == 0) {
            CHECK(line.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-_=:, ") == std::string::npos);
            continue;
        }
        if (line.rfind("softdep ", 0) == 0) {
            std::string module = line.substr(8, line.find(' ', 8) - 8);
            CHECK(line == "softdep " + module + " pre: vfio-pci");
            CHECK(!module.empty());
            CHECK(module.find_first_not_of(
                      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") ==
                  std::string::npos);
            continue;
        }
        FAIL("a line vfiogen does not write: " << line);
    }
}

Vm gt1030_vm() {
    auto profiles = test::test_profiles();
    return load_vm(test::source_dir() + "/examples/pve-nvidia-gt1030.yaml", profiles);
}

// True when `text` is safe for a terminal or a CI log: no control character but the line breaks
// vfiogen itself writes, no C1 control (raw or as UTF-8), no bidirectional override.
bool terminal_safe(const std::string& text) {
    for (size_t i = 0; i < text.size(); ++i) {
        auto c = static_cast<unsigned char>(text[i]);
        if ((c < 0x20 && c != '\n') || c == 0x7f) return false;
        if (c == 0xc2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) < 0xa0) return false;
        if (c >= 0x80 && c < 0xa0 && (i == 0 || static_cast<unsigned char>(text[i - 1]) < 0xc0)) {
            // a continuation byte is fine inside a valid sequence; escape_control leaves only valid UTF-8
            if (utf8_problem(text.substr(i > 3 ? i - 3 : 0, 8))) return false;
        }
    }
    return !utf8_problem(text) && text.find("\xe2\x80\xae") == std::string::npos &&
           text.find("\xe2\x80\xa8") == std::string::npos;
}

size_t count_lines(const std::string& text) {
    return static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
}

// Hostile bytes for quoted lines and names: every bad text above plus control characters, a
// forged GitHub workflow command, C1 controls and random high bytes.
std::vector<std::string> hostile_bytes(size_t random_count) {
    std::vector<std::string> out;
    for (const auto& b : bad_texts()) out.push_back(b.raw);
    for (const char* v : {"\n::error file=x.conf::forged", "\r\x1b[2K", "\x1b]8;;http://x\x07",
                          "\xc2\x9b"
                          "31m",
                          "\x9b"
                          "31m",
                          "\xe2\x80\xae", "\xe2\x80\xa8", "\xe9t\xe9", "\x7f", "\t"})
        out.push_back(v);
    std::uniform_int_distribution<int> byte(0, 255), length(1, 8);
    for (size_t i = 0; i < random_count; ++i) {
        std::string v;
        for (int n = length(rng()); n > 0; --n) v += static_cast<char>(byte(rng()));
        if (v.find('\0') == std::string::npos) out.push_back(v);
    }
    return out;
}

}  // namespace

TEST_SUITE("hostile") {
    TEST_CASE(
        "libvirt XML: a character XML 1.0 does not allow is refused at its key, as raw bytes or as a YAML "
        "escape") {
        for (const auto& key : kXmlStringKeys)
            for (const auto& bad : bad_texts()) {
                std::vector<std::string> spellings = {"\"/a" + bad.raw + "b\"",
                                                      "\"/a " + utf8(0xe9) + bad.raw + "b\""};
                if (bad.code) spellings.push_back(yaml_escaped("/a ", *bad.code, "b"));
                for (const auto& spelled : spellings) {
                    std::string text = with_value(key.yaml, spelled);
                    CAPTURE(text);
                    std::string error = load_error_text(text);
                    // Refused: at the value's line, or (raw bytes the reader rejects) as the whole file.
                    CHECK(!error.empty());
                    if (error.find("binary file") == std::string::npos)
                        CHECK(error.rfind("vm.yaml:" + std::to_string(key.line) + ":", 0) == 0);
                }
            }
    }

    TEST_CASE(
        "libvirt XML: any text a key accepts is read back by libxml2 exactly (generated descriptions)") {
        const char32_t alphabet[] = {
            'a',    'Z',    '0',    ' ',     '<',      '>',      '&',  '\'',   '"',    ']',    ';',    '#',
            ':',    '\n',   '\t',   0xe9,    0x7f,     0x85,     0xa0, 0x2028, 0x202e, 0xfeff, 0xfffd, 0xfffe,
            0xffff, 0xd7ff, 0xe000, 0x1f600, 0x10fffd, 0x10ffff, 0x1b, 0x0b,   0x0c,   0x01};
        std::uniform_int_distribution<size_t> pick(0, std::size(alphabet) - 1), length(1, 24);
        int accepted = 0, refused = 0;
        for (int round = 0; round < 400; ++round) {
            std::u32string code_points = U"d";
            for (size_t n = length(rng()); n > 0; --n) code_points += alphabet[pick(rng())];
            std::string value;
            for (char32_t c : code_points) value += utf8(c);
            std::string text = with_value(kXmlStringKeys[0].yaml, yaml_escaped(code_points));
            CAPTURE(text);
            auto profiles = test::test_profiles();
            std::optional<Vm> vm;
            std::string error = test::input_error_text([&] { vm = load_vm_text(text, "vm.yaml", profiles); });
            if (!vm) {
                CHECK(error.rfind("vm.yaml:2:", 0) == 0);
                ++refused;
                continue;
            }
            ++accepted;
            std::string xml = render(*vm, Target::Libvirt, TemplateSet()).text;
            CHECK_FALSE(strict_xml_error(xml));
            CHECK(xml_element_text(xml, "description") == value);
        }
        CHECK(accepted > 20);  // the generator must exercise both sides
        CHECK(refused > 20);
    }

    TEST_CASE(
        "libvirt XML: a --templates override that libvirt could not read is refused, naming the template") {
        fs::path dir = fs::temp_directory_path() / ("vfiogen-hostile-tpl-" + std::to_string(::getpid()));
        fs::create_directories(dir);
        std::string good = embedded_templates()[0].text;
        for (const auto& t : embedded_templates())
            if (std::string(t.name) == "libvirt.xml.mustache") good = t.text;
        REQUIRE(good.find("</domain>") != std::string::npos);
        auto vm = [] {
            auto profiles = test::test_profiles();
            return load_vm(test::source_dir() + "/examples/libvirt-tesla-t10.yaml", profiles);
        }();
        auto replaced = [&](const std::string& from, const std::string& to) {
            std::string text = good;
            size_t at = text.find(from);
            REQUIRE(at != std::string::npos);
            return text.replace(at, from.size(), to);
        };
        const std::string broken[] = {
            good + "trailing text\n",                      // text after the root
            good + "<domain type='kvm'/>\n",               // two roots
            replaced("<name>", "<name>&undefined;"),       // undefined entity
            replaced("<domain ", "<domain type='qemu' "),  // repeated attribute
            replaced("<name>", "<name>&#0;"),              // &#0;
            replaced("<name>", "<name>&#xFFFE;"),          // a non-character by reference
            replaced("<name>", "<name>&#xD800;"),          // a surrogate by reference
            "<!DOCTYPE domain [<!ENTITY n 'x'>]>\n" + replaced("<name>", "<name>&n;"),  // DTD entity
            "<?xml version='1.0' encoding='ISO-8859-1'?>\n" + good,                     // another encoding
            replaced("<name>", "<name>\xc0\xaf"),  // overlong UTF-8 in the template
            "<!-- only a comment -->\n",           // no root at all
        };
        for (const auto& text : broken) {
            std::ofstream(dir / "libvirt.xml.mustache", std::ios::trunc) << text;
            CAPTURE(text);
            std::string error =
                test::input_error_text([&] { render(vm, Target::Libvirt, TemplateSet(dir.string())); });
            CHECK(error.rfind((dir / "libvirt.xml.mustache").string() +
                                  ": error: template produced XML that libvirt cannot read: ",
                              0) == 0);
        }
        std::ofstream(dir / "libvirt.xml.mustache", std::ios::trunc) << good;
        CHECK_NOTHROW(render(vm, Target::Libvirt, TemplateSet(dir.string())));
        fs::remove_all(dir);
    }

    TEST_CASE("host tree: a driver link name that is not a module name refuses the host, naming the link") {
        HostTree tree("gt1030");
        Vm vm = gt1030_vm();
        int refused = 0;
        for (const auto& value : hostile_values(300)) {
            CAPTURE(value);
            // A link target's last component is the driver name; '/' in a value shortens it.
            tree.link(std::string(kGpuDir) + "driver", "../../../../bus/pci/drivers/" + value);
            std::optional<Host> host;
            InputError::Kind kind{};
            std::string error = test::input_error_text([&] { host = tree.read(); }, &kind);
            if (!host) {
                ++refused;
                CHECK(error.rfind(tree.path(kGpuLink) + "driver: error: '", 0) == 0);
                CHECK(kind == InputError::Kind::Unreadable);
                CHECK(error.find('\n') == std::string::npos);
                CHECK(error.find('\x1b') == std::string::npos);
                continue;
            }
            HostConfig config = host_config(vm, *host, Distro::Proxmox, Boot::Grub);
            for (const auto& f : config.files)
                if (f.path == "/etc/modprobe.d/vfio.conf") check_modprobe_lines(f.text);
        }
        CHECK(refused > 250);
    }

    TEST_CASE("host tree: vendor, device, subsystem and class files must read as the kernel writes them") {
        HostTree tree("gt1030");
        const char* const files[] = {"vendor", "device", "subsystem_vendor", "subsystem_device", "class"};
        std::vector<std::string> values = hostile_values(60);
        for (const char* v :
             {"0x10de\ninstall x /bin/sh", "0x10de ", "0x10de;", "10de", "0x1", "0x10de0", "0x10dg", "0X10DE",
              "0x030000\n", "0x0300", "0x123456789abcdef", "", "\n", "0x+1de"})
            values.push_back(v);
        for (const std::string file : files)
            for (const auto& value : values) {
                CAPTURE(file);
                CAPTURE(value);
                size_t digits = file == "class" ? 6 : 4;
                std::string kernel =
                    value.empty() || value.back() != '\n' ? value : value.substr(0, value.size() - 1);
                if (kernel.size() == digits + 2 && kernel.rfind("0x", 0) == 0 &&
                    kernel.find_first_not_of("0123456789abcdefABCDEF", 2) == std::string::npos)
                    continue;  // what the kernel writes for this file
                std::string original = test::read_file(tree.path(std::string(kGpuDir) + file));
                tree.write(std::string(kGpuDir) + file, value);
                std::string error = test::input_error_text([&] { tree.read(); });
                CHECK(error.rfind(tree.path(kGpuLink) + file + ": error: '", 0) == 0);
                tree.write(std::string(kGpuDir) + file, original);
            }
        CHECK_NOTHROW(tree.read());
    }

    TEST_CASE("host tree: iommu_group, boot_vga and the kernel release refuse values they never hold") {
        HostTree tree("gt1030");
        for (const auto& value : hostile_values(40)) {
            CAPTURE(value);
            tree.link(std::string(kGpuDir) + "iommu_group", "../../../../kernel/iommu_groups/" + value);
            std::string error = test::input_error_text([&] { tree.read(); });
            if (value.find_first_not_of("0123456789") != std::string::npos &&
                value.rfind('/') != value.size() - 1)
                CHECK(error.find("iommu_group: error: ") != std::string::npos);
        }
        tree.link(std::string(kGpuDir) + "iommu_group", "../../../../kernel/iommu_groups/1");
        for (const auto& value : hostile_values(40)) {
            CAPTURE(value);
            tree.write(std::string(kGpuDir) + "boot_vga", value);
            CHECK(test::input_error_text([&] { tree.read(); }).find("boot_vga: error: ") !=
                  std::string::npos);
        }
        tree.write(std::string(kGpuDir) + "boot_vga", "1\n");
        for (const auto& value : hostile_values(60)) {
            CAPTURE(value);
            tree.write("proc/sys/kernel/osrelease", value + "\n");
            std::string error = test::input_error_text([&] { tree.read(); });
            bool kernel_like = value.size() <= 64 &&
                               value.find_first_not_of(
                                   "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+~-") ==
                                   std::string::npos;
            CHECK(error.empty() == kernel_like);
            if (!kernel_like)
                CHECK(error.rfind(tree.path("proc/sys/kernel/osrelease") + ": error: '", 0) == 0);
        }
        tree.write("proc/sys/kernel/osrelease", "5.15.108-1-pve\n");
        HostConfig config = host_config(gt1030_vm(), tree.read(), Distro::Proxmox, Boot::Grub);
        CHECK(config.files.size() == 3);
    }

    TEST_CASE("init --from-host: pci.ids names with YAML syntax in them read back as the same names") {
        // Pieces real pci.ids names hold (names with ": ", e.g. AMD's 1022:13ed; " #"; quotes;
        // brackets) and ones a YAML reader treats specially, mixed at random into vendor and device names.
        const std::string pieces[] = {
            ": ",           " #",      "#",   "'",    "\"", "[",    "]", "{",    "}",  ",",  "&a",
            "*a",           "!",       "%",   "@",    "`",  "|",    ">", "- ",   "? ", "\\", "\xc3\xa9",
            "\xe2\x80\xa8", "\x1b[1m", "yes", "null", "~",  "0x10", " ", "Name", "a"};
        std::uniform_int_distribution<size_t> pick(0, std::size(pieces) - 1), length(1, 12);
        fs::path dir = fs::temp_directory_path() / ("vfiogen-hostile-ids-" + std::to_string(::getpid()));
        fs::create_directories(dir);
        Host host = read_host(HostRoot::under(test::source_dir() + "/tests/data/hosts/gt1030"));
        int rounds = 0;
        for (int round = 0; round < 150; ++round) {
            auto name = [&] {
                std::string n = "N";  // pci.ids trims leading blanks; a letter keeps the name whole
                for (size_t k = length(rng()); k > 0; --k) n += pieces[pick(rng())];
                return n + "z";  // ... and trailing ones
            };
            std::string vendor = name(), device = name();
            std::ofstream(dir / "pci.ids", std::ios::trunc)
                << "8086  " << vendor << "\n\t1533  " << device << "\n";
            PciNames names((dir / "pci.ids").string());
            if (names.vendor(0x8086) != vendor || names.device(0x8086, 0x1533) != device)
                continue;  // libpci's own reading
            ++rounds;
            auto profiles = test::test_profiles();
            InitResult r = init_from_host(host, *parse_pci_address("02:00.0", nullptr), profiles, names);
            REQUIRE(r.profile_yaml);
            CAPTURE(*r.profile_yaml);
            YAML::Node profile = YAML::Load(*r.profile_yaml);
            CHECK(profile["description"].as<std::string>() == vendor + " " + device + " [8086:1533]");
            CHECK(profile["functions"][0]["id"].as<std::string>() == "8086:1533");
            // The VM file's comment lines name the device too: still one comment per line, and it loads.
            CAPTURE(r.vm_yaml);
            CHECK(YAML::Load(r.vm_yaml)["passthrough"][0]["profile"].as<std::string>() == "host-8086-1533");
            CHECK(r.vm_yaml.find('\x1b') == std::string::npos);
        }
        CHECK(rounds > 100);
        fs::remove_all(dir);
    }

    TEST_CASE(
        "check reports: any byte in a quoted line or a file name; text stays on its lines, JSON and SARIF "
        "stay whole") {
        Checker checker(CheckOptions{});
        std::string broken = test::read_file(test::source_dir() + "/tests/data/check/broken/131.conf");
        FileResult clean_errors = checker.check_text(broken, "configs/131.conf");
        REQUIRE(clean_errors.findings.size() == 5);  // 4 errors and pve-efidisk-missing
        for (const auto& bad : hostile_bytes(200)) {
            CAPTURE(bad);
            std::vector<FileResult> results;
            results.push_back(checker.check_text(
                "# caf" + bad + "\nhostpci0: 0000:00:1F.3" + bad + "\nname: a" + bad + "\n",
                "configs/1" + bad + "01.conf", InputKind::PveConf));
            results.push_back(clean_errors);
            size_t findings = results[0].findings.size() + results[1].findings.size();
            REQUIRE(!results[0].findings.empty());

            std::string text = format_text(results);
            CHECK(terminal_safe(text));
            CHECK(count_lines(text) ==
                  2 * findings + 1);  // each finding: its line and its hint; then the summary

            // JSON and SARIF: one document that parses and holds every finding of both files.
            nlohmann::json json = nlohmann::json::parse(format_json(results));
            CHECK(json["findings"].size() == findings);
            nlohmann::json sarif = nlohmann::json::parse(format_sarif(results));
            CHECK(sarif["runs"][0]["results"].size() == findings);
        }
    }

    TEST_CASE("host scan and host check: sysfs strings reach the terminal escaped and the JSON whole") {
        HostTree tree("gt1030");
        auto profiles = test::test_profiles();
        Vm vm = gt1030_vm();
        PciNames names;
        for (const auto& bad : hostile_bytes(100)) {
            CAPTURE(bad);
            tree.write(std::string(kGpuDir) + "reset_method", "flr" + bad + "bus\n");
            fs::remove_all(tree.path("sys/class/iommu"));
            fs::create_directories(tree.path("sys/class/iommu"));
            if (bad.find('/') == std::string::npos)
                fs::create_directories(tree.path("sys/class/iommu/dmar" + bad));
            Host host = tree.read();
            std::string scan = host_scan_text(host, names, true);
            CHECK(terminal_safe(scan));
            CHECK(nlohmann::json::parse(host_scan_json(host, names, true))["devices"].size() ==
                  host.devices.size());
            auto findings = check_host(host, vm, names);
            std::string text = format_findings_text(findings);
            CHECK(terminal_safe(text));
            size_t problems = std::count_if(findings.begin(), findings.end(),
                                            [](const HostFinding& f) { return f.status != CheckStatus::Pass; });
            std::ostringstream json;
            write_host_report(findings, vm.file, ReportFormat::Json, false, json, false);
            CHECK(nlohmann::json::parse(json.str())["findings"].size() == problems);
            std::ostringstream report;
            write_host_report(findings, vm.file, ReportFormat::Text, false, report, false);
            CHECK(terminal_safe(report.str()));
        }
    }

    TEST_CASE("error messages: a file name or value with control characters prints on one line") {
        for (const auto& bad : hostile_bytes(100)) {
            CAPTURE(bad);
            Diagnostic d{Mark{"vm" + bad + ".yaml", 3, 7}, Severity::Error,
                         "'name' must be a DNS name, got 'a" + bad + "'"};
            CHECK(terminal_safe(d.str()));
            CHECK(d.str().find('\n') == std::string::npos);
            std::string error = load_error_text("name: test\nvmid: 100\nostype: \"w" + bad + "\"\n");
            CHECK(terminal_safe(error));
        }
    }

    TEST_CASE(
        "check: XML libvirt's parser refuses is unreadable, with libxml2's position; XML it reads is "
        "checked") {
        Checker checker(CheckOptions{});
        std::string good =
            test::read_file(test::source_dir() + "/tests/golden/libvirt-tesla-t10.libvirt.xml");
        auto replaced = [&](const std::string& from, const std::string& to) {
            std::string text = good;
            size_t at = text.find(from);
            REQUIRE(at != std::string::npos);
            return text.replace(at, from.size(), to);
        };
        const std::string refused[] = {
            good + "trailing text\n",
            good + "<domain type='kvm'/>\n",
            replaced("<name>", "<name>&undefined;"),
            replaced("<domain ", "<domain type='qemu' "),
            replaced("<name>", "<name>&#0;"),
            replaced("<name>", "<name>&#xFFFE;"),
            replaced("<name>", "<name>\xc0\xaf"),
            replaced("<name>", "<name>\xed\xa0\x80"),
        };
        for (const auto& text : refused) {
            CAPTURE(text);
            FileResult r = checker.check_text(text, "d.xml", InputKind::LibvirtXml);
            CHECK(r.unreadable);
            REQUIRE(r.findings.size() == 1);
            CHECK(r.findings[0].rule == "unreadable");
            CHECK(r.findings[0].mark.line > 0);
            CHECK(r.findings[0].message.rfind("XML is not well-formed: ", 0) == 0);
        }
        // libvirt reads these: a DOCTYPE with an internal entity, a declared Latin-1 encoding.
        for (const auto& text :
             {"<!DOCTYPE domain>\n" + good, "<?xml version='1.0' encoding='ISO-8859-1'?>\n" + good}) {
            CAPTURE(text);
            CHECK_FALSE(checker.check_text(text, "d.xml", InputKind::LibvirtXml).unreadable);
        }
    }

}  // TEST_SUITE("hostile")
