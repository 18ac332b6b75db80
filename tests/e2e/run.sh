#!/usr/bin/env bash
# vfiogen's end-to-end test: a VM defined by vfiogen really receives PCI functions through VFIO.
#
# usage: run.sh VFIOGEN_BINARY SOURCE_DIR BUILD_DIR [--iommu-off]
#
# L0 (this machine) only builds the cached L1 image (debootstrap into the cache directory), builds
# the bare-metal L2 probe, and boots L1 in QEMU (TCG) with an emulated Intel IOMMU, QEMU's edu
# device and virtio-gpu-pci. Everything that binds or passes devices through happens inside L1
# (tests/e2e/l1-init.sh), which refuses to run without vfiogen_e2e=1 on its kernel command line.
#
# Exit codes: 0 every step passed (or, with --iommu-off, L1 failed at step 1 as it must), 1 a step
# failed or a marker is missing, 77 skipped (no root/QEMU/tools here; ctest's SKIP_RETURN_CODE).
# Environment:
#   VFIOGEN_E2E_CACHE     image cache (default ${XDG_CACHE_HOME:-$HOME/.cache}/vfiogen-e2e)
#   VFIOGEN_E2E_REQUIRED  1: a skip is a failure (set by .ci/run)
#   VFIOGEN_E2E_STRICT    1: an E2E-SKIP marker (a vfiogen command not there yet) is a failure
#   VFIOGEN_E2E_TIMEOUT   hard limit of the L1 run in seconds (default 900)
#   VFIOGEN_E2E_MIRROR    Debian mirror for debootstrap (default: the one apt uses here)
# Artefacts in BUILD_DIR/e2e[-iommu-off]/: serial.log (L1's console), l2-probe.elf, qemu.log.
set -uo pipefail

bin=${1:?usage: run.sh VFIOGEN_BINARY SOURCE_DIR BUILD_DIR [--iommu-off]}
src=${2:?usage: run.sh VFIOGEN_BINARY SOURCE_DIR BUILD_DIR [--iommu-off]}
build=${3:?usage: run.sh VFIOGEN_BINARY SOURCE_DIR BUILD_DIR [--iommu-off]}
mode=${4:-normal}
case "$mode" in normal | --iommu-off) ;; *) echo "run.sh: unknown option $mode" >&2; exit 64 ;; esac
e2e=$src/tests/e2e
cache=${VFIOGEN_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vfiogen-e2e}
if [ "$mode" = --iommu-off ]; then work=$build/e2e-iommu-off; else work=$build/e2e; fi
limit=${VFIOGEN_E2E_TIMEOUT:-900}

skip() {
    echo "E2E SKIPPED: $*"
    if [ "${VFIOGEN_E2E_REQUIRED:-0}" = 1 ]; then
        echo "E2E FAILED: VFIOGEN_E2E_REQUIRED=1 (CI) and the end-to-end test could not run"
        exit 1
    fi
    exit 77
}
die() { echo "E2E FAILED: $*"; exit 1; }
clock() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(clock)" 'BEGIN { printf "%.1f", b - a }'; }

# ---- can it run here? ----
for tool in qemu-system-x86_64 gcc mkfs.ext4 debugfs timeout flock; do
    command -v "$tool" >/dev/null || skip "$tool is not installed (.ci/run installs qemu-system-x86, debootstrap, e2fsprogs, gcc)"
done
if [ "$(id -u)" != 0 ] && ! ls "$cache"/l1-bookworm-*/complete >/dev/null 2>&1; then
    skip "building the L1 image needs root (debootstrap) and no cached image is in $cache"
fi
if [ "$(id -u)" = 0 ]; then
    command -v debootstrap >/dev/null || ls "$cache"/l1-bookworm-*/complete >/dev/null 2>&1 ||
        skip "debootstrap is not installed and no cached image is in $cache"
fi
[ -x "$bin" ] || die "no vfiogen binary at $bin"
rm -rf "$work"
mkdir -p "$work"

