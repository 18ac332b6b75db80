// Untrusted text: strict UTF-8, XML 1.0 characters, escaping for terminals, U+FFFD for JSON; and
// the libxml2 read-back of XML vfiogen writes.
#include <doctest/doctest.h>

#include "base/strict_xml.h"
#include "base/text_escape.h"

using namespace vfiogen;

TEST_CASE("utf8_problem: Unicode table 3-7, boundaries on both sides") {
    CHECK_FALSE(utf8_problem("plain \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));
    CHECK_FALSE(
        utf8_problem("\xc2\x80\xdf\xbf\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80\xf0\x90\x80\x80\xf4\x8f\xbf\xbf"));
    struct Bad {
        const char* text;
        size_t offset;
    };
    for (const Bad& b : {Bad{"ab\xc0\x80", 2}, Bad{"\xc1\xbf", 0}, Bad{"x\xe0\x9f\xbf", 1},
                         Bad{"\xed\xa0\x80", 0}, Bad{"\xf0\x8f\xbf\xbf", 0}, Bad{"\xf4\x90\x80\x80", 0},
                         Bad{"\xf5\x80\x80\x80", 0}, Bad{"a\x80", 1}, Bad{"a\xe2\x82", 1}, Bad{"\xff", 0}}) {
        CAPTURE(b.text);
        auto p = utf8_problem(b.text);
        REQUIRE(p);
        CHECK(p->offset == b.offset);
    }
    CHECK(utf8_problem("ab\xc0\x80")->what == "the byte 0xC0 (not valid UTF-8)");
}

TEST_CASE("xml_char_problem: XML 1.0 Char") {
    CHECK_FALSE(xml_char_problem("tab\tlf\ncr\r \xef\xbf\xbd \xf4\x8f\xbf\xbd \xc2\x85"));
    CHECK(xml_char_problem("a\x01")->what == "U+0001 (a control character)");
    CHECK(xml_char_problem("ab\xef\xbf\xbe")->what == "U+FFFE (a Unicode non-character)");
    CHECK(xml_char_problem("ab\xef\xbf\xbe")->offset == 2);
    CHECK(xml_char_problem("\xef\xbf\xbf")->what == "U+FFFF (a Unicode non-character)");
    CHECK(xml_char_problem("\xed\xbf\xbf")->what == "the byte 0xED (not valid UTF-8)");
    CHECK(xml_char_problem(std::string("a\0b", 3))->what == "U+0000 (a control character)");
}

TEST_CASE("escape_control: controls, separators and bad bytes escaped; everything else kept") {
    CHECK(escape_control("0000:01:00.0 caf\xc3\xa9 \xe2\x82\xac [10de:1d01] a\\b") ==
          "0000:01:00.0 caf\xc3\xa9 \xe2\x82\xac [10de:1d01] a\\b");
    CHECK(escape_control("a\nb\rc\td\x1b[2J\x07\x7f") == "a\\nb\\rc\\td\\e[2J\\x07\\x7f");
    CHECK(escape_control("\xc2\x9b"
                         "31m \xc2\x85") == "\\u009b31m \\u0085");
    CHECK(escape_control("\xe2\x80\xa8 \xe2\x80\xae \xe2\x81\xa6") == "\\u2028 \\u202e \\u2066");
    CHECK(escape_control("\x9b"
                         "31m \xff\xc0\xaf") == "\\x9b31m \\xff\\xc0\\xaf");
}

TEST_CASE("to_valid_utf8: one U+FFFD per bad byte") {
    CHECK(to_valid_utf8("caf\xe9!") == "caf\xef\xbf\xbd!");
    CHECK(to_valid_utf8("\xed\xa0\x80") == "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
    CHECK(to_valid_utf8("ok \xc3\xa9") == "ok \xc3\xa9");
}

TEST_CASE(
    "strict_xml_error: libxml2's first error with its position, and vfiogen's own rules for written XML") {
    CHECK_FALSE(strict_xml_error("<domain type='kvm'><name>a</name></domain>\n"));
    auto e = strict_xml_error("<domain>\n<name>a</domain>\n");
    REQUIRE(e);
    CHECK(e->message == "Opening and ending tag mismatch: name line 2 and domain");
    CHECK(e->line == 2);
    CHECK(strict_xml_error("<a/>\n<b/>\n")->message == "Extra content at the end of the document");
    // Zero bytes: libxml2 makes no parser context for them; an error, not bad_alloc (the template fuzzer found it).
    REQUIRE(strict_xml_error(""));
    CHECK(strict_xml_error("")->message == "Document is empty");
    CHECK(strict_xml_error("<a>&x;</a>")->message == "Entity 'x' not defined");
    CHECK(strict_xml_error("<a b='1' b='2'/>")->message == "Attribute b redefined");
    CHECK(strict_xml_error("<a>&#0;</a>")->message == "xmlParseCharRef: invalid xmlChar value 0");
    CHECK(strict_xml_error("<!DOCTYPE a>\n<a/>")->message.rfind("a DOCTYPE is not allowed", 0) == 0);
    CHECK_FALSE(strict_xml_error("<!DOCTYPE a>\n<a/>", XmlOrigin::Foreign));
    CHECK(strict_xml_error("<?xml version='1.0' encoding='ISO-8859-1'?><a/>")->message ==
          "encoding 'ISO-8859-1' is declared, but vfiogen writes UTF-8");
    CHECK_FALSE(strict_xml_error("<?xml version='1.0' encoding='ISO-8859-1'?><a/>", XmlOrigin::Foreign));
    CHECK(strict_xml_error("<!-- nothing -->")->line >= 1);
}
