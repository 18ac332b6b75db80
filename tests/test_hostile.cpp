// The hostile-input suite (issue 17, docs/SECURITY.md): every class of input that once reached
// a consumer (libvirt, modprobe, a YAML reader, a terminal, a JSON reader) as something other
// than what vfiogen meant, tried with generated values rather than one example each. Run alone
// with `vfiogen_tests --test-suite=hostile` (ctest: `hostile`).
#include <doctest/doctest.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "render.h"
#include "strict_xml.h"
#include "templates.h"
#include "test_helpers.h"
#include "text_escape.h"

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
    {"name: vm\ndisks:\n  - bus: virtio\n    path: VALUE\n", 4},
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

}  // TEST_SUITE("hostile")
