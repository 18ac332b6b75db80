// The only file that includes the libvirt header (see libvirt_api.h).
#include "libvirt/libvirt_api.h"

#include <dlfcn.h>

#include <mutex>
#include <string>
#include <type_traits>
#include <thread>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

namespace vfiogen {

static_assert(kLibvirtErrNoSupport == VIR_ERR_NO_SUPPORT);
static_assert(kLibvirtErrOperationDenied == VIR_ERR_OPERATION_DENIED);
static_assert(kLibvirtErrOperationUnsupported == VIR_ERR_OPERATION_UNSUPPORTED);

namespace {

// libvirt's C library, opened at the first call (dlopen) rather than linked: render, check and
// the host commands then neither load it (about 20 ms of every start, issue 13) nor need it
// installed. Only define and attach reach this.
struct LibvirtLib {
    decltype(&::virConnectClose) virConnectClose = nullptr;
    decltype(&::virConnectDomainXMLToNative) virConnectDomainXMLToNative = nullptr;
    decltype(&::virConnectGetDomainCapabilities) virConnectGetDomainCapabilities = nullptr;
    decltype(&::virConnectGetType) virConnectGetType = nullptr;
    decltype(&::virConnectGetVersion) virConnectGetVersion = nullptr;
    decltype(&::virConnectGetURI) virConnectGetURI = nullptr;
    decltype(&::virConnectOpen) virConnectOpen = nullptr;
    decltype(&::virConnectOpenReadOnly) virConnectOpenReadOnly = nullptr;
    decltype(&::virDomainCreate) virDomainCreate = nullptr;
    decltype(&::virDomainDefineXMLFlags) virDomainDefineXMLFlags = nullptr;
    decltype(&::virDomainDestroy) virDomainDestroy = nullptr;
    decltype(&::virDomainFree) virDomainFree = nullptr;
    decltype(&::virDomainGetName) virDomainGetName = nullptr;
    decltype(&::virDomainGetUUIDString) virDomainGetUUIDString = nullptr;
    decltype(&::virDomainGetXMLDesc) virDomainGetXMLDesc = nullptr;
    decltype(&::virDomainIsActive) virDomainIsActive = nullptr;
    decltype(&::virDomainLookupByName) virDomainLookupByName = nullptr;
    decltype(&::virDomainUndefineFlags) virDomainUndefineFlags = nullptr;
    decltype(&::virEventRegisterDefaultImpl) virEventRegisterDefaultImpl = nullptr;
    decltype(&::virEventRunDefaultImpl) virEventRunDefaultImpl = nullptr;
    decltype(&::virGetLastError) virGetLastError = nullptr;
    decltype(&::virGetVersion) virGetVersion = nullptr;
    decltype(&::virNodeDeviceFree) virNodeDeviceFree = nullptr;
    decltype(&::virNodeDeviceLookupByName) virNodeDeviceLookupByName = nullptr;
    decltype(&::virResetLastError) virResetLastError = nullptr;
    decltype(&::virSetErrorFunc) virSetErrorFunc = nullptr;
};

const LibvirtLib& lib() {
    static const LibvirtLib loaded = [] {
        // The SONAME of Debian's libvirt0 (libvirt 9.0 in Debian 12; stable since libvirt 0.x).
        void* handle = ::dlopen("libvirt.so.0", RTLD_NOW | RTLD_LOCAL);
        if (!handle)
            throw LibvirtError(std::string("libvirt is not installed (") + ::dlerror() +
                                   "): install Debian's package libvirt0 to define or attach domains",
                               0);
        LibvirtLib lib;
        auto load = [&](auto& fn, const char* name) {
            fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(::dlsym(handle, name));
            if (!fn) throw LibvirtError(std::string("libvirt.so.0 lacks ") + name + ": libvirt is too old", 0);
        };
        load(lib.virConnectClose, "virConnectClose");
        load(lib.virConnectDomainXMLToNative, "virConnectDomainXMLToNative");
        load(lib.virConnectGetDomainCapabilities, "virConnectGetDomainCapabilities");
        load(lib.virConnectGetType, "virConnectGetType");
        load(lib.virConnectGetVersion, "virConnectGetVersion");
        load(lib.virConnectGetURI, "virConnectGetURI");
        load(lib.virConnectOpen, "virConnectOpen");
        load(lib.virConnectOpenReadOnly, "virConnectOpenReadOnly");
        load(lib.virDomainCreate, "virDomainCreate");
        load(lib.virDomainDefineXMLFlags, "virDomainDefineXMLFlags");
        load(lib.virDomainDestroy, "virDomainDestroy");
        load(lib.virDomainFree, "virDomainFree");
        load(lib.virDomainGetName, "virDomainGetName");
        load(lib.virDomainGetUUIDString, "virDomainGetUUIDString");
        load(lib.virDomainGetXMLDesc, "virDomainGetXMLDesc");
        load(lib.virDomainIsActive, "virDomainIsActive");
        load(lib.virDomainLookupByName, "virDomainLookupByName");
        load(lib.virDomainUndefineFlags, "virDomainUndefineFlags");
        load(lib.virEventRegisterDefaultImpl, "virEventRegisterDefaultImpl");
        load(lib.virEventRunDefaultImpl, "virEventRunDefaultImpl");
        load(lib.virGetLastError, "virGetLastError");
        load(lib.virGetVersion, "virGetVersion");
        load(lib.virNodeDeviceFree, "virNodeDeviceFree");
        load(lib.virNodeDeviceLookupByName, "virNodeDeviceLookupByName");
        load(lib.virResetLastError, "virResetLastError");
        load(lib.virSetErrorFunc, "virSetErrorFunc");
        return lib;
    }();
    return loaded;
}

// libvirt prints every error to stderr by default; vfiogen reports them itself, once.
void ignore_error(void*, virErrorPtr) {}

[[noreturn]] void throw_last_error(const std::string& fallback) {
    virErrorPtr err = lib().virGetLastError();
    std::string message = err && err->message ? err->message : fallback;
    int code = err ? err->code : 0;
    lib().virResetLastError();
    throw LibvirtError(message, code);
}

// libvirt's default event loop on a background thread, started once per process. The
// embedded QEMU driver needs a running loop to talk to its QEMU monitors; virsh does the same.
void start_event_loop() {
    static std::once_flag once;
    std::call_once(once, [] {
        lib().virSetErrorFunc(nullptr, ignore_error);
        if (lib().virEventRegisterDefaultImpl() < 0) throw_last_error("cannot start libvirt's event loop");
        std::thread([] {
            for (;;) lib().virEventRunDefaultImpl();
        }).detach();
    });
}

struct DomainRef {
    virDomainPtr ptr;
    ~DomainRef() {
        if (ptr) lib().virDomainFree(ptr);
    }
};

}  // namespace

struct LibvirtConnection::Handle {
    virConnectPtr conn = nullptr;
    ~Handle() {
        if (conn) lib().virConnectClose(conn);
    }

