// The VM model: one VM file with its hardware profiles resolved and bound to host addresses,
// checked against the rules that hold for every target (see vm.cpp for each rule's source).
#pragma once

#include <istream>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/diagnostic.h"
#include "model/pci_address.h"
#include "model/profile.h"

namespace vfiogen {

// One host PCI function given to the guest.
struct PassedFunction {
    PciAddress host;                     // always with a function number
    std::string role;                    // from the profile
    PciId id;                            // vendor:device, from the profile
    std::optional<std::string> romfile;  // bare file name
    Mark romfile_mark;                   // where `romfile` is written (profile or VM file)
    bool rombar = true;
    bool x_vga = false;
    bool legacy_igd = false;
    std::optional<int> igd_gms;
    bool igd_opregion = false;
    // A mediated device of this type on the host function (GVT-g "i915-GVTg_V5_4", from the
    // host's mdev_supported_types) instead of the function itself: PVE `mdev=`, libvirt
    // <hostdev type='mdev'>. The host function stays with its host driver (i915).
    std::optional<std::string> mdev;
    Mark mdev_mark;
    std::string alias;                   // libvirt user alias, "ua-<role><n>"
    Mark mark;                           // where the VM file binds it
};

// One `passthrough` entry: a profile bound to host addresses.
struct PassthroughDevice {
    std::string profile;
    Mark mark;                           // the entry's `profile` key
    bool whole_device = false;           // bound with `host: dddd:bb:dd` or `mapping:` (PVE: all functions)
    std::string mapping;                 // PVE resource mapping id (PVE 8.0+), else "": then no function
                                         // has a host address (see require_host_addresses)
    Mark mapping_mark;
    PciAddress device;                   // the device address when whole_device
    bool pcie = false;                   // on a PCIe root port (q35 only)
    std::vector<PassedFunction> functions;  // in host function order when whole_device
};

struct Disk {
    std::string bus;                     // sata | scsi | virtio | ide
    long long size_gib = 0;
    std::optional<std::string> volume;   // PVE storage:volume
    std::optional<std::string> path;     // libvirt image path
    std::string format;                  // qcow2 | raw
    Mark mark;
};

struct Nic {
    std::string model;
    std::string mac;                     // XX:XX:XX:XX:XX:XX, upper case
    std::string bridge;                  // "" = PVE vmbr0 / libvirt network
    std::string network;
    bool firewall = false;
    Mark mark;
};

// Looking Glass's shared memory (gnif/LookingGlass B7, doc/install_libvirt.rst, ivshmem_shm.rst,
// ivshmem_kvmfr.rst).
struct LookingGlass {
    long long size_mib = 32;                // a power of two
    std::optional<std::string> resolution;  // "WIDTHxHEIGHT" as written, when given
    bool kvmfr = false;                     // /dev/kvmfr0 (kvmfr module) instead of /dev/shm/looking-glass
    std::string user;                       // owner of the host file; "" = not given
    std::string group;                      // group of the host file
    std::string mode;                       // four octal digits, e.g. "0660"
    Mark mark;                              // the looking_glass key's value
    Mark kvmfr_mark;
    Mark user_mark;
};

// MiB of shared memory a WIDTHxHEIGHT guest display needs: width x height x 4 bytes x 2 frames
// + 10 MiB, rounded up to a power of two (Looking Glass B7 doc/install_libvirt.rst,
// "Determining memory"): 1920x1080 -> 32, 2560x1440 -> 64, 3840x2160 -> 128.
long long looking_glass_size_mib(long long width, long long height);

// firmware.type: SeaBIOS (legacy BIOS) or OVMF (UEFI, EDK II).
enum class Firmware { Seabios, Ovmf };
// machine.type: QEMU's i440fx ("pc") or q35 chipset.
enum class MachineType { I440fx, Q35 };

// accel: KVM, or QEMU's TCG emulation (libvirt type='qemu', PVE kvm: 0).
enum class Accel { Kvm, Tcg };

// display: the emulated display device, or none (a passed GPU is the display).
enum class Display { None, Std, Virtio, Qxl };
// As the VM file and PVE's `vga:` spell them: "none", "std", "virtio", "qxl".
const char* display_name(Display display);

// As the VM file and PVE's `bios:` spell them: "seabios", "ovmf".
const char* firmware_name(Firmware firmware);
// As the VM file spells them: "i440fx", "q35".
const char* machine_type_name(MachineType type);

struct Vm {
    std::string file;
    std::string name;
    Mark name_mark;
    std::string description;
    std::optional<long long> vmid;
    Mark vmid_mark;  // the vmid value, or the file when absent
    std::string ostype;
    long long memory_mib = 0;
    Accel accel = Accel::Kvm;
    Mark accel_mark;

