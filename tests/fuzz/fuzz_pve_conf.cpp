// libFuzzer target: the qemu-server conf lexer, model and rules on any bytes. They never throw,
// and the reports of their findings survive any byte (issue 17): JSON and SARIF are written
// (non-UTF-8 replaced), and the text report holds no control character but its line breaks.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "check_report.h"
#include "pve_check.h"
#include "pve_conf.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    vfiogen::FileResult result{"fuzz\x1b.conf", vfiogen::InputKind::PveConf, false,
                               vfiogen::check_pve_conf(vfiogen::parse_pve_conf(text, "fuzz\x1b.conf"))};
    std::vector<vfiogen::FileResult> results{result};
    vfiogen::format_json(results);
    vfiogen::format_sarif(results);
    for (char c : vfiogen::format_text(results))
        if ((static_cast<unsigned char>(c) < 0x20 && c != '\n') || c == 0x7f) std::abort();
    vfiogen::parse_property_string(text, "host");
    return 0;
}
