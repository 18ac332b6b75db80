#!/usr/bin/env bash
# Benchmark of `vfiogen check` (not a ctest test): generates N varied VM files (default 1000),
# checks them all in one `vfiogen check` run (each VM file as itself, rendered to a PVE conf and
# to libvirt XML in memory, the conf and XML rules; the built-in template's renderings skip
# RelaxNG, which the test suite proves they pass), then checks the same N domains as foreign
# libvirt XML files (read back strictly, RelaxNG, the XML rules), then runs `virt-xml-validate`
# over those N XML files, as CI pipelines do today. Each runs on one core (taskset -c 0), three
# times (the median counts). Prints configs/s, vfiogen's peak RSS (/usr/bin/time -v, Debian
# package `time`) and the speed ratio. Issue 13's goals: 5,000 VM files/s and 2,500 XML files/s.
# Usage: tests/bench/check_bench.sh [PATH/TO/vfiogen] [N]
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
vfiogen=$(realpath "${1:-$src/build/vfiogen}")
n=${2:-1000}
# VFIOGEN_BENCH_DIR keeps the generated files there (for profiling); else a temporary directory.
if [[ -n ${VFIOGEN_BENCH_DIR:-} ]]; then
    work=$VFIOGEN_BENCH_DIR
else
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
fi
mkdir -p "$work/vms" "$work/xml"

# Five passthrough shapes from the seeds, with varied hosts, sizes, machines and NICs.
for ((i = 0; i < n; i++)); do
    bus=$(printf '%02x' $((i % 200 + 1)))
    bus2=$(printf '%02x' $((i % 40 + 210)))
    mem=$((2048 * (i % 8 + 1)))
    cores=$((i % 8 + 1))
    case $((i % 5)) in
    0) machine=i440fx display=none pass="  - profile: intel-hd630
    functions:
      - {role: igd, host: \"0000:00:02.0\"}
      - {role: audio, host: \"0000:00:1f.3\"}" ;;
    1) machine=q35 display=none pass="  - profile: nvidia-gt1030
    host: \"0000:$bus:00\"" ;;
    2) machine=q35 display=none pass="  - profile: amd-ryzen-5700u-igpu
    functions:
      - {role: gpu, host: \"0000:$bus:00.0\"}
      - {role: audio, host: \"0000:$bus:00.1\"}" ;;
    3) machine=q35 display=std pass="  - profile: nvidia-tesla-t10
    host: \"0000:$bus:00.0\"" ;;
    4) machine=q35 display=virtio pass="  - profile: intel-arc-a380
    functions:
      - {role: gpu, host: \"0000:$bus:00.0\"}
      - {role: audio, host: \"0000:$bus2:00.0\"}" ;;
    esac
    cat >"$work/vms/vm$i.yaml" <<VM
name: vm$i
vmid: $((1000 + i))
ostype: $([[ $((i % 3)) -eq 0 ]] && echo l26 || echo win10)
memory_mib: $mem
cpu: {model: host, cores: $cores}
machine: {type: $machine, version: "7.2"}
firmware: {type: $([[ $((i % 7)) -eq 0 ]] && echo seabios || echo ovmf)}
display: $display
disks:
  - {bus: $([[ $((i % 2)) -eq 0 ]] && echo scsi || echo sata), size_gib: $((32 + i % 100))}
nics:
  - {model: virtio, bridge: vmbr$((i % 3))}
passthrough:
$pass
VM
done

# Each side runs three times on core 0; the median counts, so a burst from another process on
# this shared machine moves neither figure much.
median() { printf '%s\n' "$@" | sort -g | sed -n 2p; }
seconds_since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { print b - a }'; }

check_times=()
rss_kib=0
for run in 1 2 3; do
    start=$(date +%s.%N)
    set +e
    taskset -c 0 /usr/bin/time -v "$vfiogen" check --profiles "$src/profiles" "$work/vms" >"$work/check.out" 2>"$work/time.txt"
    rc=$?
    set -e
    check_times+=("$(seconds_since "$start")")
    if [[ $rc -ne 0 ]]; then
        echo "vfiogen check failed (exit $rc):"; tail -5 "$work/check.out"; exit 1
    fi
    rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/time.txt")
    ((rss > rss_kib)) && rss_kib=$rss
done

# The same VMs' libvirt XML, rendered outside the measurement, then virt-xml-validate on each.
for ((i = 0; i < n; i++)); do
    "$vfiogen" render -t libvirt --profiles "$src/profiles" "$work/vms/vm$i.yaml" -o "$work/xml/vm$i.xml"
done
xml_times=()
for run in 1 2 3; do
    start=$(date +%s.%N)
    set +e
    taskset -c 0 "$vfiogen" check "$work/xml" >"$work/check-xml.out" 2>&1
    rc=$?
    set -e
    xml_times+=("$(seconds_since "$start")")
    if [[ $rc -ne 0 ]]; then
        echo "vfiogen check of the XML files failed (exit $rc):"; tail -5 "$work/check-xml.out"; exit 1
    fi
done
validate_times=()
for run in 1 2 3; do
    start=$(date +%s.%N)
    taskset -c 0 bash -c 'for f in "$1"/*.xml; do virt-xml-validate "$f" domain >/dev/null 2>&1 || { echo "invalid: $f"; exit 1; }; done' _ "$work/xml"
    validate_times+=("$(seconds_since "$start")")
done

check_s=$(median "${check_times[@]}")
validate_s=$(median "${validate_times[@]}")
xml_s=$(median "${xml_times[@]}")
echo "runs (s):           vfiogen check ${check_times[*]}; check XML ${xml_times[*]}; virt-xml-validate loop ${validate_times[*]}"
awk -v n="$n" -v c="$check_s" -v x="$xml_s" -v v="$validate_s" -v rss="$rss_kib" 'BEGIN {
    printf "vfiogen check:      %d VM files (each: load, 2 renderings, conf+XML rules) in %.2f s = %.0f configs/s (goal 5000: %.2f), peak RSS %.1f MiB\n", n, c, n / c, n / c / 5000, rss / 1024
    printf "vfiogen check XML:  %d foreign XML files (each: strict read, RelaxNG, XML rules) in %.2f s = %.0f configs/s (goal 2500: %.2f)\n", n, x, n / x, n / x / 2500
    printf "virt-xml-validate:  %d XML files in %.2f s = %.0f configs/s\n", n, v, n / v
    printf "ratio:              vfiogen check is %.1fx faster than the virt-xml-validate loop (XML: %.1fx)\n", v / c, v / x
}'
printf 'summary line:       %s\n' "$(tail -1 "$work/check.out")"
