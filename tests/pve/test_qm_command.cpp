#include <doctest/doctest.h>

#include <cstdio>
#include <string>

#include "pve/qm_command.h"

using namespace vfiogen;

namespace {

// What `sh -c 'printf %s WORD'` prints for the shell word `word` (real /bin/sh).
std::string sh_reads(const std::string& word) {
    std::string command = "sh -c " + shell_quote("printf %s " + word);
    FILE* pipe = popen(command.c_str(), "r");
    REQUIRE(pipe);
    std::string out;
    char buf[256];
    for (size_t n; (n = fread(buf, 1, sizeof buf, pipe)) > 0;) out.append(buf, n);
    pclose(pipe);
    return out;
}

}  // namespace

TEST_CASE("shell_quote gives one word sh reads back exactly") {
    CHECK(shell_quote("order=scsi0;net0") == "'order=scsi0;net0'");
    CHECK(shell_quote("it's") == "'it'\\''s'");
    CHECK(shell_quote("") == "''");
    for (std::string word :
         {std::string("order=scsi0;net0"), std::string("it's $HOME `id` \\ \"x\" *"), std::string("''"),
          std::string("a\nb\tc"), std::string("-set device.hostpci0.x-igd-gms=0x2")})
        CHECK(sh_reads(shell_quote(word)) == word);
}

TEST_CASE("qm_command lays out options on one line or one per line") {
    std::vector<QmOption> options = {{"cpu", "host,hidden=1"}, {"delete", "hostpci4"}};
    CHECK(qm_command("set", 120, options, false) == "qm set 120 --cpu 'host,hidden=1' --delete 'hostpci4'");
    CHECK(qm_command("create", 120, options, true) ==
          "qm create 120 \\\n  --cpu 'host,hidden=1' \\\n  --delete 'hostpci4'");
}
