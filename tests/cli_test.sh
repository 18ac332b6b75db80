#!/usr/bin/env bash
# End-to-end checks of the vfiogen command line: exit codes, --help, stdout vs -o,
# error text on stderr, and no partial or changed output file on failure.
# Usage: cli_test.sh PATH/TO/vfiogen SOURCE_DIR
set -u
vfiogen=$(realpath "$1")
src=$(realpath "$2")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0 failed=0

check() {  # check NAME EXPECTED_RC EXPECTED_STDERR_SUBSTRING -- COMMAND...
    local name=$1 want_rc=$2 want_err=$3
    shift 4
    "$@" >"$work/out" 2>"$work/err"
    local rc=$?
    local err_ok=1
    if [[ -z $want_err ]]; then
        [[ -s $work/err ]] && err_ok=0  # success cases print nothing on stderr
    else
        grep -qF -- "$want_err" "$work/err" || err_ok=0
    fi
    if [[ $rc -ne $want_rc || $err_ok -eq 0 ]]; then
        echo "FAIL: $name: rc=$rc (want $want_rc), stderr: $(head -c 400 "$work/err")"
        failed=$((failed + 1))
    else
        passed=$((passed + 1))
    fi
}

ex=$src/examples/pve-intel-igd-gen12.yaml

# Help and version.
check "--help" 0 "" -- "$vfiogen" --help
grep -q "render" "$work/out" || { echo "FAIL: --help lists no render command"; failed=$((failed + 1)); }
check "no arguments" 64 "Usage: vfiogen COMMAND" -- "$vfiogen"
check "--version" 0 "" -- "$vfiogen" --version
for cmd in render define attach keys profiles; do
    check "$cmd --help" 0 "" -- "$vfiogen" "$cmd" --help
    grep -q "^Usage: vfiogen $cmd" "$work/out" || { echo "FAIL: $cmd --help has no usage line"; failed=$((failed + 1)); }
    check "help $cmd" 0 "" -- "$vfiogen" help "$cmd"
done
check "unknown command" 64 "vfiogen: error: unknown command 'rendr' (did you mean 'render'?)" -- "$vfiogen" rendr
check "missing target" 64 "render: the option '--target' is required" -- "$vfiogen" render "$ex"
check "bad target" 64 "vfiogen: error: unknown target 'pv': use pve, pve-snippet or libvirt (did you mean 'pve'?)" -- "$vfiogen" render -t pv "$ex"
check "missing templates dir" 64 "--templates /nonexistent: no such directory" -- "$vfiogen" render -t pve --templates /nonexistent "$ex"

# Rendering to stdout and to a file.
check "render pve" 0 "" -- "$vfiogen" render -t pve "$ex"
cmp -s "$work/out" "$src/tests/golden/pve-intel-igd-gen12.pve.conf" || { echo "FAIL: stdout differs from golden"; failed=$((failed + 1)); }
check "render -o" 0 "" -- "$vfiogen" render -t libvirt "$ex" -o "$work/vm.xml"
cmp -s "$work/vm.xml" "$src/tests/golden/pve-intel-igd-gen12.libvirt.xml" || { echo "FAIL: -o file differs from golden"; failed=$((failed + 1)); }
[[ -s $work/out ]] && { echo "FAIL: -o also wrote to stdout"; failed=$((failed + 1)); }
check "render from stdin" 0 "" -- bash -c "cd '$src/examples' && '$vfiogen' render -t pve-snippet - < '$ex'"
check "keys markdown" 0 "" -- "$vfiogen" keys --format markdown
cmp -s "$work/out" "$src/docs/KEYS.md" || { echo "FAIL: keys --format markdown differs from docs/KEYS.md"; failed=$((failed + 1)); }
check "profiles" 0 "" -- "$vfiogen" profiles --profiles "$src/profiles"
grep -q "^intel-igd-gen12$" "$work/out" || { echo "FAIL: profiles does not list intel-igd-gen12"; failed=$((failed + 1)); }

# Warnings go to stderr and do not fail the run.
check "x-vga warning" 0 "warning: x-vga has no effect with firmware ovmf in PVE" -- \
    "$vfiogen" render -t pve "$src/examples/pve-amd-igpu-5700u.yaml"

# Bad input: file:line:col, a non-zero exit, and the existing output file untouched.
echo "keep me" >"$work/keep.conf"
printf 'name: vm\nvmid: 100\nmemroy_mib: 4096\n' >"$work/typo.yaml"
check "unknown key" 1 "$work/typo.yaml:3:1: error: unknown key 'memroy_mib' (did you mean 'memory_mib'?)" -- \
    "$vfiogen" render -t pve "$work/typo.yaml" -o "$work/keep.conf"
