// libFuzzer target: the XML reader, libvirt's RelaxNG schema (libxml2) and the passthrough rules
// on any bytes. Only a not-well-formed document may throw (InputError).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/diagnostic.h"
#include "libvirt/libvirt_xml.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const vfiogen::DomainSchema schema;
    std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        vfiogen::XmlDocument doc(text, "fuzz.xml");
        schema.validate(text, doc);
        vfiogen::check_libvirt_domain(doc);
    } catch (const vfiogen::InputError&) {
    }
    return 0;
}
