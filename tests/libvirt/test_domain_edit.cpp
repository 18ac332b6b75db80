#include <doctest/doctest.h>

#include "app/render.h"
#include "libvirt/domain_edit.h"
#include "test_helpers.h"

using namespace vfiogen;

namespace {

Vm example(const std::string& stem) {
    auto profiles = test::test_profiles();
    return load_vm(test::source_dir() + "/examples/" + stem + ".yaml", profiles);
}

std::string libvirt_xml(const Vm& vm) { return render(vm, Target::Libvirt, TemplateSet()).text; }

// An i440fx SeaBIOS domain as virt-install makes it: VGA video at 00:02.0.
const char* const kI440fxDomain = R"(<domain type='kvm'>
  <name>legacy</name>
  <uuid>0b9d3f0e-8f55-4a3c-9a42-6f2d1c1a7e01</uuid>
  <memory unit='KiB'>4194304</memory>
  <os>
    <type arch='x86_64' machine='pc-i440fx-7.2'>hvm</type>
    <boot dev='hd'/>
  </os>
  <devices>
    <disk type='file' device='disk'>
      <source file='/var/lib/libvirt/images/legacy.qcow2'/>
      <target dev='vda' bus='virtio'/>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x04' function='0x0'/>
    </disk>
    <controller type='pci' index='0' model='pci-root'/>
    <video>
      <model type='vga' vram='16384' heads='1' primary='yes'/>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x02' function='0x0'/>
    </video>
    <memballoon model='virtio'>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x05' function='0x0'/>
    </memballoon>
  </devices>
</domain>
)";

std::string replaced(std::string text, const std::string& from, const std::string& to) {
    text.replace(text.find(from), from.size(), to);
    return text;
}

}  // namespace

TEST_CASE("with_uuid puts the existing domain's UUID right after <name>, replacing any") {
    std::string xml = "<domain type='kvm'><name>a</name><uuid>old</uuid><memory>1</memory></domain>";
    CHECK(with_uuid(xml, "3f0a2a6e-5d1c-4f57-9d38-2b1e8c4f6a10") ==
          "<domain type='kvm'>\n  <name>a</name>\n  <uuid>3f0a2a6e-5d1c-4f57-9d38-2b1e8c4f6a10</uuid>\n"
          "  <memory>1</memory>\n</domain>\n");
}

TEST_CASE("attach puts legacy IGD at guest 00:02.0 once the domain's own VGA is replaced by video none") {
    Vm vm = example("libvirt-intel-hd630");  // SeaBIOS, i440fx, display none, IGD + audio
    AttachResult r = attach_passthrough(kI440fxDomain, libvirt_xml(vm), vm);
    CHECK(r.warnings.empty());
    CHECK(r.after.find("<model type='vga'") == std::string::npos);
    CHECK(r.after.find("    <video>\n      <model type='none'/>\n    </video>\n") != std::string::npos);
    CHECK(r.after.find("<address domain='0x0000' bus='0x00' slot='0x02' function='0x0'/>\n      </source>\n"
                       "      <alias name='ua-igd0'/>\n"
                       "      <address type='pci' domain='0x0000' bus='0x00' slot='0x02' function='0x0'/>") !=
          std::string::npos);
    // The audio function is a device of its own: the first free bus-0 slot from 0x10.
    CHECK(r.after.find("<alias name='ua-audio0'/>\n"
                       "      <address type='pci' domain='0x0000' bus='0x00' slot='0x10' function='0x0'/>") !=
          std::string::npos);
    // The x-igd-opregion override comes with the xmlns:qemu it needs.
    CHECK(r.after.find("<domain type='kvm' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>") == 0);
    CHECK(r.after.find("<qemu:device alias='ua-igd0'>") != std::string::npos);

    SUBCASE("and a second attach on the result changes nothing") {
        AttachResult again = attach_passthrough(r.after, libvirt_xml(vm), vm);
        CHECK_FALSE(again.changed());
    }
}

