#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "base/text_diff.h"
#include "model/pci_address.h"
#include "pve/pve_attach.h"
#include "pve/pve_check.h"
#include "pve/pve_conf.h"
#include "test_helpers.h"

using namespace vfiogen;
namespace fs = std::filesystem;

namespace {

Vm example(const std::string& stem) {
    auto profiles = test::test_profiles();
    return load_vm(test::source_dir() + "/examples/" + stem + ".yaml", profiles);
}

Vm vm_text(const std::string& text) {
    auto profiles = test::test_profiles();
    return load_vm_text(text, "vm.yaml", profiles);
}

// A Windows 11 VM made in the PVE GUI: description, efidisk0 and tpmstate0, a pinned q35 machine,
// a [PENDING] change and one snapshot (tests/data/pve/win11-120.conf).
std::string win11_conf() { return test::read_file(test::source_dir() + "/tests/data/pve/win11-120.conf"); }

PveAttachResult merge(const std::string& conf, const Vm& vm) {
    return merge_pve_passthrough(conf, "120.conf", 120, plan_pve_passthrough(vm), vm);
}

std::string merge_error(const std::string& conf, const Vm& vm) {
    return test::input_error_text([&] { merge(conf, vm); });
}

// Replaces the first line equal to `from` (without its newline) by `to` (several lines allowed).
std::string replace_line(std::string conf, const std::string& from, const std::string& to) {
    size_t at = conf.find(from + "\n");
    REQUIRE(at != std::string::npos);
    return conf.replace(at, from.size(), to);
}

Findings errors_of(const std::string& text) {
    Findings errors;
    for (const auto& f : check_pve_conf(parse_pve_conf(text, "120.conf")))
        if (f.severity() == Severity::Error) errors.push_back(f);
    return errors;
}

}  // namespace

TEST_CASE("attach merges only the passthrough lines into a GUI-made VM, as the reviewed golden diff shows") {
    Vm vm = example("pve-nvidia-gt1030");
    PveAttachResult r = merge(win11_conf(), vm);
    REQUIRE(r.changed());
    std::string diff =
        unified_diff(r.before, r.after, "win11-120.conf", "win11-120.conf (with pve-nvidia-gt1030.yaml)");
    CHECK(diff == test::read_file(test::source_dir() + "/tests/golden/attach-pve-win11-120.diff"));
    // The description, [PENDING] and the snapshot section are byte for byte what they were.
    CHECK(r.after.rfind("#Windows 11 for games, made in the GUI.\n#\n#The GT 1030 goes in with vfiogen "
                        "attach.\nagent: 1\n",
                        0) == 0);
    CHECK(r.after.substr(r.after.find("\n[PENDING]")) == r.before.substr(r.before.find("\n[PENDING]")));
    // The existing efidisk0 stays and no volume is named: nothing to create.
    CHECK_FALSE(r.efidisk_command);
    CHECK(r.qm_set == std::vector<QmOption>{{"cpu", "x86-64-v2-AES,hidden=1,hv-vendor-id=vfiogen"},
                                            {"hostpci0", "0000:01:00,pcie=1"},
                                            {"vga", "none"}});
}

TEST_CASE("the merged conf reads back without error findings, and a second run changes nothing") {
    Vm vm = example("pve-nvidia-gt1030");
    PveAttachResult first = merge(win11_conf(), vm);
    PveConf reread = parse_pve_conf(first.after, "120.conf");
    CHECK(reread.warnings.empty());
    REQUIRE(reread.sections.size() == 3);
    CHECK(reread.sections[0].find("hostpci0")->value == "0000:01:00,pcie=1");
    CHECK(reread.sections[0].find("machine")->value == "pc-q35-8.1");  // the pinned version stays
    CHECK(errors_of(first.after).empty());
    PveAttachResult second = merge(first.after, vm);
    CHECK_FALSE(second.changed());
    CHECK(second.after == first.after);
    CHECK(second.qm_set.empty());
}

