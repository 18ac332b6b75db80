#include "strict_xml.h"

#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <strings.h>

#include <climits>
#include <memory>

namespace vfiogen {
namespace {

// libxml2 goes on after the first error and reports what follows from it; the first one is
// the one to show ("tag mismatch", not "premature end of data").
struct FirstError {
    bool seen = false;
    XmlTextError error;
};

void record_first(void* context, xmlErrorPtr e) {
    auto* first = static_cast<FirstError*>(context);
    if (first->seen || !e || e->level < XML_ERR_ERROR) return;
    first->seen = true;
    first->error.message = e->message ? e->message : "not well-formed XML";
    while (!first->error.message.empty() &&
           (first->error.message.back() == '\n' || first->error.message.back() == ' '))
        first->error.message.pop_back();
    first->error.line = e->line;
    first->error.column = e->int2;
}

}  // namespace

std::optional<XmlTextError> strict_xml_error(std::string_view text, XmlOrigin origin) {
    if (text.size() > static_cast<size_t>(INT_MAX)) return XmlTextError{0, 0, "document too large"};
    std::unique_ptr<xmlParserCtxt, void (*)(xmlParserCtxtPtr)> ctxt(xmlNewParserCtxt(), xmlFreeParserCtxt);
    if (!ctxt) throw std::bad_alloc();
    // The handler is libxml2's per-thread structured error callback, restored before returning.
    FirstError first;
    xmlStructuredErrorFunc previous = xmlStructuredError;
    void* previous_context = xmlStructuredErrorContext;
    xmlSetStructuredErrorFunc(&first, record_first);
    std::unique_ptr<xmlDoc, void (*)(xmlDocPtr)> doc(
        xmlCtxtReadMemory(ctxt.get(), text.data(), static_cast<int>(text.size()), nullptr, nullptr,
                          XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_BIG_LINES),
        xmlFreeDoc);
    xmlSetStructuredErrorFunc(previous_context, previous);
    if (!doc || !ctxt->wellFormed) {
        if (first.seen) return first.error;
        return XmlTextError{1, 0, "not well-formed XML"};
    }
    if (!xmlDocGetRootElement(doc.get())) return XmlTextError{1, 0, "no root element"};
    if (origin == XmlOrigin::Foreign) return std::nullopt;
    if (doc->intSubset || doc->extSubset)
        return XmlTextError{
            1, 0,
            "a DOCTYPE is not allowed: libvirt domain XML has none, and its entities would change what "
            "libvirt reads"};
    if (doc->encoding && strcasecmp(reinterpret_cast<const char*>(doc->encoding), "UTF-8") != 0)
        return XmlTextError{1, 0,
                            std::string("encoding '") + reinterpret_cast<const char*>(doc->encoding) +
                                "' is declared, but vfiogen writes UTF-8"};
    return std::nullopt;
}

}  // namespace vfiogen