TEST_CASE("attach refuses legacy IGD when another device holds guest 00:02.0, naming it") {
    Vm vm = example("libvirt-intel-hd630");
    std::string domain = replaced(kI440fxDomain, "slot='0x05'", "slot='0x02'");  // memballoon at 00:02.0
    domain = replaced(domain, "slot='0x02' function='0x0'/>\n    </video>", "slot='0x03' function='0x0'/>\n    </video>");
    std::string error = test::input_error_text([&] { attach_passthrough(domain, libvirt_xml(vm), vm); });
    CHECK(error == vm.file + ":25:15: error: legacy IGD needs guest address 0000:00:02.0, but domain 'legacy' has "
                             "<memballoon> virtio there; remove it from the domain first");
}

TEST_CASE("attach switches SeaBIOS to OVMF when the VM file asks, with a warning, and lets libvirt name the NVRAM") {
    Vm vm = example("pve-intel-igd-gen12");  // OVMF, i440fx 8.0
    vm.firmware_autoselect = false;          // explicit files: libvirt still names the NVRAM
    AttachResult r = attach_passthrough(kI440fxDomain, libvirt_xml(vm), vm);
    REQUIRE(r.warnings.size() == 1);
    CHECK(r.warnings[0].str() == vm.file + ":17:9: warning: domain 'legacy' switches from BIOS (SeaBIOS) to UEFI "
                                           "(OVMF) firmware; an installed guest OS may not boot until it is converted");
    CHECK(r.after.find("    <type arch='x86_64' machine='pc-i440fx-8.0'>hvm</type>\n"
                       "    <loader readonly='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE_4M.fd</loader>\n"
                       "    <nvram template='/usr/share/OVMF/OVMF_VARS_4M.fd'/>\n") != std::string::npos);

    SUBCASE("with autoselection (the default), the firmware features instead of files") {
        Vm autoselect = example("pve-intel-igd-gen12");
        AttachResult a = attach_passthrough(kI440fxDomain, libvirt_xml(autoselect), autoselect);
        CHECK(
            a.after.find("  <os firmware='efi'>\n    <type arch='x86_64' machine='pc-i440fx-8.0'>hvm</type>\n"
                         "    <firmware>\n      <feature enabled='no' name='enrolled-keys'/>\n"
                         "      <feature enabled='no' name='secure-boot'/>\n    </firmware>\n") !=
            std::string::npos);
        CHECK(a.after.find("<loader") == std::string::npos);
    }
}

TEST_CASE("attach keeps a hostdev's guest slot when the device is already attached") {
    Vm vm = example("pve-nvidia-gt1030");
    std::string domain = test::read_file(test::source_dir() + "/tests/data/libvirt/virt-manager-win10.xml");
    AttachResult first = attach_passthrough(domain, libvirt_xml(vm), vm);
    // Move the attached GPU + audio to bus 5 (as a user might in virt-manager): attach keeps it there.
    std::string moved = first.after;
    for (size_t at; (at = moved.find("bus='0x04' slot='0x00'")) != std::string::npos;)
        moved.replace(at, 22, "bus='0x05' slot='0x00'");
    AttachResult again = attach_passthrough(moved, libvirt_xml(vm), vm);
    CHECK_FALSE(again.changed());
}