TEST_CASE("attach refuses a locked VM and a [PENDING] change of a key it would set, changing nothing") {
    Vm vm = example("pve-nvidia-gt1030");
    CHECK(merge_error(replace_line(win11_conf(), "agent: 1", "agent: 1\nlock: backup"), vm) ==
          "120.conf:5:1: error: VM 120 is locked (backup): qemu-server changes no locked VM until the task "
          "holding it ends; "
          "nothing was changed (a stale lock is removed with 'qm unlock 120')");
    CHECK(merge_error(replace_line(win11_conf(), "memory: 20480", "memory: 20480\ncpu: host"), vm) ==
          "120.conf:29:1: error: [PENDING] already changes 'cpu', which attaching would set: apply the "
          "pending change "
          "(restart the VM) or revert it ('qm set 120 --revert cpu') first; nothing was changed");
    CHECK(merge_error(replace_line(win11_conf(), "memory: 20480", "delete: numa,!vga"), vm) ==
          "120.conf:28:1: error: [PENDING] already changes 'vga', which attaching would set: apply the "
          "pending change "
          "(restart the VM) or revert it ('qm set 120 --revert vga') first; nothing was changed");
    // A pending change of a key attach does not touch is no conflict.
    CHECK(merge_error(win11_conf(), vm) == "");
}

TEST_CASE(
    "attach keeps the chipset: i440fx <-> q35 is refused, a pinned version is kept unless the VM file names "
    "one") {
    Vm q35 = example("pve-nvidia-gt1030");
    CHECK(merge_error("bios: ovmf\nmachine: pc-i440fx-8.0\n", q35) ==
          test::source_dir() +
              "/examples/pve-nvidia-gt1030.yaml:13:9: error: VM 120 uses the i440fx chipset (machine: "
              "pc-i440fx-8.0), the VM "
              "file asks for q35: moving an installed VM between chipsets changes its device addresses (the "
              "guest may not boot, "
              "Windows may ask for reactivation); set machine.type: i440fx in the VM file, or create a new "
              "VM with 'vfiogen "
              "render --target qm'");
    // No machine line is qemu-server's default, i440fx.
    CHECK(merge_error("bios: ovmf\n", q35).find("uses the i440fx chipset (machine: pc)") !=
          std::string::npos);

    Vm pinned = vm_text("name: vm\nvmid: 120\nmachine:\n  type: q35\n  version: \"9.2\"\n");
    PveAttachResult r = merge(
        "bios: ovmf\nefidisk0: local-lvm:vm-120-disk-0,efitype=4m,size=4M\nmachine: "
        "pc-q35-8.1,viommu=intel\nvga: std\n",
        pinned);
    CHECK(r.after.find("machine: pc-q35-9.2,viommu=intel\n") != std::string::npos);
    // The same version with PVE's +pveN revision is the same machine.
    CHECK_FALSE(
        merge("bios: ovmf\nefidisk0: local-lvm:vm-120-disk-0,efitype=4m,size=4M\nmachine: pc-q35-9.2+pve1\n",
              pinned)
            .changed());
}

TEST_CASE("hostpci entries match by host address, keep their index, and new ones take free indexes") {
    Vm vm = example("pve-nvidia-gt1030");  // 0000:01:00, whole device
    std::string conf =
        "bios: ovmf\ncpu: host,hidden=1,hv-vendor-id=vfiogen\nefidisk0: "
        "local-lvm:vm-120-disk-0,efitype=4m,size=4M\n"
        "hostpci0: 0000:02:00.0\nhostpci3: 01:00.0,x-vga=1\nhostpci4: 0000:01:00.1\nmachine: q35\nvga: "
        "none\n";
    PveAttachResult r = merge(conf, vm);
    CHECK(r.after ==
          "bios: ovmf\ncpu: host,hidden=1,hv-vendor-id=vfiogen\nefidisk0: "
          "local-lvm:vm-120-disk-0,efitype=4m,size=4M\n"
          "hostpci0: 0000:02:00.0\nhostpci3: 0000:01:00,pcie=1\nmachine: q35\nvga: none\n");
    CHECK(r.qm_set == std::vector<QmOption>{{"hostpci3", "0000:01:00,pcie=1"}, {"delete", "hostpci4"}});
    REQUIRE(r.notes.size() == 1);
    CHECK(r.notes[0].str() ==
          "120.conf:6:1: note: hostpci4 passes a function of 0000:01:00 too; it is removed, hostpci3 now "
          "passes the device");

    // A new device takes the lowest index neither the config nor [PENDING] uses.
    std::string busy =
        "bios: ovmf\ncpu: host,hidden=1,hv-vendor-id=vfiogen\nefidisk0: "
        "local-lvm:vm-120-disk-0,efitype=4m,size=4M\n"
        "hostpci0: 0000:02:00.0\nmachine: q35\nvga: none\n\n[PENDING]\nhostpci1: 0000:03:00.0\n";
    CHECK(merge(busy, vm).after.find("hostpci2: 0000:01:00,pcie=1\nmachine: q35\n") != std::string::npos);

    // All sixteen taken by other devices: an error at the VM file's passthrough entry.
    std::string full = "bios: ovmf\nmachine: q35\n";
    for (int i = 0; i < 16; ++i)
        full +=
            "hostpci" + std::to_string(i) + ": 0000:1" + hex_digits(static_cast<unsigned>(i), 1) + ":00.0\n";
    CHECK(
        merge_error(full, vm) ==
        test::source_dir() +
            "/examples/pve-nvidia-gt1030.yaml:24:14: error: VM 120 has no free hostpci index for 0000:01:00: "
            "PVE allows hostpci0 to hostpci15 and the VM's own entries (and [PENDING]) use the rest");
}

