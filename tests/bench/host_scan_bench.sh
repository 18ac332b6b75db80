#!/usr/bin/env bash
# Benchmark of `vfiogen host scan` (not a ctest test): generates a sysfs tree with N PCI functions
# (default 1,024: 256 GPUs with their HDMI audio on root ports, each pair in its own IOMMU group,
# plus 256 other endpoints), then times `host scan` and `host scan --json` over it, 11 runs each
# on one core (taskset -c 0); the median counts. Issue 13's goal: at most 50 ms at 1,024.
# Usage: tests/bench/host_scan_bench.sh [PATH/TO/vfiogen] [N]
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
vfiogen=$(realpath "${1:-$src/build/vfiogen}")
n=${2:-1024}
work=$(mktemp -d)
trap '[[ -n ${KEEP:-} ]] || rm -rf "$work"' EXIT
root=$work/host
sys=$root/sys
mkdir -p "$sys/bus/pci/devices" "$sys/kernel/iommu_groups" "$sys/class/iommu" "$sys/bus/pci/drivers/nouveau" \
    "$sys/bus/pci/drivers/snd_hda_intel" "$sys/bus/pci/drivers/pcieport" "$root/proc/sys/kernel" "$sys/module/kvm_intel"
echo "BOOT_IMAGE=/vmlinuz root=/dev/sda1 intel_iommu=on iommu=pt" >"$root/proc/cmdline"
echo "6.1.0-27-amd64" >"$root/proc/sys/kernel/osrelease"
printf 'processor\t: 0\nvendor_id\t: GenuineIntel\nflags\t\t: vmx\n\n' >"$root/proc/cpuinfo"
echo "kvm_intel 380928 0 - Live 0x0000000000000000" >"$root/proc/modules"
echo live >"$sys/module/kvm_intel/initstate"
mkdir -p "$sys/devices/virtual/iommu/dmar0" && ln -s ../../devices/virtual/iommu/dmar0 "$sys/class/iommu/dmar0"

# add_function DIR BDF VENDOR DEVICE CLASS DRIVER GROUP
add_function() {
    local dir=$1 bdf=$2
    mkdir -p "$dir"
    echo "$3" >"$dir/vendor"; echo "$4" >"$dir/device"; echo "$5" >"$dir/class"
    echo 0x1458 >"$dir/subsystem_vendor"; echo 0x3771 >"$dir/subsystem_device"
    [[ $5 == 0x030000 ]] && echo 0 >"$dir/boot_vga"
    echo bus >"$dir/reset_method"
    local rel=${dir#"$sys/"} up
    up=$(sed 's|[^/]*|..|g' <<<"$rel")
    ln -s "$up/bus/pci/drivers/$6" "$dir/driver"
    mkdir -p "$sys/kernel/iommu_groups/$7/devices"
    ln -s "$up/kernel/iommu_groups/$7" "$dir/iommu_group"
    ln -s "../../../../$rel" "$sys/kernel/iommu_groups/$7/devices/$bdf"
    ln -s "../../../$rel" "$sys/bus/pci/devices/$bdf"
}
count=0 group=0
for ((i = 0; count < n; i++)); do
    bus=$(printf '%02x' $((i % 250 + 1))) dom=$(printf '%04x' $((i / 250)))
    port="$sys/devices/pci$dom:00/$dom:00:01.$((i % 8))"
    port_bdf="$dom:00:01.$((i % 8))"
    if [[ ! -d $port ]]; then add_function "$port" "$port_bdf" 0x8086 0x1901 0x060400 pcieport $((group++)); count=$((count + 1)); fi
    if ((i % 3 < 2)); then
        add_function "$port/$dom:$bus:00.0" "$dom:$bus:00.0" 0x10de 0x1d01 0x030000 nouveau $group
        add_function "$port/$dom:$bus:00.1" "$dom:$bus:00.1" 0x10de 0x0fb8 0x040300 snd_hda_intel $group
        count=$((count + 2))
    else
        add_function "$port/$dom:$bus:00.0" "$dom:$bus:00.0" 0x8086 0x1533 0x020000 pcieport $group
        count=$((count + 1))
    fi
    group=$((group + 1))
done
functions=$(ls "$sys/bus/pci/devices" | wc -l)
pin=(); command -v taskset >/dev/null && pin=(taskset -c 0)

median_ms() {  # median_ms COMMAND...: the median wall time of 11 runs, in ms
    local times=() t0 t1
    for _ in $(seq 11); do
        t0=$(date +%s%N); "${pin[@]}" "$@" >/dev/null; t1=$(date +%s%N)
        times+=($(((t1 - t0) / 1000)))
    done
    printf '%s\n' "${times[@]}" | sort -n | sed -n 6p | awk '{printf "%.1f", $1 / 1000}'
}
"$vfiogen" host scan --root "$root" --all >/dev/null  # fails loudly if the tree is not readable
text=$(median_ms "$vfiogen" host scan --root "$root" --all)
json=$(median_ms "$vfiogen" host scan --root "$root" --all --json)
echo "host scan of $functions PCI functions ($(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | xargs)):"
echo "  text:   $text ms (median of 11, one core)"
echo "  --json: $json ms"
echo "  goal:   50 ms; ratio goal/text $(awk -v t="$text" 'BEGIN { printf "%.2f", 50 / t }')"