TEST_CASE(
    "attach updates the Looking Glass shmem in place, adds SPICE input and the TPM, drops the balloon") {
    Vm vm = example("libvirt-looking-glass-win11");  // q35, OVMF, 2560x1440 -> 64 MiB, win11 -> TPM
    const std::string domain = R"(<domain type='kvm'>
  <name>win11</name>
  <memory unit='KiB'>16777216</memory>
  <os firmware='efi'>
    <type arch='x86_64' machine='pc-q35-7.2'>hvm</type>
  </os>
  <devices>
    <disk type='file' device='disk'>
      <source file='/var/lib/libvirt/images/win11.qcow2'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <input type='tablet' bus='usb'/>
    <graphics type='vnc' port='-1' autoport='yes'/>
    <shmem name='looking-glass'>
      <model type='ivshmem-plain'/>
      <size unit='M'>32</size>
      <address type='pci' domain='0x0000' bus='0x10' slot='0x01' function='0x0'/>
    </shmem>
    <memballoon model='virtio'>
      <address type='pci' domain='0x0000' bus='0x05' slot='0x00' function='0x0'/>
    </memballoon>
  </devices>
</domain>
)";
    AttachResult r = attach_passthrough(domain, libvirt_xml(vm), vm);
    CHECK(r.warnings.empty());
    // The shmem takes the new size and keeps the guest address the domain gave it.
    CHECK(r.after.find("    <shmem name='looking-glass'>\n      <model type='ivshmem-plain'/>\n"
                       "      <size unit='M'>64</size>\n"
                       "      <address type='pci' domain='0x0000' bus='0x10' slot='0x01' function='0x0'/>\n"
                       "    </shmem>\n") != std::string::npos);
    CHECK(r.after.find("<size unit='M'>32</size>") == std::string::npos);
    CHECK(r.after.find("    <memballoon model='none'/>\n") != std::string::npos);
    CHECK(r.after.find("<memballoon model='virtio'") == std::string::npos);
    // What the domain had stays: its disk, tablet and VNC display.
    CHECK(r.after.find("<source file='/var/lib/libvirt/images/win11.qcow2'/>") != std::string::npos);
    CHECK(r.after.find("<input type='tablet' bus='usb'/>") != std::string::npos);
    CHECK(r.after.find("<graphics type='vnc' port='-1' autoport='yes'/>") != std::string::npos);
    // What Looking Glass's SPICE path and Windows 11 need is added.
    CHECK(r.after.find("<input type='mouse' bus='virtio'/>") != std::string::npos);
    CHECK(r.after.find("<input type='keyboard' bus='virtio'/>") != std::string::npos);
    CHECK(r.after.find("<graphics type='spice' port='-1' autoport='yes' listen='127.0.0.1'/>") !=
          std::string::npos);
    CHECK(r.after.find("<channel type='spicevmc'>") != std::string::npos);
    CHECK(r.after.find("<tpm model='tpm-crb'>\n      <backend type='emulator' version='2.0'/>\n    </tpm>") !=
          std::string::npos);

    SUBCASE("and a second attach on the result changes nothing") {
        CHECK_FALSE(attach_passthrough(r.after, libvirt_xml(vm), vm).changed());
    }
    SUBCASE("an existing TPM is kept as it is") {
        std::string with_tpm = replaced(
            domain, "  </devices>",
            "    <tpm model='tpm-tis'>\n      <backend type='passthrough'/>\n    </tpm>\n  </devices>");
        AttachResult kept = attach_passthrough(with_tpm, libvirt_xml(vm), vm);
        CHECK(kept.after.find("<tpm model='tpm-tis'>") != std::string::npos);
        CHECK(kept.after.find("tpm-crb") == std::string::npos);
    }
}

TEST_CASE("attach: a domain without machine= is libvirt's default i440fx, and the message says so") {
    std::string domain = replaced(kI440fxDomain, " machine='pc-i440fx-7.2'", "");
    Vm q35 = example("libvirt-tesla-t10");
    REQUIRE(q35.machine_type == MachineType::Q35);
    std::string error = test::input_error_text([&] { attach_passthrough(domain, libvirt_xml(q35), q35); });
    CHECK(error.find("error: domain 'legacy' has no machine type (libvirt's default, i440fx) but this VM file needs q35") !=
          std::string::npos);
    // An i440fx VM file is attached to it as to any i440fx domain.
    Vm i440fx = example("libvirt-intel-hd630");
    REQUIRE(i440fx.machine_type == MachineType::I440fx);
    CHECK(attach_passthrough(domain, libvirt_xml(i440fx), i440fx).after.find("<hostdev") != std::string::npos);
}

TEST_CASE("attach adds a GVT-g mdev hostdev to a virt-manager domain once, keeping its slot on a second run") {
    Vm vm = example("libvirt-intel-gvtg");
    std::string domain = test::read_file(test::source_dir() + "/tests/data/libvirt/virt-manager-win10.xml");
    AttachResult first = attach_passthrough(domain, libvirt_xml(vm), vm);
    std::string uuid = mdev_uuid(vm, vm.passthrough[0].functions[0]);
    CHECK(first.after.find("<hostdev mode='subsystem' type='mdev' model='vfio-pci' display='off'>") != std::string::npos);
    size_t at = first.after.find("uuid='" + uuid + "'");
    REQUIRE(at != std::string::npos);
    CHECK(first.after.find("uuid='" + uuid + "'", at + 1) == std::string::npos);
    CHECK_FALSE(attach_passthrough(first.after, libvirt_xml(vm), vm).changed());
}
