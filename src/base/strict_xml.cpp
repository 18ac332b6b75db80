#include "base/strict_xml.h"

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>
#include <strings.h>

#include <climits>
#include <cstring>
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

struct SaxState {
    bool root = false;
    bool doctype = false;
};

void note_element(void* context, const xmlChar*, const xmlChar*, const xmlChar*, int, const xmlChar**, int,
                  int, const xmlChar**) {
    static_cast<SaxState*>(context)->root = true;
}

void note_doctype(void* context, const xmlChar*, const xmlChar*, const xmlChar*) {
    static_cast<SaxState*>(context)->doctype = true;
}

}  // namespace

std::optional<XmlTextError> strict_xml_error(std::string_view text, XmlOrigin origin) {
    if (text.size() > static_cast<size_t>(INT_MAX)) return XmlTextError{0, 0, "document too large"};
    // libxml2 makes no parser context for zero bytes (xmlCreateMemoryParserCtxt returns NULL).
    if (text.empty()) return XmlTextError{1, 1, "Document is empty"};
    // A SAX parse that builds no tree: libxml2's parser finds every well-formedness error
    // itself; the handler only notes a root element and a DOCTYPE. (A tree would cost `check`,
    // which renders and reads every VM file's XML, a fifth of its time.)
    SaxState state;
    auto* sax = static_cast<xmlSAXHandler*>(xmlMalloc(sizeof(xmlSAXHandler)));
    if (!sax) throw std::bad_alloc();
    std::memset(sax, 0, sizeof *sax);
    sax->initialized = XML_SAX2_MAGIC;
    sax->startElementNs = note_element;
    sax->internalSubset = note_doctype;
    std::unique_ptr<xmlParserCtxt, void (*)(xmlParserCtxtPtr)> ctxt(
        xmlCreateMemoryParserCtxt(text.data(), static_cast<int>(text.size())), xmlFreeParserCtxt);
    if (!ctxt) {
        xmlFree(sax);
        throw std::bad_alloc();
    }
    if (ctxt->sax) xmlFree(ctxt->sax);
    ctxt->sax = sax;  // freed with the context
    ctxt->userData = &state;
    xmlCtxtUseOptions(ctxt.get(),
                      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_BIG_LINES);
    // The error handler is libxml2's per-thread structured error callback, restored afterwards.
    FirstError first;
    xmlStructuredErrorFunc previous = xmlStructuredError;
    void* previous_context = xmlStructuredErrorContext;
    xmlSetStructuredErrorFunc(&first, record_first);
    xmlParseDocument(ctxt.get());
    xmlSetStructuredErrorFunc(previous_context, previous);
    if (!ctxt->wellFormed) {
        if (first.seen) return first.error;
        return XmlTextError{1, 0, "not well-formed XML"};
    }
    if (!state.root) return XmlTextError{1, 0, "no root element"};
    if (origin == XmlOrigin::Foreign) return std::nullopt;
    if (state.doctype)
        return XmlTextError{
            1, 0,
            "a DOCTYPE is not allowed: libvirt domain XML has none, and its entities would change what "
            "libvirt reads"};
    const xmlChar* encoding = ctxt->encoding ? ctxt->encoding : ctxt->input ? ctxt->input->encoding : nullptr;
    if (encoding && strcasecmp(reinterpret_cast<const char*>(encoding), "UTF-8") != 0)
        return XmlTextError{1, 0,
                            std::string("encoding '") + reinterpret_cast<const char*>(encoding) +
                                "' is declared, but vfiogen writes UTF-8"};
    return std::nullopt;
}

}  // namespace vfiogen