TEST_CASE("args: vfiogen's -set words follow their hostpci index, other words stay, a second run is stable") {
    Vm vm = example(
        "pve-intel-igd-gen12");  // IGD 00:02.0 (x-igd-gms, x-igd-opregion) + audio 00:1f.3, i440fx 8.0
    std::string conf =
        "args: -no-hpet -set device.hostpci1.x-igd-gms=0x1\nbios: ovmf\n"
        "efidisk0: local-lvm:vm-130-disk-0,efitype=4m,size=4M\nhostpci1: 0000:00:02.0,legacy-igd=1\n"
        "hostpci5: 0000:00:1f.3\nmachine: pc-i440fx-8.0\nvga: none\n";
    PveAttachResult r = merge(conf, vm);
    CHECK(r.after.find(
              "args: -no-hpet -set device.hostpci1.x-igd-gms=0x2 -set device.hostpci1.x-igd-opregion=on\n") !=
          std::string::npos);
    CHECK(r.after.find("hostpci1: 0000:00:02.0,legacy-igd=1,romfile=gen12_igd.rom\n") != std::string::npos);
    CHECK(r.after.find("hostpci5: 0000:00:1f.3,romfile=gen12_gop.rom\n") != std::string::npos);
    CHECK_FALSE(merge(r.after, vm).changed());

    // The VM file's qemu_args are added once, after vfiogen's own words.
    Vm extra = vm_text(
        "name: vm\nvmid: 120\nmachine:\n  type: q35\nqemu_args: [\"-global\", \"ICH9-LPC.disable_s3=1\"]\n");
    PveAttachResult e = merge(
        "args: -no-hpet\nbios: ovmf\nefidisk0: local-lvm:vm-120-disk-0,efitype=4m,size=4M\nmachine: q35\n",
        extra);
    CHECK(e.after.rfind("args: -no-hpet -global ICH9-LPC.disable_s3=1\n", 0) == 0);
    CHECK_FALSE(merge(e.after, extra).changed());
}

TEST_CASE("no efidisk0 under OVMF: attach names no volume and gives the qm set that creates one") {
    Vm vm = example("pve-nvidia-gt1030");
    PveAttachResult r = merge("bios: ovmf\ncpu: host\nmachine: q35\n", vm);
    CHECK(r.after.find("efidisk0") == std::string::npos);
    REQUIRE(r.efidisk_command);
    CHECK(*r.efidisk_command == "qm set 120 --efidisk0 'local-lvm:1,efitype=4m,pre-enrolled-keys=0'");
    // No cpu line: qemu-server's kvm64 stays the type, with the flags added.
    PveAttachResult bare = merge("machine: q35\n", vm);
    CHECK(bare.after ==
          "bios: ovmf\ncpu: kvm64,hidden=1,hv-vendor-id=vfiogen\nhostpci0: 0000:01:00,pcie=1\nmachine: "
          "q35\nvga: none\n");
}

TEST_CASE("a conf qemu-server cannot parse, or a bad value of a key attach merges, is refused at its place") {
    Vm vm = example("pve-nvidia-gt1030");
    CHECK(merge_error("machine: q35\nthis is no key\n", vm) ==
          "120.conf:2:1: error: qemu-server cannot parse this line (\"unable to parse config\"); fix it "
          "before attaching");
    CHECK(merge_error("cpu: host,,hidden=1\nmachine: q35\n", vm) ==
          "120.conf:1:11: error: 'cpu': empty item in property string; fix it before attaching");
}

