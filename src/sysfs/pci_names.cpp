// The only file that includes libpci.
#include "sysfs/pci_names.h"

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <vector>

extern "C" {
#include <pci/pci.h>
}

namespace vfiogen {
namespace {

// libpci reports through callbacks; a missing pci.ids is a warning (names stay empty).
void ignore_message(char*, ...) {}

// Called for a malformed pci.ids: libpci requires this not to return.
// GNU noreturn, not [[noreturn]]: clang takes only the GNU attribute as part of the function type,
// which must match libpci's NONRET error pointer.
__attribute__((noreturn)) void fatal_message(char* format, ...) {
    std::va_list args;
    va_start(args, format);
    std::fputs("vfiogen: error: libpci: ", stderr);
    std::vfprintf(stderr, format, args);
    std::fputc('\n', stderr);
    va_end(args);
    std::exit(70);
}

constexpr int kFlags = PCI_LOOKUP_NO_NUMBERS | PCI_LOOKUP_NO_HWDB;

}  // namespace

struct PciNames::Impl {
    pci_access* access = nullptr;
    std::vector<char> ids_file;

    template <typename... Args>
    std::string lookup(int flags, Args... args) {
        char buf[512];
        const char* name = pci_lookup_name(access, buf, sizeof buf, flags | kFlags, static_cast<int>(args)...);
        return name ? name : "";
    }
};

PciNames::PciNames(const std::string& ids_file) : impl_(std::make_unique<Impl>()) {
    impl_->access = pci_alloc();
    impl_->access->error = fatal_message;
    impl_->access->warning = ignore_message;
    impl_->access->debug = ignore_message;
    if (!ids_file.empty()) {
        impl_->ids_file.assign(ids_file.begin(), ids_file.end());
        impl_->ids_file.push_back('\0');
        pci_set_name_list_path(impl_->access, impl_->ids_file.data(), 0);
    }
}

PciNames::~PciNames() { pci_cleanup(impl_->access); }

std::string PciNames::vendor(unsigned vendor) { return impl_->lookup(PCI_LOOKUP_VENDOR, vendor); }

std::string PciNames::device(unsigned vendor, unsigned device) {
    return impl_->lookup(PCI_LOOKUP_DEVICE, vendor, device);
}

std::string PciNames::subsystem(unsigned vendor, unsigned device, unsigned sub_vendor, unsigned sub_device) {
    std::string name = impl_->lookup(PCI_LOOKUP_SUBSYSTEM | PCI_LOOKUP_DEVICE, vendor, device, sub_vendor, sub_device);
    if (!name.empty()) return name;
    // Like lspci: without a subsystem entry, name the subsystem vendor alone.
    std::string v = impl_->lookup(PCI_LOOKUP_SUBSYSTEM | PCI_LOOKUP_VENDOR, sub_vendor);
    return v.empty() ? "" : v + " Device";
}

std::string PciNames::class_name(unsigned class16) { return impl_->lookup(PCI_LOOKUP_CLASS, class16); }

}  // namespace vfiogen