    DomainRef domain(const std::string& name) const {
        DomainRef d{lib().virDomainLookupByName(conn, name.c_str())};
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
    handle->conn = read_only ? lib().virConnectOpenReadOnly(name) : lib().virConnectOpen(name);
    if (!handle->conn) throw_last_error("cannot connect to '" + uri + "'");
    return LibvirtConnection(std::move(handle));
}

std::string LibvirtConnection::uri() const {
    char* s = lib().virConnectGetURI(handle_->conn);
    if (!s) throw_last_error("cannot read the connection's URI");
    std::string out = s;
    free(s);
    return out;
}

std::string LibvirtConnection::driver() const {
    const char* type = lib().virConnectGetType(handle_->conn);
    if (!type) throw_last_error("cannot read the connection's driver");
    return type;
}

unsigned long LibvirtConnection::hypervisor_version() const {
    unsigned long version = 0;
    if (lib().virConnectGetVersion(handle_->conn, &version) < 0) throw_last_error("cannot read the hypervisor's version");
    return version;
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
    DomainRef d{lib().virDomainLookupByName(handle_->conn, name.c_str())};
    if (!d.ptr) {
        virErrorPtr err = lib().virGetLastError();
        if (err && err->code == VIR_ERR_NO_DOMAIN) {
            lib().virResetLastError();
            return std::nullopt;
        }
        throw_last_error("cannot look up domain '" + name + "'");
    }
    DomainInfo info;
    info.name = name;
    char uuid[VIR_UUID_STRING_BUFLEN];
    if (lib().virDomainGetUUIDString(d.ptr, uuid) < 0) throw_last_error("cannot read the UUID of '" + name + "'");
    info.uuid = uuid;
    int active = lib().virDomainIsActive(d.ptr);
    if (active < 0) throw_last_error("cannot read the state of '" + name + "'");
    info.active = active == 1;
    char* xml = lib().virDomainGetXMLDesc(d.ptr, VIR_DOMAIN_XML_INACTIVE);
    if (!xml) throw_last_error("cannot read the definition of '" + name + "'");
    info.inactive_xml = xml;
    free(xml);
    return info;
}

std::string LibvirtConnection::define(const std::string& xml) const {
    DomainRef d{lib().virDomainDefineXMLFlags(handle_->conn, xml.c_str(), VIR_DOMAIN_DEFINE_VALIDATE)};
    if (!d.ptr) throw_last_error("define failed");
    const char* name = lib().virDomainGetName(d.ptr);
    return name ? name : "";
}

void LibvirtConnection::start(const std::string& name) const {
    DomainRef d = handle_->domain(name);
    if (lib().virDomainCreate(d.ptr) < 0) throw_last_error("start failed");
}

void LibvirtConnection::destroy(const std::string& name) const {
    DomainRef d = handle_->domain(name);
    if (lib().virDomainDestroy(d.ptr) < 0) throw_last_error("destroy failed");
}

void LibvirtConnection::undefine(const std::string& name) const {
    DomainRef d = handle_->domain(name);
    if (lib().virDomainUndefineFlags(d.ptr, VIR_DOMAIN_UNDEFINE_NVRAM) < 0) throw_last_error("undefine failed");
}

std::string LibvirtConnection::domain_xml_to_native(const std::string& xml) const {
    char* argv = lib().virConnectDomainXMLToNative(handle_->conn, "qemu-argv", xml.c_str(), 0);
    if (!argv) throw_last_error("domain XML to native failed");
    std::string out = argv;
    free(argv);
    return out;
}

bool LibvirtConnection::node_device_exists(const std::string& name) const {
    virNodeDevicePtr dev = lib().virNodeDeviceLookupByName(handle_->conn, name.c_str());
    if (dev) {
        lib().virNodeDeviceFree(dev);
        return true;
    }
    virErrorPtr err = lib().virGetLastError();
    if (err && err->code == VIR_ERR_NO_NODE_DEVICE) {
        lib().virResetLastError();
        return false;
    }
    throw_last_error("cannot look up node device '" + name + "'");
}

std::string LibvirtConnection::domain_capabilities(const std::string& machine, const std::string& virttype) const {
    char* xml = lib().virConnectGetDomainCapabilities(handle_->conn, nullptr, "x86_64",
                                                machine.empty() ? nullptr : machine.c_str(), virttype.c_str(), 0);
    if (!xml) throw_last_error("cannot read domain capabilities");
    std::string out = xml;
    free(xml);
    return out;
}

std::string installed_libvirt_version() {
    unsigned long version = 0;
    try {
        if (lib().virGetVersion(&version, nullptr, nullptr) != 0 || version == 0) return "";
    } catch (const LibvirtError&) {
        return "";  // no libvirt here: check names the schema by its path instead
    }
    return std::to_string(version / 1000000) + "." + std::to_string(version / 1000 % 1000) + "." + std::to_string(version % 1000);
}

}  // namespace vfiogen
