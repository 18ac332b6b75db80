// libFuzzer target: a --templates override on any bytes, through vfiogen's nesting scan and
// kainjow's Mustache parser and renderer, for every target with a seed example's data. Bad
// templates must end as an InputError; a crash (deep recursion), a sanitizer report or another
// exception is a bug.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>

#include "app/render.h"
#include "base/diagnostic.h"
#include "model/profile.h"
#include "model/vm.h"

namespace {

// One directory for the run; each input overwrites its three template files.
const std::string& template_dir() {
    static const std::string dir = [] {
        char name[] = "/tmp/vfiogen-fuzz-template-XXXXXX";
        if (!mkdtemp(name)) std::abort();
        return std::string(name);
    }();
    return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static vfiogen::ProfileLibrary profiles({VFIOGEN_SOURCE_DIR "/profiles"});
    static const vfiogen::Vm vm = vfiogen::load_vm(VFIOGEN_SOURCE_DIR "/examples/pve-intel-igd-gen12.yaml", profiles);
    for (const char* name : {"pve.conf.mustache", "pve-snippet.conf.mustache", "libvirt.xml.mustache"})
        std::ofstream(template_dir() + "/" + name, std::ios::binary | std::ios::trunc)
            .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    vfiogen::TemplateSet templates(template_dir());
    for (auto target : {vfiogen::Target::Pve, vfiogen::Target::PveSnippet, vfiogen::Target::Libvirt}) {
        try {
            vfiogen::render(vm, target, templates);
        } catch (const vfiogen::InputError&) {
        }
    }
    return 0;
}
