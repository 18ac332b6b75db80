#include <doctest/doctest.h>

#include "model/pci_address.h"

using namespace vfiogen;

TEST_CASE("PCI addresses parse in every form qemu-server and lspci print") {
    std::string err;
    auto full = parse_pci_address("0000:01:00.1", &err);
    REQUIRE(full);
    CHECK(full->bus == 1);
    CHECK(full->device == 0);
    CHECK(full->function == 1u);
    CHECK(full->str() == "0000:01:00.1");

    auto short_form = parse_pci_address("00:1F.3", &err);
    REQUIRE(short_form);
    CHECK(short_form->str() == "0000:00:1f.3");  // domain defaults to 0000, printed lowercase

    auto device = parse_pci_address("0000:01:00", &err);
    REQUIRE(device);
    CHECK_FALSE(device->function);
    CHECK(device->str() == "0000:01:00");
    CHECK(device->same_device(*full));
}

TEST_CASE("malformed PCI addresses are refused with the reason") {
    std::string err;
    CHECK_FALSE(parse_pci_address("0000:01:00.8", &err));
    CHECK(err == "PCI function 8 in '0000:01:00.8' is out of range 0-7");
    CHECK_FALSE(parse_pci_address("01:20.0", &err));
    CHECK(err == "PCI device (slot) 0x20 in '01:20.0' is out of range 00-1f");
    CHECK_FALSE(parse_pci_address("1:00.0", &err));
    CHECK(err == "malformed PCI address '1:00.0': expected [dddd:]bb:dd[.f] in hexadecimal, e.g. 0000:01:00.0");
    CHECK_FALSE(parse_pci_address("zz:01:00.0", &err));
    CHECK(err == "malformed PCI domain in 'zz:01:00.0': expected [dddd:]bb:dd[.f] in hexadecimal, e.g. 0000:01:00.0");
    CHECK_FALSE(parse_pci_address("00:02.0;00:03.0", &err));
    CHECK_FALSE(parse_pci_address("", &err));
}

TEST_CASE("PCI vendor:device IDs") {
    std::string err;
    auto id = parse_pci_id("10DE:1d01", &err);
    REQUIRE(id);
    CHECK(id->str() == "10de:1d01");
    CHECK_FALSE(parse_pci_id("10de1d01", &err));
    CHECK(err == "malformed PCI ID '10de1d01': expected vendor:device as 4+4 hex digits, e.g. 10de:1d01");
    CHECK_FALSE(parse_pci_id("10de:1d0", &err));
}