# ---- phase: L1 image (cached) ----
t=$(clock)
image=$("$e2e/build-image.sh" "$cache") || die "could not build the L1 image (see above)"
t_image=$(elapsed "$t")
echo "E2E phase image-build: ${t_image}s ($image)"

# ---- phase: L2 probe and per-run image ----
t=$(clock)
gcc -m32 -ffreestanding -nostdlib -fno-pie -no-pie -fno-stack-protector -fno-asynchronous-unwind-tables \
    -O2 -Wall -Wextra -Werror -static -Wl,-T,"$e2e/l2/probe.ld" -Wl,--build-id=none -Wl,-z,max-page-size=0x1000 \
    "$e2e/l2/boot.S" "$e2e/l2/probe.c" -o "$work/l2-probe.elf" || die "could not build the L2 probe (gcc -m32)"

# Every library the binary links against must be in the image, or L1 fails obscurely.
for lib in $(ldd "$bin" | awk '$2 == "=>" && $3 ~ /^\// { print $1 }'); do
    debugfs -R "stat /usr/lib/x86_64-linux-gnu/$lib" "$image/base.img" 2>/dev/null | grep -q '^Inode:' ||
        die "$bin links against $lib, which the L1 image lacks: add its package to tests/e2e/packages.txt"
done

# The base image stays cached and untouched: each run writes a copy, adds /e2e to it with
# debugfs (no mount, no root), and boots the copy with snapshot=on.
cp --reflink=auto --sparse=always "$image/base.img" "$work/l1.img"
{
    echo "mkdir /e2e"
    echo "mkdir /e2e/profiles"
    echo "write $bin /e2e/vfiogen"
    echo "write $e2e/l1-init.sh /e2e/l1-init.sh"
    echo "write $work/l2-probe.elf /e2e/l2-probe.elf"
    for f in "$e2e"/vm-*.yaml; do echo "write $f /e2e/${f##*/}"; done
    for f in "$e2e"/profiles/*.yaml; do echo "write $f /e2e/profiles/${f##*/}"; done
    echo "sif /e2e/vfiogen mode 0100755"
    echo "sif /e2e/l1-init.sh mode 0100755"
} >"$work/debugfs.cmd"
debugfs -w -f "$work/debugfs.cmd" "$work/l1.img" >"$work/debugfs.log" 2>&1 || die "debugfs could not write /e2e into the run image"
debugfs -R "stat /e2e/l1-init.sh" "$work/l1.img" 2>/dev/null | grep -q '^Inode:' || die "debugfs did not write /e2e/l1-init.sh"
t_prepare=$(elapsed "$t")
echo "E2E phase run-image: ${t_prepare}s (L2 probe built, vfiogen, VM files and profiles written to /e2e)"

# ---- phase: boot L1 ----
iommu=on
[ "$mode" = --iommu-off ] && iommu=off
cmdline="root=/dev/vda rw console=ttyS0 intel_iommu=$iommu iommu=pt vfiogen_e2e=1 init=/e2e/l1-init.sh panic=-1"
echo "E2E L1 kernel command line: $cmdline"
echo "E2E L1 serial log: $work/serial.log (limit ${limit}s)"
t=$(clock)
# PCI layout inside L1 (l1-init.sh and the VM files rely on it): root disk 00:03.0, edu 00:04.0,
# virtio-gpu-pci 00:05.0, edu 00:06.0 + virtio-rng-pci 00:06.1 as one multifunction device
# without ACS, i.e. one IOMMU group.
timeout --kill-after=10 "$limit" qemu-system-x86_64 \
    -accel tcg -machine q35,kernel-irqchip=split -cpu max -smp 2 -m 2048 \
    -device intel-iommu,intremap=on,caching-mode=on \
    -drive file="$work/l1.img",format=raw,if=none,id=root,snapshot=on \
    -device virtio-blk-pci,drive=root,addr=0x3 \
    -device edu,addr=0x4 \
    -device virtio-gpu-pci,addr=0x5 \
    -device edu,addr=0x6.0,multifunction=on \
    -device virtio-rng-pci,addr=0x6.1 \
    -kernel "$image/vmlinuz" -initrd "$image/initrd.img" -append "$cmdline" \
    -nographic -monitor none -serial file:"$work/serial.log" -no-reboot \
    >"$work/qemu.log" 2>&1
