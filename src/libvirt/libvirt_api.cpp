// The only file that includes the libvirt header (see libvirt_api.h).
#include "libvirt/libvirt_api.h"

#include <mutex>
#include <thread>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

namespace vfiogen {

static_assert(kLibvirtErrNoSupport == VIR_ERR_NO_SUPPORT);
static_assert(kLibvirtErrOperationDenied == VIR_ERR_OPERATION_DENIED);
static_assert(kLibvirtErrOperationUnsupported == VIR_ERR_OPERATION_UNSUPPORTED);

namespace {

// libvirt prints every error to stderr by default; vfiogen reports them itself, once.
void ignore_error(void*, virErrorPtr) {}

[[noreturn]] void throw_last_error(const std::string& fallback) {
    virErrorPtr err = virGetLastError();
    std::string message = err && err->message ? err->message : fallback;
    int code = err ? err->code : 0;
    virResetLastError();
    throw LibvirtError(message, code);
}

// libvirt's default event loop on a background thread, started once per process. The
// embedded QEMU driver needs a running loop to talk to its QEMU monitors; virsh does the same.
void start_event_loop() {
    static std::once_flag once;
    std::call_once(once, [] {
        virSetErrorFunc(nullptr, ignore_error);
        if (virEventRegisterDefaultImpl() < 0) throw_last_error("cannot start libvirt's event loop");
        std::thread([] {
            for (;;) virEventRunDefaultImpl();
        }).detach();
    });
}

struct DomainRef {
    virDomainPtr ptr;
    ~DomainRef() {
        if (ptr) virDomainFree(ptr);
    }
};

}  // namespace

struct LibvirtConnection::Handle {
    virConnectPtr conn = nullptr;
    ~Handle() {
        if (conn) virConnectClose(conn);
    }

    DomainRef domain(const std::string& name) const {
        DomainRef d{virDomainLookupByName(conn, name.c_str())};
        if (!d.ptr) throw_last_error("no domain '" + name + "'");
        return d;
    }
};

LibvirtConnection::LibvirtConnection(std::unique_ptr<Handle> handle) : handle_(std::move(handle)) {}
LibvirtConnection::LibvirtConnection(LibvirtConnection&&) noexcept = default;
LibvirtConnection& LibvirtConnection::operator=(LibvirtConnection&&) noexcept = default;
LibvirtConnection::~LibvirtConnection() = default;

LibvirtConnection LibvirtConnection::open(const std::string& uri, bool read_only) {
    start_event_loop();
    auto handle = std::make_unique<Handle>();
    const char* name = uri.empty() ? nullptr : uri.c_str();
    handle->conn = read_only ? virConnectOpenReadOnly(name) : virConnectOpen(name);
    if (!handle->conn) throw_last_error("cannot connect to '" + uri + "'");
    return LibvirtConnection(std::move(handle));
}

std::string LibvirtConnection::uri() const {
    char* s = virConnectGetURI(handle_->conn);
    if (!s) throw_last_error("cannot read the connection's URI");
    std::string out = s;
    free(s);
    return out;
}

std::string LibvirtConnection::driver() const {
    const char* type = virConnectGetType(handle_->conn);
    if (!type) throw_last_error("cannot read the connection's driver");
    return type;
}

bool LibvirtConnection::is_test_driver() const {
    std::string type = driver();
    return type == "TEST" || type == "Test";
}

bool LibvirtConnection::is_local() const {
    std::string u = uri();
    auto scheme_end = u.find("://");
    return scheme_end != std::string::npos && u.compare(scheme_end + 3, 1, "/") == 0;
}

std::optional<DomainInfo> LibvirtConnection::lookup_domain(const std::string& name) const {
    DomainRef d{virDomainLookupByName(handle_->conn, name.c_str())};
    if (!d.ptr) {
        virErrorPtr err = virGetLastError();
        if (err && err->code == VIR_ERR_NO_DOMAIN) {
            virResetLastError();
            return std::nullopt;
        }
        throw_last_error("cannot look up domain '" + name + "'");
    }
    DomainInfo info;
    info.name = name;
    char uuid[VIR_UUID_STRING_BUFLEN];
    if (virDomainGetUUIDString(d.ptr, uuid) < 0) throw_last_error("cannot read the UUID of '" + name + "'");
    info.uuid = uuid;
    int active = virDomainIsActive(d.ptr);
    if (active < 0) throw_last_error("cannot read the state of '" + name + "'");
    info.active = active == 1;
    char* xml = virDomainGetXMLDesc(d.ptr, VIR_DOMAIN_XML_INACTIVE);
    if (!xml) throw_last_error("cannot read the definition of '" + name + "'");
    info.inactive_xml = xml;
    free(xml);
    return info;
}

std::string LibvirtConnection::define(const std::string& xml) const {
    DomainRef d{virDomainDefineXMLFlags(handle_->conn, xml.c_str(), VIR_DOMAIN_DEFINE_VALIDATE)};
    if (!d.ptr) throw_last_error("define failed");
    const char* name = virDomainGetName(d.ptr);
    return name ? name : "";
}

void LibvirtConnection::start(const std::string& name) const {
    DomainRef d = handle_->domain(name);
    if (virDomainCreate(d.ptr) < 0) throw_last_error("start failed");
}

void LibvirtConnection::destroy(const std::string& name) const {
    DomainRef d = handle_->domain(name);
    if (virDomainDestroy(d.ptr) < 0) throw_last_error("destroy failed");
}

void LibvirtConnection::undefine(const std::string& name) const {
    DomainRef d = handle_->domain(name);
    if (virDomainUndefineFlags(d.ptr, VIR_DOMAIN_UNDEFINE_NVRAM) < 0) throw_last_error("undefine failed");
}

std::string LibvirtConnection::domain_xml_to_native(const std::string& xml) const {
    char* argv = virConnectDomainXMLToNative(handle_->conn, "qemu-argv", xml.c_str(), 0);
    if (!argv) throw_last_error("domain XML to native failed");
    std::string out = argv;
    free(argv);
    return out;
}

bool LibvirtConnection::node_device_exists(const std::string& name) const {
    virNodeDevicePtr dev = virNodeDeviceLookupByName(handle_->conn, name.c_str());
    if (dev) {
        virNodeDeviceFree(dev);
        return true;
    }
    virErrorPtr err = virGetLastError();
    if (err && err->code == VIR_ERR_NO_NODE_DEVICE) {
        virResetLastError();
        return false;
    }
    throw_last_error("cannot look up node device '" + name + "'");
}

std::string LibvirtConnection::domain_capabilities(const std::string& machine, const std::string& virttype) const {
    char* xml = virConnectGetDomainCapabilities(handle_->conn, nullptr, "x86_64",
                                                machine.empty() ? nullptr : machine.c_str(), virttype.c_str(), 0);
    if (!xml) throw_last_error("cannot read domain capabilities");
    std::string out = xml;
    free(xml);
    return out;
}

std::string installed_libvirt_version() {
    unsigned long version = 0;
    if (virGetVersion(&version, nullptr, nullptr) != 0 || version == 0) return "";
    return std::to_string(version / 1000000) + "." + std::to_string(version / 1000 % 1000) + "." + std::to_string(version % 1000);
}

}  // namespace vfiogen