    std::string cpu_model;
    long long cores = 1, sockets = 1;
    bool kvm_hidden = false;
    std::optional<std::string> hv_vendor_id;

    MachineType machine_type = MachineType::I440fx;
    std::string machine_version;         // "" = newest
    Mark machine_mark;                   // machine.type
    Mark machine_version_mark;           // machine.version

    Firmware firmware = Firmware::Seabios;
    Mark firmware_mark;
    bool secure_boot = false;
    Mark secure_boot_mark;
    std::optional<std::string> efidisk;
    Mark efidisk_mark;
    bool firmware_autoselect = false;
    std::string loader, nvram_template;
    std::optional<std::string> nvram;
    Mark loader_mark;

    Display display = Display::Std;
    std::string storage;
    Mark storage_mark;
    std::string rom_dir;

    std::vector<Disk> disks;
    std::vector<Nic> nics;
    std::vector<std::pair<std::string, Mark>> qemu_args;
    std::vector<PassthroughDevice> passthrough;

    bool tpm = false;  // emulated TPM 2.0
    Mark tpm_mark;     // the tpm key, or the ostype that turned it on
    std::optional<LookingGlass> looking_glass;

    bool is_windows() const { return ostype.rfind("win", 0) == 0; }
    Mark file_mark() const { return Mark{file, 0, 0}; }
};

// Loads and checks the VM file at `path`, resolving profiles through `profiles`.
// Throws InputError (file:line:col) for unreadable files, unknown keys, bad values, missing or
// cyclic profiles, and every rule that holds for both targets (legacy IGD, pcie on q35, ...).
Vm load_vm(const std::string& path, ProfileLibrary& profiles);

// Throws InputError at the first passthrough entry bound by PVE resource `mapping:` (whose
// functions have no host address), saying that `what` needs host addresses. Every consumer other
// than the PVE renderer calls it first: libvirt rendering, host check, host config.
void require_host_addresses(const Vm& vm, const std::string& what);

// The UUID of the mediated device `f` asks for (f.mdev set): a name-based UUID of the VM name,
// host function and alias, the same on every render and machine and different for each VM, so
// the instance libvirt (and `host config`'s mdevctl command) finds is the one made for this VM.
// PVE does not need it: qemu-server names its instances by VMID and hostpci index (PCI/Mdev.pm).
std::string mdev_uuid(const Vm& vm, const PassedFunction& f);

// The VM file of a command line: `file`, or "-" for `in` (standard input, read up to
// kMaxInputBytes and labelled "<stdin>"), with profiles from `extra_profile_dirs` then the
// default search path (ProfileLibrary::default_search_path; a file's owner is trusted for its
// own profiles/). When `inputs` is given, the VM file and every profile file read are appended
// (the files an output must not overwrite). Throws InputError as load_vm.
Vm load_vm_input(const std::string& file, const std::vector<std::string>& extra_profile_dirs, std::istream& in,
                 std::vector<std::string>* inputs = nullptr);

// Same, from text already in memory (tests); `path` labels the messages and anchors profiles/.
Vm load_vm_text(const std::string& text, const std::string& path, ProfileLibrary& profiles);

}  // namespace vfiogen