printf 'name: [vm\n' >"$work/syntax.yaml"
check "YAML syntax" 2 "$work/syntax.yaml:2:1: error: YAML syntax:" -- "$vfiogen" render -t pve "$work/syntax.yaml" -o "$work/keep.conf"
: >"$work/empty.yaml"
check "empty file" 2 "$work/empty.yaml: error: empty file" -- "$vfiogen" render -t pve "$work/empty.yaml" -o "$work/keep.conf"
check "directory" 2 "$src/examples: error: is a directory" -- "$vfiogen" render -t pve "$src/examples" -o "$work/keep.conf"
head -c 256 "$vfiogen" >"$work/binary.yaml"
check "binary file" 2 "$work/binary.yaml: error: binary file" -- "$vfiogen" render -t pve "$work/binary.yaml" -o "$work/keep.conf"
check "missing file" 2 "$work/nope.yaml: error: cannot open: No such file or directory" -- "$vfiogen" render -t pve "$work/nope.yaml"
[[ $(cat "$work/keep.conf") == "keep me" ]] || { echo "FAIL: a failed render changed the output file"; failed=$((failed + 1)); }
ls "$work" | grep -q '\.tmp\.' && { echo "FAIL: temporary file left behind"; failed=$((failed + 1)); }

# A target rule: legacy IGD on q35 is refused before anything is written.
sed 's/type: i440fx/type: q35/' "$ex" >"$work/igd-q35.yaml"
check "legacy IGD on q35" 1 "igd-q35.yaml:34:15: error: legacy IGD needs machine type i440fx, but this VM uses q35" -- \
    "$vfiogen" render -t pve "$work/igd-q35.yaml" --profiles "$src/profiles" -o "$work/new.conf"
[[ -e $work/new.conf ]] && { echo "FAIL: output created on error"; failed=$((failed + 1)); }
check "output dir missing" 74 "vfiogen: error: $work/no/dir.conf: cannot create a temporary file beside it" -- \
    "$vfiogen" render -t pve "$ex" -o "$work/no/dir.conf"

# define and attach on libvirt's in-process test driver (each run starts from its fresh state).
t10=$src/examples/libvirt-tesla-t10.yaml
note="note: preflight: test:///default is libvirt's test driver, which has no real host"
check "define --start" 0 "$note" -- "$vfiogen" define --connect test:///default --start "$t10"
printf "defined domain 'debian-t10' on test:///default\nstarted domain 'debian-t10'\n" | cmp -s - "$work/out" ||
    { echo "FAIL: define --start printed: $(cat "$work/out")"; failed=$((failed + 1)); }
check "define via LIBVIRT_DEFAULT_URI" 0 "$note" -- env LIBVIRT_DEFAULT_URI=test:///default "$vfiogen" define "$t10"
check "define --dry-run" 0 "dry run: would define new domain 'debian-t10' on test:///default and start it; nothing was changed" -- \
    "$vfiogen" define --connect test:///default --dry-run --start "$t10"
grep -q "^<domain type='kvm'>" "$work/out" || { echo "FAIL: define --dry-run printed no XML"; failed=$((failed + 1)); }
check "define, libvirt unreachable" 69 "vfiogen: error: connect to test:///no/such/host.xml: " -- \
    "$vfiogen" define --connect test:///no/such/host.xml "$t10"
check "define, bad VM file" 1 "igd-q35.yaml:34:15: error: legacy IGD needs machine type i440fx" -- \
    "$vfiogen" define --connect test:///default --profiles "$src/profiles" "$work/igd-q35.yaml"
check "attach needs --domain" 64 "attach: the option '--domain' is required" -- "$vfiogen" attach --connect test:///default "$t10"
host="test://$src/tests/data/libvirt/test-host.xml"
check "attach --diff --dry-run" 0 "dry run: would redefine domain 'win10' on $host; nothing was changed" -- \
    "$vfiogen" attach --connect "$host" --domain win10 --diff --dry-run "$src/examples/pve-nvidia-gt1030.yaml"
grep -q "^+    <hostdev mode='subsystem' type='pci' managed='yes'>" "$work/out" ||
    { echo "FAIL: attach --diff shows no added hostdev"; failed=$((failed + 1)); }
check "attach, no such domain" 69 "attach to 'nope' on test:///default: there is no domain 'nope'" -- \
    "$vfiogen" attach --connect test:///default --domain nope "$t10"

# Only one source file talks to libvirt's C API (STYLE.md habit 8).
includers=$(cd "$src" && grep -rl --include='*.cpp' --include='*.h' '#include <libvirt/' src tests | sort | tr '\n' ' ')
[[ $includers == "src/libvirt_api.cpp " ]] || { echo "FAIL: libvirt headers included by: $includers"; failed=$((failed + 1)); }

# The README's set-up commands and .ci/run stay in step: CI runs the README's test command and
# installs every package the README's first command installs.
readme_test=$(grep -m1 '^cmake -S . -B build && ' "$src/README.md")
grep -qxF "$readme_test" "$src/.ci/run" || { echo "FAIL: .ci/run does not run the README test command"; failed=$((failed + 1)); }
for pkg in $(grep -m1 '^apt-get update && apt-get install' "$src/README.md" | sed 's/.*install -y \([^&]*\)&&.*/\1/'); do
    grep -qw -- "$pkg" "$src/.ci/run" || { echo "FAIL: .ci/run does not install $pkg"; failed=$((failed + 1)); }
done

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