qemu_rc=$?
t_l1=$(elapsed "$t")
rm -f "$work/l1.img"
tr -d '\r' <"$work/serial.log" >"$work/serial.txt" 2>/dev/null || : >"$work/serial.txt"

echo "---- L1 markers (full log: $work/serial.log) ----"
grep -E '^(E2E-|    \| L2-)' "$work/serial.txt"
echo "----"
[ -s "$work/qemu.log" ] && { echo "L0 QEMU said:"; sed 's/^/  /' "$work/qemu.log"; }

marker_time() { # the seconds of E2E-TIME $1, or n/a when L1 did not get there
    grep -m1 "^E2E-TIME $1 " "$work/serial.txt" | awk '{ print $3 "s"; found = 1 } END { if (!found) print "n/a" }'
}
echo "E2E phase image-build: ${t_image}s"
echo "E2E phase run-image: ${t_prepare}s"
echo "E2E phase L1 boot (kernel start to init script): $(marker_time l1-boot)"
echo "E2E phase libvirtd start: $(marker_time libvirtd-start)"
echo "E2E phase define+start (render, check, define --start of the edu VM): $(marker_time define+start)"
echo "E2E phase L2 checks (edu): $(marker_time l2-checks-edu), (virtio-gpu incl. define+start): $(marker_time l2-checks-virtio-gpu)"
echo "E2E phase L1 run in total (L0 QEMU wall clock): ${t_l1}s"

if [ "$qemu_rc" = 124 ] || [ "$qemu_rc" = 137 ]; then
    last=$(grep -E '^E2E-(PASS|FAIL|SKIP)' "$work/serial.txt" | tail -n1)
    die "L1 did not power off within ${limit}s; last marker: ${last:-none}"
fi

if [ "$mode" = --iommu-off ]; then
    # Negative control: without the IOMMU the run must fail at step 1, and nothing may pass.
    grep -q '^E2E-FAIL step1 ' "$work/serial.txt" || die "negative control: intel_iommu=off did not fail at step 1"
    grep -q '^E2E-PASS ' "$work/serial.txt" && die "negative control: a step passed with intel_iommu=off"
    echo "E2E negative control passed: with intel_iommu=off L1 failed at step 1: $(grep -m1 '^E2E-FAIL step1 ' "$work/serial.txt")"
    exit 0
fi

status=0
if grep -q '^E2E-FAIL ' "$work/serial.txt"; then
    while read -r line; do echo "E2E FAILED at ${line#E2E-FAIL }"; done < <(grep '^E2E-FAIL ' "$work/serial.txt")
    status=1
fi
for step in step1 step2 step3 step4 step5a step5b; do
    if grep -q "^E2E-PASS $step " "$work/serial.txt"; then
        :
    elif grep -q "^E2E-SKIP $step:" "$work/serial.txt"; then
        if [ "${VFIOGEN_E2E_STRICT:-0}" = 1 ]; then
            echo "E2E FAILED: $step was skipped and VFIOGEN_E2E_STRICT=1"
            status=1
        fi
    elif ! grep -q "^E2E-FAIL $step " "$work/serial.txt"; then
        echo "E2E FAILED: no marker for $step (L1 stopped before it; see $work/serial.log)"
        status=1
    fi
done
grep -q '^E2E-DONE' "$work/serial.txt" || { echo "E2E FAILED: L1 never printed E2E-DONE"; status=1; }
skipped=$(grep '^E2E-SKIP ' "$work/serial.txt" | sed 's/^E2E-SKIP \([^:]*\):.*/\1/' | paste -sd' ' -)
if [ "$status" = 0 ]; then
    echo "E2E PASSED: every step passed${skipped:+; skipped (vfiogen lacks the command): $skipped}"
fi
exit "$status"
