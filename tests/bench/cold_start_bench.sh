#!/usr/bin/env bash
# Benchmark of a cold start (not a ctest test): `vfiogen render --target libvirt` of an example
# against `virt-install --print-xml` of the same VM (virtinst, when installed), and a C program
# that does nothing as the floor of process start. 21 runs each on one core (taskset -c 0); the
# median counts. Issue 13's goal: vfiogen at least 60 times faster than virt-install.
# Usage: tests/bench/cold_start_bench.sh [PATH/TO/vfiogen]
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
vfiogen=$(realpath "${1:-$src/build/vfiogen}")
example=$src/examples/libvirt-tesla-t10.yaml
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pin=(); command -v taskset >/dev/null && pin=(taskset -c 0)

median_ms() {  # median_ms COMMAND...: the median wall time of 21 runs, in ms
    local times=() t0 t1
    for _ in $(seq 21); do
        t0=$(date +%s%N); "${pin[@]}" "$@" >/dev/null 2>&1; t1=$(date +%s%N)
        times+=($(((t1 - t0) / 1000)))
    done
    printf '%s\n' "${times[@]}" | sort -n | sed -n 11p | awk '{printf "%.1f", $1 / 1000}'
}
printf 'int main(void) { return 0; }\n' >"$work/true.c"
floor=n/a
if command -v cc >/dev/null && cc -O2 -o "$work/true" "$work/true.c"; then floor=$(median_ms "$work/true"); fi
ours=$(median_ms "$vfiogen" render --target libvirt "$example")
echo "cold start ($(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | xargs)):"
echo "  empty C program:                 $floor ms"
echo "  vfiogen render --target libvirt: $ours ms (median of 21, one core)"
echo "  libraries vfiogen loads:         $(ldd "$vfiogen" | wc -l) (libvirt.so among them: $(ldd "$vfiogen" | grep -c libvirt.so || true))"
if command -v virt-install >/dev/null; then
    # The example's VM as far as libvirt's test driver allows: 8 GiB, 8 vCPUs, a 64 GiB disk, a NIC.
    # The test driver offers no q35 and no UEFI (i686 "pc" only) and lists no PCI node device, so
    # virt-install gets no --machine/--boot uefi/--host-device; its start-up (Python, libosinfo)
    # is what costs, and it does strictly less work here than vfiogen does.
    vi=(virt-install --print-xml --connect test:///default --name debian-t10 --memory 8192 --vcpus 8
        --disk size=64,path="$work/disk.qcow2" --network network=default --osinfo debian11 --noautoconsole)
    "${vi[@]}" >/dev/null  # fails loudly if this virt-install cannot do it
    theirs=$(median_ms "${vi[@]}")
    echo "  virt-install --print-xml:        $theirs ms"
    echo "  ratio: $(awk -v a="$theirs" -v b="$ours" 'BEGIN { printf "%.1f", a / b }')x (goal 60x)"
else
    echo "  virt-install: not installed (apt-get install virtinst), no ratio"
fi
