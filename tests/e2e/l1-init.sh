#!/bin/sh
# PID 1 of the L1 guest of vfiogen's end-to-end test (kernel command line init=/e2e/l1-init.sh).
#
# It binds, unbinds and passes PCI devices through, so it runs only as PID 1 of a kernel whose
# command line carries vfiogen_e2e=1 (run.sh's L0 QEMU puts it there). On the outer machine
# 0000:00:02.0 is the root disk: this script must never run there.
#
# Output (serial console, read by run.sh): one marker line per step,
#   E2E-PASS stepN <what> (<seconds>s) | E2E-FAIL stepN <why> | E2E-SKIP stepN: <reason>
# plus E2E-TIME <phase> <seconds>, E2E-INFO lines, and E2E-DONE before the machine powers off.
# L1's PCI layout (fixed by run.sh): edu 0000:00:04.0, virtio-gpu-pci 0000:00:05.0,
# edu 0000:00:06.0 + virtio-rng-pci 0000:00:06.1 (one multifunction device, one IOMMU group).

# The kernel hands unknown name=value parameters to init as environment variables: refuse before
# touching anything unless this is PID 1 of a kernel booted with the marker.
if [ "$$" != 1 ] || [ "${vfiogen_e2e:-}" != 1 ]; then
    echo "l1-init.sh: refusing to run: not PID 1 of a kernel booted with vfiogen_e2e=1" >&2
    exit 1
fi
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
case " $(cat /proc/cmdline) " in
*" vfiogen_e2e=1 "*) ;;
*)
    echo "l1-init.sh: refusing to run: vfiogen_e2e=1 is not on /proc/cmdline" >&2
    echo o >/proc/sysrq-trigger
    exit 1
    ;;
esac
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
mkdir -p /run/e2e /run/lock
hostname vfiogen-e2e-l1

E2E=/e2e
EDU=0000:00:04.0
GPU=0000:00:05.0
GROUP_EDU=0000:00:06.0
GROUP_PEER=0000:00:06.1
URI=qemu:///system
VFIOGEN=$E2E/vfiogen

