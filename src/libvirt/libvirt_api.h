// The libvirt C API, behind one small class. This header does not include <libvirt/libvirt.h>;
// libvirt_api.cpp is the only file in vfiogen that does (STYLE.md habit 8).
//
// Every failing call throws LibvirtError carrying libvirt's own message and error code
// (virErrorNumber); callers prefix it with what they were doing ("define 'win10' on URI: ...").
#pragma once

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

namespace vfiogen {

// libvirt error codes vfiogen tells apart (virErrorNumber; checked against virterror.h in
// libvirt_api.cpp): the driver does not implement the call, or this connection may not make it.
constexpr int kLibvirtErrNoSupport = 3;               // VIR_ERR_NO_SUPPORT
constexpr int kLibvirtErrOperationDenied = 29;        // VIR_ERR_OPERATION_DENIED (read-only connection)
constexpr int kLibvirtErrOperationUnsupported = 84;  // VIR_ERR_OPERATION_UNSUPPORTED

class LibvirtError : public std::runtime_error {
public:
    LibvirtError(std::string message, int code) : std::runtime_error(std::move(message)), code_(code) {}
    int code() const { return code_; }  // libvirt virErrorNumber (3 = no support, 42 = no domain, ...); 0 when unknown

private:
    int code_;
};

// The release of the libvirt library vfiogen runs with ("9.0.0", virGetVersion); "" when unknown.
// Debian installs its schemas (/usr/share/libvirt/schemas) with the same release.
std::string installed_libvirt_version();

// A domain as libvirt holds it.
struct DomainInfo {
    std::string name;
    std::string uuid;          // "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"
    bool active = false;       // running or paused
    std::string inactive_xml;  // virDomainGetXMLDesc(VIR_DOMAIN_XML_INACTIVE): the next-start definition
};

// One open connection (virConnectPtr). Move-only; closes on destruction.
class LibvirtConnection {
public:
    // Opens `uri` ("" = libvirt's default: LIBVIRT_DEFAULT_URI, then its own choice, as virsh).
    // `read_only` opens with virConnectOpenReadOnly (libvirt then refuses domain capabilities).
    // Registers libvirt's default event loop and runs it on a background thread first: the
    // embedded QEMU driver (qemu:///embed?root=DIR) needs it to talk to QEMU.
    // Throws LibvirtError when libvirt cannot connect.
    static LibvirtConnection open(const std::string& uri, bool read_only);

    LibvirtConnection(LibvirtConnection&&) noexcept;
    LibvirtConnection& operator=(LibvirtConnection&&) noexcept;
    ~LibvirtConnection();

    // The canonical URI of the open connection (virConnectGetURI), e.g. "qemu:///system".
    std::string uri() const;
    // The hypervisor driver (virConnectGetType): "QEMU", "Test", ...
    std::string driver() const;
    // virConnectGetVersion: the hypervisor's version as major * 1,000,000 + minor * 1,000 + micro
    // (the QEMU driver: QEMU's, 7002000 for 7.2.0); 0 when the driver does not say.
    unsigned long hypervisor_version() const;
    // True for libvirt's in-process test driver, which has no real host behind it.
    bool is_test_driver() const;
    // True when the connection reaches this machine (no host part in the URI), so local files
    // such as ROM images are the ones the hypervisor will open.
    bool is_local() const;

    // The domain called `name`, or nullopt when there is none.
    std::optional<DomainInfo> lookup_domain(const std::string& name) const;
    // virDomainDefineXMLFlags with VIR_DOMAIN_DEFINE_VALIDATE (libvirt checks the XML against its
    // RelaxNG schema instead of silently dropping unknown elements). A domain of the same name and
    // UUID is updated in place. Returns the defined domain's name.
    std::string define(const std::string& xml) const;
    // virDomainCreate on the defined domain `name`.
    void start(const std::string& name) const;
    // virDomainDestroy (hard power-off) of the running domain `name`.
    void destroy(const std::string& name) const;
    // virDomainUndefineFlags, also removing NVRAM (tests clean up with it).
    void undefine(const std::string& name) const;

    // virConnectDomainXMLToNative(conn, "qemu-argv", xml): the QEMU command line libvirt would run.
    std::string domain_xml_to_native(const std::string& xml) const;
    // virNodeDeviceLookupByName: whether the host has node device `name` (e.g. "pci_0000_01_00_0").
    bool node_device_exists(const std::string& name) const;
    // virConnectGetDomainCapabilities for x86_64 with `machine` ("" = default) and `virttype`
    // ("kvm" | "qemu"): the domain capabilities XML. Throws LibvirtError when the host offers
    // no such machine or virtualization type, or the driver cannot tell (test driver).
    std::string domain_capabilities(const std::string& machine, const std::string& virttype) const;

private:
    struct Handle;
    explicit LibvirtConnection(std::unique_ptr<Handle> handle);
    std::unique_ptr<Handle> handle_;
};

}  // namespace vfiogen
