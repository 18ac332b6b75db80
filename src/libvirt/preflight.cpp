#include "libvirt/preflight.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstdio>

#include <pugixml.hpp>

#include "base/bounded_read.h"
#include "base/strings.h"
#include "rules/check_rules.h"
#include "rules/qemu_args.h"

namespace vfiogen {
namespace {

using Status = PreflightCheck::Status;

// The driver cannot answer (test or embedded driver without node devices, read-only connection).
bool unsupported(const LibvirtError& e) {
    return e.code() == kLibvirtErrNoSupport || e.code() == kLibvirtErrOperationUnsupported ||
           e.code() == kLibvirtErrOperationDenied;
}

// libvirt's node device name of a PCI function: pci_DDDD_BB_SS_F in lowercase hex.
std::string node_device_name(const PciAddress& a) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "pci_%04x_%02x_%02x_%x", a.domain, a.bus, a.device, a.function.value_or(0));
    return buf;
}

std::vector<std::string> values(const pugi::xml_node& parent) {
    std::vector<std::string> out;
    for (auto v : parent.children("value")) out.push_back(v.text().as_string());
    return out;
}

bool contains(const std::vector<std::string>& list, const std::string& s) {
    return std::find(list.begin(), list.end(), s) != list.end();
}

std::string joined(const std::vector<std::string>& list) { return list.empty() ? "none" : join(list, ", "); }

class Preflight {
public:
    Preflight(const Vm& vm, const std::string& xml, const LibvirtConnection& conn) : vm_(vm), conn_(conn) {
        if (!doc_.load_string(xml.c_str())) throw std::runtime_error("preflight: the domain XML does not parse");
        uri_ = conn.uri();
        local_ = conn.is_local();
    }

    std::vector<PreflightCheck> run() {
        if (conn_.is_test_driver()) {
            add(Status::Unchecked, vm_.file_mark(),
                uri_ + " is libvirt's test driver, which has no real host: host PCI devices, VFIO, machine type, "
                       "firmware and ROM files were not checked");
            return checks_;
        }
        check_node_devices();
        check_capabilities();
        check_rom_files();
        check_qemu_args();
        return checks_;
    }

private:
    void add(Status s, Mark m, std::string msg) { checks_.push_back({s, std::move(m), std::move(msg)}); }

    void check_node_devices() {
        for (const auto& dev : vm_.passthrough) {
            for (const auto& f : dev.functions) {
                std::string name = node_device_name(f.host);
                try {
                    if (conn_.node_device_exists(name))
                        add(Status::Pass, f.mark, "host PCI function " + f.host.str() + " exists (node device " + name + ")");
                    else
                        add(Status::Fail, f.mark,
                            "host PCI function " + f.host.str() + " does not exist on " + uri_ + " (no node device " + name +
                                "); find the " + f.role + " with 'lspci -Dnn -d " + f.id.str() + "' and correct the address");
                } catch (const LibvirtError& e) {
                    if (!unsupported(e)) throw;
                    add(Status::Unchecked, f.mark, "host PCI function " + f.host.str() + " not checked: " + e.what());
                }
            }
        }
    }

    void check_capabilities() {
        pugi::xml_node domain = doc_.child("domain");
        std::string virttype = domain.attribute("type").as_string("kvm");
        std::string machine = domain.child("os").child("type").attribute("machine").as_string();
        std::string caps_xml;
        try {
            conn_.domain_capabilities("", virttype);
        } catch (const LibvirtError& e) {
            if (unsupported(e)) {
                add(Status::Unchecked, vm_.file_mark(), "domain capabilities not available on " + uri_ + ": " + e.what());
                return;
            }
            add(Status::Fail, vm_.accel_mark,
                "the host offers no '" + virttype + "' domains: " + e.what() +
                    (virttype == "kvm" ? "; enable VT-x/AMD-V (and load kvm_intel or kvm_amd), or set accel: tcg" : ""));
            return;
        }
        try {
            caps_xml = conn_.domain_capabilities(machine, virttype);
        } catch (const LibvirtError& e) {
            add(Status::Fail, vm_.machine_version.empty() ? vm_.machine_mark : vm_.machine_version_mark,
                "machine type '" + machine + "' is not offered by the host: " + e.what() +
                    "; set machine.version to one that 'virsh domcapabilities --machine' accepts, or leave it out");
            return;
        }
        pugi::xml_document caps;
        caps.load_string(caps_xml.c_str());
        pugi::xml_node root = caps.child("domainCapabilities");
        add(Status::Pass, vm_.machine_mark,
            "machine type '" + machine + "' is offered (as " + root.child("machine").text().as_string() + ")");

        bool has_hostdev = !doc_.select_nodes("/domain/devices/hostdev[@type='pci']").empty();
        if (has_hostdev) {
            auto backends = values(root.select_node("devices/hostdev/enum[@name='pciBackend']").node());
            if (contains(backends, "vfio"))
                add(Status::Pass, vm_.file_mark(), "the host offers VFIO for PCI hostdevs");
            else
                add(Status::Fail, vm_.passthrough.empty() ? vm_.file_mark() : vm_.passthrough.front().mark,
                    "the host offers no VFIO for PCI hostdevs (domain capabilities list PCI backends: " + joined(backends) +
                        "); turn the IOMMU on (firmware VT-d/AMD-Vi, and intel_iommu=on on Intel) and load vfio-pci");
        }

        pugi::xml_node os = domain.child("os");
        std::string loader = os.child("loader").text().as_string();
        if (!loader.empty()) {
            auto offered = values(root.child("os").child("loader"));
            if (contains(offered, loader))
                add(Status::Pass, vm_.loader_mark, "firmware loader " + loader + " is offered");
            else
                add(Status::Fail, vm_.loader_mark,
                    "firmware loader " + loader + " is not offered by the host (offered: " + joined(offered) +
                        "); install the ovmf package or set firmware.loader to an offered file");
        } else if (std::string(os.attribute("firmware").as_string()) == "efi") {
            auto kinds = values(root.child("os").find_child_by_attribute("enum", "name", "firmware"));
            if (contains(kinds, "efi"))
                add(Status::Pass, vm_.firmware_mark, "UEFI firmware autoselection is offered");
            else
                add(Status::Fail, vm_.firmware_mark,
                    "the host offers no UEFI firmware for autoselection (firmware kinds: " + joined(kinds) +
                        "); install the ovmf package");
        }
    }

