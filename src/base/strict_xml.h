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

// Whose text is read: XML vfiogen writes follows vfiogen's own rules on top of libxml2's;
// a file given to `check` only has to be one libvirt can read.
enum class XmlOrigin { Written, Foreign };

// The first problem libxml2 reports in `text` (text after the root element, a second root,
// an undefined entity, a repeated attribute, a character reference to a character XML does not
// allow such as &#0;, bytes that are not UTF-8...), or no root element. For Written text also
// vfiogen's own rules: no DOCTYPE (libvirt domain XML has none, and internal entities would
// change what libvirt reads), no encoding declaration other than UTF-8. Nothing when it is fine.
std::optional<XmlTextError> strict_xml_error(std::string_view text, XmlOrigin origin = XmlOrigin::Written);

}  // namespace vfiogen
