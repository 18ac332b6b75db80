#!/usr/bin/env bash
# Benchmark of vfiogen on hostile input (issue 17 section 2; not a ctest test): for each class of
# input that once hung vfiogen, crashed it or ate its memory, generates the input, runs the command
# once under /usr/bin/time -v (Debian package `time`) with a 60 s timeout, and prints the exit
# code, wall time and peak RSS. Every class should end in well under a second with a few tens of
# MiB; a timeout (exit 124) or a figure in GiB is a regression.
# Usage: tests/bench/hostile_bench.sh [PATH/TO/vfiogen]
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
vfiogen=$(realpath "${1:-$src/build/vfiogen}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ex=$src/examples/pve-nvidia-gt1030.yaml
hosts=$src/tests/data/hosts

# Nested alias lists: level K is ten aliases of level K-1 (10^6 nodes from 330 bytes).
{
    printf 'name: vm\nvmid: 100\nl0: &l0 [a, a, a, a, a, a, a, a, a, a]\n'
    for k in 1 2 3 4 5; do
        p="*l$((k - 1))"
        printf 'l%d: &l%d [%s, %s, %s, %s, %s, %s, %s, %s, %s, %s]\n' "$k" "$k" "$p" "$p" "$p" "$p" "$p" "$p" "$p" "$p" "$p" "$p"
    done
} >"$work/laughs.yaml"
# 24 KB of valid keys: one passthrough entry with 300 functions, aliased 500 times (150,000
# function mappings for the validator).
{
    printf 'name: vm\nvmid: 100\npassthrough:\n  - &d {profile: nvidia-gt1030, functions: ['
    for ((i = 0; i < 300; i++)); do printf '{role: gpu, host: "01:00.0"}, '; done
    printf ']}\n'
    for ((i = 0; i < 500; i++)); do printf '  - *d\n'; done
} >"$work/aliased-passthrough.yaml"
# 1 MB of aliases of a 10 KB QEMU argument (about 2.5 GB of arguments once expanded).
{
    printf 'name: vm\nvmid: 100\nqemu_args:\n  - &a -%s\n' "$(head -c 9999 /dev/zero | tr '\0' x)"
    for ((i = 0; i < 125000; i++)); do printf '  - *a\n'; done
} >"$work/aliased-args.yaml"
# 100,000 QEMU arguments written out.
{
    printf 'name: vm\nvmid: 100\nqemu_args:\n'
    for ((i = 0; i < 100000; i++)); do printf '  - -no-hpet\n'; done
} >"$work/args-100k.yaml"
# A 4 MiB conf of `a: 1` lines and a domain with 20,000 <qemu:arg>.
head -c 4194300 < <(yes 'a: 1') >"$work/huge.conf"
{
    printf "<domain type='kvm' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>\n<name>t</name>\n"
    printf "<memory unit='MiB'>1024</memory>\n<os><type arch='x86_64' machine='pc'>hvm</type></os>\n<qemu:commandline>\n"
    for ((i = 0; i < 20000; i++)); do printf "<qemu:arg value='-no-hpet'/>\n"; done
    printf '</qemu:commandline>\n</domain>\n'
} >"$work/args-20k.xml"
# Many files, each at the findings cap: 200 and 2,000 confs of 2,000 unknown keys. The report is
# streamed, so peak RSS should not grow with the number of files.
mkdir "$work/confs-200" "$work/confs-2000"
head -c 12000 < <(yes 'a: 1') >"$work/confs-200/0.conf"
for ((i = 1; i < 200; i++)); do cp "$work/confs-200/0.conf" "$work/confs-200/$i.conf"; done
for ((i = 0; i < 2000; i++)); do cp "$work/confs-200/0.conf" "$work/confs-2000/$i.conf"; done
# 10,000 nested template sections.
mkdir "$work/templates"
{
    for ((i = 0; i < 10000; i++)); do printf '{{#name}}'; done
    for ((i = 0; i < 10000; i++)); do printf '{{/name}}'; done
} >"$work/templates/pve.conf.mustache"
# Host trees: a FIFO as proc/modules, /dev/zero as proc/cpuinfo, a FIFO as a device's vendor.
cp -r "$hosts/gt1030" "$work/fifo-host" && rm "$work/fifo-host/proc/modules" && mkfifo "$work/fifo-host/proc/modules"
cp -r "$hosts/gt1030" "$work/zero-host" && ln -sf /dev/zero "$work/zero-host/proc/cpuinfo"
cp -r "$hosts/gt1030" "$work/vendor-host"
vendor=$(find "$work/vendor-host/sys/devices" -name vendor | head -1)
rm "$vendor" && mkfifo "$vendor"

run() {  # run CLASS COMMAND...: one line of figures
    local class=$1
    shift
    set +e
    timeout 60 /usr/bin/time -v "$@" >"$work/out.txt" 2>"$work/time.txt"
    local rc=$?
    set -e
    local wall rss
    wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$work/time.txt")
    rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/time.txt")
    # A run killed by the timeout has no figures from time(1).
    local mib=-
    [[ -n $rss ]] && mib=$(awk -v k="$rss" 'BEGIN { printf "%.1f", k / 1024 }')
    printf '%-34s exit %3s  wall %8s  peak RSS %7s MiB  %s\n' "$class" "$rc" "${wall:-timeout}" "$mib" \
        "$(cat "$work/time.txt" "$work/out.txt" | grep -m1 -E 'error(\[|:)|more than' | sed -e "s#$work/##g" -e 's/^ *//' | cut -c1-90)"
}

echo "vfiogen: $vfiogen"
run "yaml: nested aliases (330 B)" "$vfiogen" render -t pve "$work/laughs.yaml"
run "yaml: aliased passthrough (13 KB)" "$vfiogen" render -t pve --profiles "$src/profiles" "$work/aliased-passthrough.yaml"
run "yaml: aliased qemu_args (1 MB)" "$vfiogen" render -t pve "$work/aliased-args.yaml"
run "yaml: 100k qemu_args, check" "$vfiogen" check "$work/args-100k.yaml"
run "stdin: /dev/zero, render" bash -c '"$0" render -t pve - </dev/zero' "$vfiogen"
run "stdin: /dev/zero, check" bash -c '"$0" check - </dev/zero' "$vfiogen"
run "stdin: /dev/zero, host check" bash -c '"$0" host check --root "$1" - </dev/zero' "$vfiogen" "$hosts/gt1030"
run "check: 4 MiB conf of a: 1, sarif" "$vfiogen" check --format sarif "$work/huge.conf"
run "check: 200 confs at the cap, sarif" "$vfiogen" check --format sarif "$work/confs-200"
run "check: 2000 confs at the cap, sarif" "$vfiogen" check --format sarif "$work/confs-2000"
run "check: 20k <qemu:arg> domain" "$vfiogen" check "$work/args-20k.xml"
run "templates: 10k nested sections" "$vfiogen" render -t pve --templates "$work/templates" "$ex"
run "host: FIFO proc/modules" "$vfiogen" host scan --root "$work/fifo-host"
run "host: /dev/zero proc/cpuinfo" "$vfiogen" host scan --root "$work/zero-host"
run "host: FIFO device vendor" "$vfiogen" host scan --root "$work/vendor-host"
