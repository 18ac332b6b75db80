// Inline suppressions: which comments count, which line they cover, what stays.
#include <doctest/doctest.h>

#include <algorithm>

#include "app/check.h"
#include "test_helpers.h"

using namespace vfiogen;

namespace {

// "LINE rule" for each finding of `text` checked as `path`.
std::vector<std::string> found(const std::string& text, const std::string& path) {
    Checker checker(CheckOptions{});
    std::vector<std::string> out;
    for (const auto& f : checker.check_text(text, path).findings) out.push_back(std::to_string(f.mark.line) + " " + f.rule);
    return out;
}

}  // namespace

TEST_CASE("a conf suppression is a whole # line above; a # after a value is part of the value") {
    const std::string bad = "hostpci0: 0000:01:00,pcie=1\nmachine: pc-i440fx-8.0\n";
    CHECK(found(bad, "100.conf") == std::vector<std::string>{"1 pve-pcie-q35"});
    CHECK(found("# vfiogen: ignore=pve-pcie-q35\n" + bad, "100.conf").empty());
    CHECK(found("#vfiogen:ignore=pve-unknown-key,pve-pcie-q35\n" + bad, "100.conf") ==
          std::vector<std::string>{"1 suppression-unused"});  // the unused id is reported, the other works
    // qemu-server takes only a '#' in the first column for a comment: "  #..." is a bad line.
    CHECK(found("  # vfiogen: ignore=pve-pcie-q35\n" + bad, "100.conf") ==
          std::vector<std::string>{"1 pve-syntax", "2 pve-pcie-q35"});
    // qemu-server reads "hostpci0: ... # vfiogen: ..." as the value: no suppression.
    CHECK(found("hostpci0: 0000:01:00,pcie=1 # vfiogen: ignore=pve-pcie-q35\nmachine: pc-i440fx-8.0\n", "100.conf") ==
          std::vector<std::string>{"1 pve-property"});  // 'pcie' must be a boolean, got '1 # vfiogen: ...'

    // Only the line right below: a blank line in between ends it.
    CHECK(found("# vfiogen: ignore=pve-pcie-q35\n\n" + bad, "100.conf") ==
          std::vector<std::string>{"3 pve-pcie-q35", "1 suppression-unused"});
}

TEST_CASE("YAML and XML suppressions: at the end of the line or alone above it") {
    const std::string vm = "name: vm\nvmid: 100\nmachine:\n  type: q35\npassthrough:\n  - profile: nvidia-gt1030";
    const std::string functions = "\n    functions:\n      - {role: gpu, host: \"01:00.0\"}\n";
    auto check_vm = [&](const std::string& text) {
        CheckOptions options;
        options.profile_dirs = {test::source_dir() + "/profiles"};
        Checker c(options);
        std::vector<std::string> out;
        for (const auto& f : c.check_text(text, "vm.yaml").findings) out.push_back(std::to_string(f.mark.line) + " " + f.rule);
        return out;
    };
    CHECK(check_vm(vm + functions) == std::vector<std::string>{"6 gpu-without-audio"});
    CHECK(check_vm(vm + "  # vfiogen: ignore=gpu-without-audio" + functions).empty());
    CHECK(check_vm("name: vm\nvmid: 100\nmachine:\n  type: q35\npassthrough:\n  # vfiogen: ignore=gpu-without-audio\n"
                   "  - profile: nvidia-gt1030" + functions)
              .empty());
    // '#' inside a word is no comment.
    CHECK(check_vm("name: vm\nvmid: 100\ndescription: \"a#vfiogen: ignore=x\"\n").empty());

    const std::string xml_head = "<domain type='kvm'>\n  <name>t</name>\n  <memory unit='MiB'>1024</memory>\n  <os>\n"
                                 "    <type arch='x86_64' machine='pc-q35-7.2'>hvm</type>\n";
    const std::string loader = "    <loader readonly='yes' secure='yes' type='pflash'>/x.fd</loader>";
    const std::string xml_tail = "\n  </os>\n  <devices>\n  </devices>\n</domain>\n";
    CHECK(found(xml_head + loader + xml_tail, "d.xml") == std::vector<std::string>{"6 lv-secboot-smm"});
    CHECK(found(xml_head + loader + " <!-- vfiogen: ignore=lv-secboot-smm -->" + xml_tail, "d.xml").empty());
    // A comment with other text after it on the line is not a suppression of the next line.
    CHECK(found(xml_head + "    <!-- vfiogen: ignore=lv-secboot-smm --> <x/>\n" + loader + xml_tail, "d.xml").size() >= 1);
}
