#include <doctest/doctest.h>

#include "pve/pve_conf_edit.h"
#include "test_helpers.h"

using namespace vfiogen;

TEST_CASE(
    "the editor keeps every byte it does not change: CRLF lines, a last line without newline, sections") {
    std::string conf = "#notes\r\nbios: seabios\r\ncores: 2\r\nvga: std\n\n[snap]\nbios: seabios\nvga: std";
    PveConfEditor e(conf, "100.conf");
    CHECK(e.text() == conf);
    e.set("bios", "ovmf");            // replaced in place, keeping its CRLF
    e.set("cores", "2");              // the same value: no change
    e.set("hostpci0", "0000:01:00");  // sorts between cores and vga
    e.set("zzz", "1");  // sorts last: after the current config's last key, before the blank line
    e.remove("vga");    // only the current config's vga
    CHECK(e.text() ==
          "#notes\r\nbios: ovmf\r\ncores: 2\r\nhostpci0: 0000:01:00\nzzz: 1\n\n[snap]\nbios: seabios\nvga: "
          "std");
    CHECK(e.changes() ==
          std::map<std::string, std::string>{{"bios", "ovmf"}, {"hostpci0", "0000:01:00"}, {"zzz", "1"}});
}

TEST_CASE("the editor reads [PENDING] keys and delete: lists, and refuses lines qemu-server cannot parse") {
    PveConfEditor e(
        "cores: 2\n\n[pending]\nmemory: 4096\ndelete: vga;!cpu net0\n\n[snap]\nhostpci0: 01:00.0\n",
        "100.conf");
    auto keys = e.pending_keys();
    CHECK(keys.size() == 4);
    CHECK(keys.count("memory"));
    CHECK(keys.count("vga"));
    CHECK(keys.count("cpu"));
    CHECK(keys.count("net0"));
    CHECK_FALSE(keys.count("hostpci0"));  // a snapshot is no pending change
    CHECK(test::input_error_text([] { PveConfEditor("cores: 2\nnot a line\n", "100.conf"); }) ==
          "100.conf:2:1: error: qemu-server cannot parse this line (\"unable to parse config\"); fix it "
          "before attaching");
}
