// The final check on XML vfiogen writes: the text is read by libxml2, as libvirt reads domain
// XML (libvirt src/util/virxml.c virXMLParseHelper: xmlCtxtReadMemory with XML_PARSE_NONET), and
// must be one well-formed document in UTF-8 with no DTD.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace vfiogen {

// Where and why `text` is not what libvirt would read back. line and column are 1-based
// (column 0 when libxml2 does not know it).
struct XmlTextError {
    int line = 0;
    int column = 0;
    std::string message;  // libxml2's message without its trailing newline, or vfiogen's own
};

// The first problem libxml2 reports in `text` (text after the root element, a second root,
// an undefined entity, a repeated attribute, a character reference to a character XML does not
// allow such as &#0;, bytes that are not UTF-8...), or one of vfiogen's own: a DOCTYPE (libvirt
// domain XML has none, and internal entities would change what libvirt reads), an encoding
// declaration other than UTF-8, no root element. Nothing when the text is fine.
std::optional<XmlTextError> strict_xml_error(std::string_view text);

}  // namespace vfiogen
