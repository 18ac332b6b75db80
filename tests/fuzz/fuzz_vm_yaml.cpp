// libFuzzer target: the VM file loader and both renderings on any bytes. Bad input must end as
// an InputError; anything else (a crash, a sanitizer report, another exception) is a bug, and so
// is a VM file the loader accepts whose domain XML libvirt could not read (issue 17: the built-in
// template with accepted values must always pass the libxml2 read-back), or whose domain XML
// libvirt's RelaxNG schema refuses (`check` relies on it and leaves its own renderings out of
// RelaxNG, issue 13).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "app/render.h"
#include "libvirt/libvirt_xml.h"
#include "base/diagnostic.h"
#include "model/profile.h"
#include "model/vm.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static vfiogen::ProfileLibrary profiles(
        {VFIOGEN_SOURCE_DIR "/tests/data/profiles", VFIOGEN_SOURCE_DIR "/profiles"});
    static const vfiogen::TemplateSet templates;
    static const vfiogen::DomainSchema schema;
    std::string text(reinterpret_cast<const char*>(data), size);
    try {
        vfiogen::Vm vm = vfiogen::load_vm_text(text, "fuzz.yaml", profiles);
        for (auto target : {vfiogen::Target::Pve, vfiogen::Target::Libvirt}) {
            try {
                std::string text = vfiogen::render(vm, target, templates).text;
                if (target == vfiogen::Target::Libvirt) {
                    vfiogen::XmlDocument doc(text, "fuzz.xml");
                    if (!schema.validate(text, doc).empty()) std::abort();
                }
            } catch (const vfiogen::InputError& e) {
                if (std::string(e.what()).find("libvirt cannot read") != std::string::npos) std::abort();
            }
        }
    } catch (const vfiogen::InputError&) {
    }
    return 0;
}