TEST_CASE("on thousands of mangled confs attach either refuses with a message or merges to a fixed point") {
    // Deterministic mutations of the GUI-made conf: lines dropped, repeated, swapped, bytes flipped,
    // and lines attach cares about inserted anywhere (hostpci, args, cpu, lock, sections, delete:).
    const std::vector<std::string> inserts = {"hostpci3: 0000:01:00.1,pcie=1",
                                              "hostpci0: 01:00,x-vga=1",
                                              "hostpci15: 0000:05:00.0",
                                              "hostpci99: 0000:06:00.0",
                                              "hostpci07: 0000:07:00.0",
                                              "hostpci1: mapping=gpu",
                                              "args: -set device.hostpci0.x-igd-gms=0x1 -no-hpet",
                                              "args: -set",
                                              "cpu: host,hidden=0",
                                              "cpu: ,,",
                                              "machine: q35,viommu=intel",
                                              "machine: pc-i440fx-8.0",
                                              "vga: std,memory=32",
                                              "lock: backup",
                                              "[PENDING]",
                                              "[snap2]",
                                              "delete: hostpci0",
                                              "delete: ,;!",
                                              "#note",
                                              "efidisk0: local-lvm:vm-120-disk-9,efitype=4m",
                                              "bios: seabios",
                                              "hostpci2: 0000:01:00;0000:01:00.1",
                                              "description: x",
                                              "  indented",
                                              "hostpci4: 0000:01:00,,pcie=1",
                                              "[special:cloudinit]",
                                              ""};
    Vm vm = example("pve-nvidia-gt1030");
    PvePassthrough plan = plan_pve_passthrough(vm);
    std::mt19937 random(20261203);
    std::vector<std::string> base;
    std::istringstream in(win11_conf());
    for (std::string line; std::getline(in, line);) base.push_back(line);
    size_t merged = 0, refused = 0;
    for (int round = 0; round < 3000; ++round) {
        std::vector<std::string> lines = base;
        int edits = 1 + static_cast<int>(random() % 4);
        for (int e = 0; e < edits; ++e) {
            size_t at = random() % (lines.size() + 1);
            switch (random() % 5) {
                case 0:
                    if (at < lines.size()) lines.erase(lines.begin() + static_cast<long>(at));
                    break;
                case 1:
                    if (at < lines.size()) lines.insert(lines.begin() + static_cast<long>(at), lines[at]);
                    break;
                case 2:
                    if (at + 1 < lines.size()) std::swap(lines[at], lines[at + 1]);
                    break;
                case 3:
                    if (at < lines.size() && !lines[at].empty())
                        lines[at][random() % lines[at].size()] = static_cast<char>(random() % 256);
                    break;
                default:
                    lines.insert(lines.begin() + static_cast<long>(at), inserts[random() % inserts.size()]);
            }
        }
        std::string text;
        for (const auto& l : lines) text += l + "\n";
        INFO(text);
        try {
            PveAttachResult first = merge_pve_passthrough(text, "120.conf", 120, plan, vm);
            ++merged;
            for (const auto& line : lex_pve_conf(first.after)) CHECK(line.kind != PveLine::Kind::Bad);
            PveAttachResult second = merge_pve_passthrough(first.after, "120.conf", 120, plan, vm);
            CHECK_FALSE(second.changed());
            // Everything after the current config is kept byte for byte.
            size_t section = text.find("\n[");
            if (section != std::string::npos)
                CHECK(first.after.substr(first.after.size() - (text.size() - section)) ==
                      text.substr(section));
        } catch (const InputError& e) {
            ++refused;
            CHECK(e.diagnostic().mark.file.size() > 0);
        } catch (const InputErrors& e) {
            ++refused;
            CHECK(e.diagnostics().size() >= 2);
        }
    }
    MESSAGE("merged " << merged << ", refused " << refused);
    CHECK(merged > 300);   // the mutations leave many confs attach can take...
    CHECK(refused > 300);  // ...and many it must refuse
}