now() { cut -d' ' -f1 /proc/uptime; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
pass() { echo "E2E-PASS $*"; }
fail() { echo "E2E-FAIL $*"; failed=1; }
skip() { echo "E2E-SKIP $*"; }
info() { echo "E2E-INFO $*"; }
show() { sed 's/^/    | /' "$@"; }
finish() {
    echo "E2E-TIME l1-total $(now)"
    echo "E2E-DONE"
    sync
    poweroff -f 2>/dev/null
    echo o >/proc/sysrq-trigger
    sleep 10
}
driver_of() { # BDF -> driver name, or "none"
    if [ -e "/sys/bus/pci/devices/$1/driver" ]; then basename "$(readlink "/sys/bus/pci/devices/$1/driver")"; else echo none; fi
}
group_of() { basename "$(readlink "/sys/bus/pci/devices/$1/iommu_group")"; }
has_command() { "$VFIOGEN" help "$1" >/dev/null 2>&1; }
wait_for() { # SECONDS COMMAND...: 0 once COMMAND succeeds
    wait_left=$1; shift
    while [ "$wait_left" -gt 0 ]; do
        "$@" >/dev/null 2>&1 && return 0
        sleep 1; wait_left=$((wait_left - 1))
    done
    return 1
}
failed=0
echo "E2E-TIME l1-boot $(now)"
info "kernel $(uname -r), cmdline: $(cat /proc/cmdline)"

# Load drivers for the PCI functions present, as udev's coldplug would (there is no udev here).
for alias in /sys/bus/pci/devices/*/modalias; do
    modprobe -q -b "$(cat "$alias")" 2>/dev/null
done

# ---- step 1: IOMMU groups exist and each test device has one ----
t=$(now)
groups=$(ls /sys/kernel/iommu_groups 2>/dev/null | wc -l)
step1=ok
for dev in "$EDU 0x1234 0x11e8" "$GPU 0x1af4 0x1050" "$GROUP_EDU 0x1234 0x11e8"; do
    set -- $dev
    if [ ! -d "/sys/bus/pci/devices/$1" ]; then
        fail "step1 iommu-groups: $1 ($2:$3) is missing from L1's PCI bus"; step1=bad
    elif [ "$(cat "/sys/bus/pci/devices/$1/vendor"):$(cat "/sys/bus/pci/devices/$1/device")" != "$2:$3" ]; then
        fail "step1 iommu-groups: $1 is $(cat "/sys/bus/pci/devices/$1/vendor"):$(cat "/sys/bus/pci/devices/$1/device"), expected $2:$3"; step1=bad
    elif [ ! -e "/sys/bus/pci/devices/$1/iommu_group" ]; then
        fail "step1 iommu-groups: $1 has no IOMMU group ($groups groups in /sys/kernel/iommu_groups; is intel_iommu=on?)"; step1=bad
    fi
done
if [ "$step1" = ok ]; then
    pass "step1 iommu-groups: $groups groups; $EDU 1234:11e8 group $(group_of $EDU), $GPU 1af4:1050 group $(group_of $GPU) ($(since "$t")s)"
else
    info "dmesg about the IOMMU:"; dmesg | grep -iE 'DMAR|IOMMU' | head -n 20 | show
    finish
fi
edu_driver_before=$(driver_of $EDU)
gpu_driver_before=$(driver_of $GPU)
info "L1 drivers before passthrough: $EDU $edu_driver_before, $GPU $gpu_driver_before, $GROUP_PEER $(driver_of $GROUP_PEER)"

# The host preparation vfiogen documents (DOMAIN.md: /etc/modules): libvirt refuses VFIO
# passthrough ("host doesn't support VFIO PCI passthrough") until /dev/vfio/vfio exists.
modprobe vfio-pci || fail "step2 modprobe vfio-pci failed"

# ---- libvirtd, started by hand (no systemd), configured as shared/E2E.md says ----
t=$(now)
cat >/etc/libvirt/qemu.conf <<'EOF'
user = "root"
group = "root"
security_driver = "none"
cgroup_controllers = [ ]
namespaces = [ ]
stdio_handler = "file"
dynamic_ownership = 0
EOF
libvirtd >/run/e2e/libvirtd.log 2>&1 &
if wait_for 120 virsh -c "$URI" version; then
    echo "E2E-TIME libvirtd-start $(since "$t")"
else
    fail "step2 libvirtd did not answer on $URI within 120 s"
    show /run/e2e/libvirtd.log | tail -n 30
    finish
fi

# Define and start VM file $1 as domain $2, the way the step under test says:
# vfiogen define --start when the binary has it, else (E2E-SKIP) the rendered XML with virsh.
# Sets define_how. Returns non-zero on failure (output in /run/e2e/$2.define.log).
define_start() {
    vm=$1; name=$2; step=$3
    if has_command define; then
        define_how="vfiogen define --connect $URI --start"
        "$VFIOGEN" define "$vm" --connect "$URI" --start >"/run/e2e/$name.define.log" 2>&1
    else
        skip "$step-define: this vfiogen has no 'define' command; defined with 'virsh define' + 'virsh start' of the rendered XML instead"
        define_how="virsh define + start"
        { virsh -c "$URI" define "/run/e2e/$name.xml" && virsh -c "$URI" start "$name"; } >"/run/e2e/$name.define.log" 2>&1
    fi
}

# Render + check one VM file: $1 VM file, $2 domain name, $3 step. Returns non-zero on failure.
render_check() {
    vm=$1; name=$2; step=$3
    if ! "$VFIOGEN" render --target libvirt "$vm" -o "/run/e2e/$name.xml" >"/run/e2e/$name.render.log" 2>&1; then
        fail "$step render: vfiogen render --target libvirt $vm failed"; show "/run/e2e/$name.render.log"; return 1
    fi
    if has_command check; then
        if ! "$VFIOGEN" check "$vm" >"/run/e2e/$name.check.log" 2>&1; then
            fail "$step check: vfiogen check $vm is not clean"; show "/run/e2e/$name.check.log"; return 1
        fi
    else
        skip "$step-check: this vfiogen has no 'check' command"
    fi
}

# Wait for the L2 probe to finish: $1 serial log. Returns non-zero on timeout.
wait_l2() { wait_for 120 grep -q '^L2-DONE' "$1"; }

# ---- step 2: render, check, define --start the edu VM ----
t=$(now)
step2=bad
if render_check "$E2E/vm-edu.yaml" e2e-edu step2; then
    if define_start "$E2E/vm-edu.yaml" e2e-edu step2; then
        state=$(virsh -c "$URI" domstate e2e-edu 2>&1)
        if [ "$state" = running ]; then
            step2=ok
            echo "E2E-TIME define+start $(since "$t")"
            pass "step2 define-start: rendered, $define_how, domain e2e-edu $state, $EDU now on $(driver_of $EDU) ($(since "$t")s)"
        else
            fail "step2 define-start: domain e2e-edu is '$state' after $define_how"
        fi
    else
        fail "step2 define-start: $define_how failed"; show /run/e2e/e2e-edu.define.log
    fi
fi
[ "$step2" = ok ] || { show /run/e2e/libvirtd.log | tail -n 20; show /var/log/libvirt/qemu/e2e-edu.log 2>/dev/null | tail -n 20; }

# ---- step 3: edu realised in L2's QEMU, and the L2 probe uses it (MMIO + DMA) ----
if [ "$step2" = ok ]; then
    t=$(now)
    qtree=$(virsh -c "$URI" qemu-monitor-command e2e-edu --hmp 'info qtree' 2>&1)
    if wait_l2 /run/e2e/l2-edu.log; then l2=done; else l2=timeout; fi
    pci=$(virsh -c "$URI" qemu-monitor-command e2e-edu --hmp 'info pci' 2>&1)
    info "L2 serial log (edu):"; tr -d '\r' </run/e2e/l2-edu.log | show
    why=
    echo "$qtree" | grep -q 'dev: vfio-pci' || why="$why; no vfio-pci device in 'info qtree'"
    echo "$qtree" | grep -q "host = \"$EDU\"" || why="$why; 'info qtree' has no vfio-pci with host = \"$EDU\""
    echo "$pci" | grep -q 'PCI device 1234:11e8' || why="$why; 'info pci' does not list 1234:11e8"
    [ "$l2" = done ] || why="$why; L2 probe did not print L2-DONE within 120 s"
    for check in edu-id edu-liveness edu-dma; do
        grep -q "^L2-PASS $check" /run/e2e/l2-edu.log || why="$why; L2 probe: no L2-PASS $check"
    done
    grep -q '^L2-FAIL' /run/e2e/l2-edu.log && why="$why; L2 probe: $(grep -m1 '^L2-FAIL' /run/e2e/l2-edu.log | tr -d '\r')"
    echo "E2E-TIME l2-checks-edu $(since "$t")"
    if [ -z "$why" ]; then
        pass "step3 l2-edu: vfio-pci host=$EDU realised in L2 QEMU, 1234:11e8 in 'info pci'; L2 read id 0x010000ed, liveness ok, DMA round trip ok ($(since "$t")s)"
    else
        fail "step3 l2-edu:${why#;}"
        info "info pci:"; echo "$pci" | show
    fi
    virsh -c "$URI" destroy e2e-edu >/dev/null 2>&1
    virsh -c "$URI" undefine e2e-edu >/dev/null 2>&1
else
    fail "step3 l2-edu: not run, step2 failed"
fi

# ---- step 4: virtio-gpu-pci passed the same way; both devices back on their L1 drivers ----
t=$(now)
why=
if render_check "$E2E/vm-virtio-gpu.yaml" e2e-virtio-gpu step4 && define_start "$E2E/vm-virtio-gpu.yaml" e2e-virtio-gpu step4; then
    gpu_driver_during=$(driver_of $GPU)
    [ "$gpu_driver_during" = vfio-pci ] || why="$why; $GPU is on '$gpu_driver_during' while the domain runs, expected vfio-pci"
    qtree=$(virsh -c "$URI" qemu-monitor-command e2e-virtio-gpu --hmp 'info qtree' 2>&1)
    echo "$qtree" | grep -q "host = \"$GPU\"" || why="$why; 'info qtree' has no vfio-pci with host = \"$GPU\""
    if wait_l2 /run/e2e/l2-virtio-gpu.log; then
        grep -q '^L2-PCI .* 1af4:1050' /run/e2e/l2-virtio-gpu.log || why="$why; the L2 probe did not find 1af4:1050 on its PCI bus"
    else
        why="$why; L2 probe did not print L2-DONE within 120 s"
    fi
    pci=$(virsh -c "$URI" qemu-monitor-command e2e-virtio-gpu --hmp 'info pci' 2>&1)
    echo "$pci" | grep -q 'PCI device 1af4:1050' || why="$why; 'info pci' does not list 1af4:1050"
    info "L2 serial log (virtio-gpu):"; tr -d '\r' </run/e2e/l2-virtio-gpu.log | show
    virsh -c "$URI" destroy e2e-virtio-gpu >/dev/null 2>&1 || why="$why; virsh destroy e2e-virtio-gpu failed"
    virsh -c "$URI" undefine e2e-virtio-gpu >/dev/null 2>&1
else
    why="$why; render/check/define of vm-virtio-gpu.yaml failed"
    show /run/e2e/e2e-virtio-gpu.define.log 2>/dev/null
fi
# libvirt re-attaches managed devices to their host drivers after destroy; give it a moment.
sleep 2
edu_driver_after=$(driver_of $EDU)
gpu_driver_after=$(driver_of $GPU)
[ "$edu_driver_after" = "$edu_driver_before" ] || why="$why; $EDU is on '$edu_driver_after' after destroy, was '$edu_driver_before'"
[ "$gpu_driver_after" = "$gpu_driver_before" ] || why="$why; $GPU is on '$gpu_driver_after' after destroy, was '$gpu_driver_before'"
echo "E2E-TIME l2-checks-virtio-gpu $(since "$t")"
if [ -z "$why" ]; then
    pass "step4 virtio-gpu: $GPU on vfio-pci while running, realised in L2 QEMU and seen by the L2 probe; after destroy $EDU on '$edu_driver_after', $GPU on '$gpu_driver_after' as before ($(since "$t")s)"
else
    fail "step4 virtio-gpu:${why#;}"
fi

# ---- step 5a: a VM file naming a PCI address that does not exist is refused by the preflight ----
if has_command define; then
    "$VFIOGEN" define "$E2E/vm-missing-device.yaml" --connect "$URI" --start >/run/e2e/missing.log 2>&1
    rc=$?
    why=
    [ "$rc" = 1 ] || why="$why; exit code $rc, expected 1"
    grep -qE '0000:00:1e\.0|pci_0000_00_1e_0' /run/e2e/missing.log || why="$why; the message does not name 0000:00:1e.0"
    virsh -c "$URI" dominfo e2e-missing-device >/dev/null 2>&1 && why="$why; libvirt has a domain e2e-missing-device: it was asked"
    if [ -z "$why" ]; then
        pass "step5a missing-device: refused with exit 1 before libvirt defined anything: $(head -n1 /run/e2e/missing.log)"
    else
        fail "step5a missing-device:${why#;}"; show /run/e2e/missing.log
    fi
    virsh -c "$URI" undefine e2e-missing-device >/dev/null 2>&1
else
    skip "step5a: this vfiogen has no 'define' command (its preflight refuses a missing PCI address)"
fi

# ---- step 5b: a device sharing its IOMMU group with a device that is not passed is reported ----
if [ "$(group_of $GROUP_EDU)" != "$(group_of $GROUP_PEER)" ]; then
    fail "step5b shared-group: set-up broken: $GROUP_EDU (group $(group_of $GROUP_EDU)) and $GROUP_PEER (group $(group_of $GROUP_PEER)) are not in one IOMMU group"
elif has_command host; then
    "$VFIOGEN" host check "$E2E/vm-shared-group.yaml" >/run/e2e/shared.log 2>&1
    rc=$?
    if grep -q "$GROUP_PEER" /run/e2e/shared.log; then
        pass "step5b shared-group: vfiogen host check (exit $rc) reports $GROUP_PEER in the group of $GROUP_EDU: $(grep -m1 "$GROUP_PEER" /run/e2e/shared.log)"
    else
        fail "step5b shared-group: vfiogen host check (exit $rc) does not name $GROUP_PEER, which shares IOMMU group $(group_of $GROUP_EDU) with $GROUP_EDU"
        show /run/e2e/shared.log
    fi
else
    skip "step5b: this vfiogen has no 'host' command (host check reports IOMMU group peers); $GROUP_EDU and $GROUP_PEER share group $(group_of $GROUP_EDU), $GROUP_PEER on $(driver_of $GROUP_PEER)"
fi

finish