    void check_rom_files() {
        for (const auto& dev : vm_.passthrough) {
            for (const auto& f : dev.functions) {
                if (!f.romfile) continue;
                std::string path = vm_.rom_dir + (vm_.rom_dir.back() == '/' ? "" : "/") + *f.romfile;
                if (path.front() != '/') {
                    add(Status::Fail, f.romfile_mark, "ROM file " + path + " is not an absolute path; set rom_dir to one");
                } else if (!local_) {
                    add(Status::Unchecked, f.romfile_mark, "ROM file " + path + " is on the remote host; not checked");
                } else if (is_regular_file(path)) {
                    add(Status::Pass, f.romfile_mark, "ROM file " + path + " exists");
                } else {
                    add(Status::Fail, f.romfile_mark,
                        "ROM file " + path + " does not exist; copy " + *f.romfile + " into " + vm_.rom_dir +
                            " or point rom_dir at the directory that holds it");
                }
            }
        }
    }

    // The VM file's qemu_args against the QEMU this connection runs (not the --qemu-version
    // default that render and check assume): an option removed there stops the domain at start.
    void check_qemu_args() {
        if (vm_.qemu_args.empty()) return;
        unsigned long version = 0;
        if (conn_.driver() == "QEMU") {
            try {
                version = conn_.hypervisor_version();
            } catch (const LibvirtError& e) {
                if (!unsupported(e)) throw;  // the driver cannot say: unchecked, as below
            }
        }
        if (version == 0) {
            add(Status::Unchecked, vm_.qemu_args.front().second,
                "qemu_args not checked: " + uri_ + " does not say which QEMU it runs");
            return;
        }
        QemuVersion qemu{static_cast<int>(version / 1000000), static_cast<int>(version / 1000 % 1000)};
        std::vector<QemuArg> args;
        for (const auto& [text, mark] : vm_.qemu_args) args.push_back({text, mark});
        Findings findings;
        vfiogen::check_qemu_args(args, qemu, findings);
        bool removed = false;
        for (const auto& f : findings) {
            if (f.rule != "qemu-arg-removed") continue;
            removed = true;
            add(Status::Fail, f.mark, "QEMU " + qemu.str() + " on " + uri_ + ": " + f.message);
        }
        if (!removed)
            add(Status::Pass, vm_.qemu_args.front().second,
                "qemu_args use no option that QEMU " + qemu.str() + " on " + uri_ + " has removed");
    }

    const Vm& vm_;
    const LibvirtConnection& conn_;
    pugi::xml_document doc_;
    std::string uri_;
    bool local_ = false;  // the hypervisor opens files on this machine
    std::vector<PreflightCheck> checks_;
};

}  // namespace

std::vector<PreflightCheck> preflight(const Vm& vm, const std::string& domain_xml, const LibvirtConnection& conn) {
    return Preflight(vm, domain_xml, conn).run();
}

std::vector<Diagnostic> preflight_diagnostics(const std::vector<PreflightCheck>& checks, bool include_passes) {
    std::vector<Diagnostic> out;
    for (const auto& c : checks) {
        switch (c.status) {
        case Status::Fail: out.push_back({c.mark, Severity::Error, "preflight: " + c.message}); break;
        case Status::Unchecked: out.push_back({c.mark, Severity::Note, "preflight: " + c.message}); break;
        case Status::Pass:
            if (include_passes) out.push_back({c.mark, Severity::Note, "preflight: ok: " + c.message});
            break;
        }
    }
    return out;
}

bool preflight_failed(const std::vector<PreflightCheck>& checks) {
    return std::any_of(checks.begin(), checks.end(), [](const PreflightCheck& c) { return c.status == Status::Fail; });
}

}  // namespace vfiogen