TEST_CASE("a hostpci entry given as a resource mapping is matched by its mapping id") {
    Vm vm = vm_text("name: vm\nvmid: 120\nmachine:\n  type: q35\n");
    PvePassthrough plan = plan_pve_passthrough(vm);
    plan.hostpci.push_back({"mapping=gt1030", ",pcie=1", {}, Mark{"vm.yaml", 5, 3}});
    std::string conf =
        "bios: ovmf\nefidisk0: local-lvm:vm-120-disk-0,efitype=4m,size=4M\nhostpci0: 0000:02:00.0\n"
        "hostpci1: mapping=gt1030,x-vga=1\nmachine: q35\n";
    PveAttachResult r = merge_pve_passthrough(conf, "120.conf", 120, plan, vm);
    CHECK(r.qm_set == std::vector<QmOption>{{"hostpci1", "mapping=gt1030,pcie=1"}});
    CHECK_FALSE(merge_pve_passthrough(r.after, "120.conf", 120, plan, vm).changed());
}

TEST_CASE("the conf digest is the SHA-1 of its bytes, as qemu-server's") {
    CHECK(pve_conf_digest("") == "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    CHECK(pve_conf_digest("abc") == "a9993e364706816aba3e25717850c26c9cd0d89d");
}

TEST_CASE("a TPM the VM file asks for: kept when the VM has one, else the qm set that creates it") {
    Vm vm = vm_text("name: vm\nvmid: 120\ntpm: true\nmachine:\n  type: q35\n");
    std::string conf = "bios: ovmf\nefidisk0: local-lvm:vm-120-disk-0,efitype=4m,size=4M\nmachine: q35\n";
    PveAttachResult without = merge(conf, vm);
    REQUIRE(without.tpmstate_command);
    CHECK(*without.tpmstate_command == "qm set 120 --tpmstate0 'local-lvm:1,version=v2.0'");
    CHECK(without.after.find("tpmstate0") == std::string::npos);
    CHECK_FALSE(merge(win11_conf(), vm).tpmstate_command);
}

TEST_CASE("a merge that would break a check rule the conf did not break is refused") {
    // The VM already passes another device in legacy IGD mode; the gen12 IGD would be a second one.
    Vm vm = example("pve-intel-igd-gen12");
    std::string conf =
        "bios: ovmf\nefidisk0: local-lvm:vm-130-disk-0,efitype=4m,size=4M\nhostpci0: "
        "0000:00:02.0,legacy-igd=1\n"
        "machine: pc-i440fx-8.0\nvga: none\n";
    CHECK_NOTHROW(merge_pve_passthrough(conf, "130.conf", 130, plan_pve_passthrough(vm), vm));
    std::string other_igd =
        replace_line(conf, "hostpci0: 0000:00:02.0,legacy-igd=1", "hostpci0: 0000:00:03.0,legacy-igd=1");
    try {
        merge_pve_passthrough(other_igd, "130.conf", 130, plan_pve_passthrough(vm), vm);
        FAIL("no refusal");
    } catch (const InputErrors& e) {
        REQUIRE(e.diagnostics().size() >= 2);
        CHECK(e.diagnostics().front().str().find(
                  "130.conf:5:24: error: legacy-igd is allowed on one hostpci entry only") == 0);
        CHECK(e.diagnostics().back().str() ==
              "130.conf: error: attach refused: the merged conf would break the rules above; nothing was "
              "changed");
    }
}

TEST_CASE("--pve-version: attach refuses to write a value the VM's PVE release line does not have") {
    // driver= on hostpciN appeared in qemu-server 9.0 (pve_schema.cpp); the plan is changed by hand,
    // since no VM file key asks for it yet.
    Vm vm = example("pve-nvidia-gt1030");
    PvePassthrough plan = plan_pve_passthrough(vm);
    REQUIRE(!plan.hostpci.empty());
    plan.hostpci[0].options += ",driver=vfio";
    std::string conf = win11_conf();
    CHECK_NOTHROW(merge_pve_passthrough(conf, "120.conf", 120, plan, vm, PveVersion{9, 0}));
    try {
        merge_pve_passthrough(conf, "120.conf", 120, plan, vm, PveVersion{8, 4});
        FAIL("no refusal");
    } catch (const InputErrors& e) {
        REQUIRE(e.diagnostics().size() >= 2);
        CHECK(e.diagnostics().front().str().find("needs PVE 9.0 or later; this conf is checked for PVE 8.4") !=
              std::string::npos);
        CHECK(e.diagnostics().front().str().find("[pve-version]") != std::string::npos);
    }
}
