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
# "vfiogen X.Y.Z (git COMMIT)": the commit this build was configured from (12 hex digits in a git
# checkout, "unknown" from a tarball).
grep -Eq '^vfiogen [0-9]+\.[0-9]+\.[0-9]+ \(git ([0-9a-f]{12}|unknown)\)$' "$work/out" ||
    { echo "FAIL: --version: $(cat "$work/out")"; failed=$((failed + 1)); }
if head=$(git -C "$src" rev-parse --short=12 HEAD 2>/dev/null); then
    grep -qF "(git $head)" "$work/out" || { echo "FAIL: --version does not name HEAD $head: $(cat "$work/out")"; failed=$((failed + 1)); }
fi
for cmd in render define attach keys profiles check; do
    check "$cmd --help" 0 "" -- "$vfiogen" "$cmd" --help
    grep -q "^Usage: vfiogen $cmd" "$work/out" || { echo "FAIL: $cmd --help has no usage line"; failed=$((failed + 1)); }
    check "help $cmd" 0 "" -- "$vfiogen" help "$cmd"
done
check "unknown command" 64 "vfiogen: error: unknown command 'rendr' (did you mean 'render'?)" -- "$vfiogen" rendr
# Boost.Program_options' own errors in the command's words; the positional is not an option in --help.
check "missing VM file" 64 "render: missing VM.yaml (the usage line names it)" -- "$vfiogen" render -t pve
check "two VM files" 64 "render: takes one VM.yaml, and got more arguments than that" -- "$vfiogen" render -t pve "$ex" "$ex"
check "misspelt option" 64 "render: unknown option '--targte' (did you mean '--target'?)" -- "$vfiogen" render --targte pve "$ex"
check "render --help" 0 "" -- "$vfiogen" render --help
grep -q -- "--vm-file" "$work/out" && fail "render --help lists the positional VM file as an option"
check "missing target" 64 "render: --target is required" -- "$vfiogen" render "$ex"
check "bad target" 64 "vfiogen: error: unknown --target 'pv': use pve, pve-snippet, qm or libvirt (did you mean 'pve'?)" -- "$vfiogen" render -t pv "$ex"
check "missing templates dir" 64 "--templates /nonexistent: no such directory" -- "$vfiogen" render -t pve --templates /nonexistent "$ex"

# Rendering to stdout and to a file.
check "render pve" 0 "" -- "$vfiogen" render -t pve "$ex"
cmp -s "$work/out" "$src/tests/golden/pve-intel-igd-gen12.pve.conf" || { echo "FAIL: stdout differs from golden"; failed=$((failed + 1)); }
check "render -o" 0 "" -- "$vfiogen" render -t libvirt "$ex" -o "$work/vm.xml"
cmp -s "$work/vm.xml" "$src/tests/golden/pve-intel-igd-gen12.libvirt.xml" || { echo "FAIL: -o file differs from golden"; failed=$((failed + 1)); }
[[ -s $work/out ]] && { echo "FAIL: -o also wrote to stdout"; failed=$((failed + 1)); }
check "render from stdin" 0 "" -- bash -c "cd '$src/examples' && '$vfiogen' render -t pve-snippet --profiles ../profiles - < '$ex'"
# Profiles come only from where the user chose: not ./profiles or ../profiles for stdin, not the
# profiles/ of a VM file's parent directory (which, for /tmp/X/vm.yaml, any local user can plant).
check "stdin does not search ./profiles" 1 "<stdin>:31:14: error: hardware profile 'intel-igd-gen12' not found" -- \
    bash -c "cd '$src' && '$vfiogen' render -t pve-snippet - < '$ex'"
mkdir -p "$work/shared/X" "$work/shared/profiles" && cp "$ex" "$work/shared/X/vm.yaml" && cp "$src/profiles"/intel-igd-*.yaml "$work/shared/profiles/"
check "no profiles/ of the parent directory" 1 "vm.yaml:31:14: error: hardware profile 'intel-igd-gen12' not found" -- \
    "$vfiogen" render -t pve-snippet "$work/shared/X/vm.yaml"
chmod 0777 "$work/shared/profiles"
check "a world-writable profile directory is refused" 1 "is writable by others (mode 0777): anyone who can write there can plant or change profiles; run 'chmod go-w $work/shared/profiles'" -- \
    "$vfiogen" render -t pve-snippet --profiles "$work/shared/profiles" "$work/shared/X/vm.yaml"
touch "$work/shared/.vfiogen.yaml" && chmod 0755 "$work/shared/profiles"
check "the project's profiles/ (.vfiogen.yaml)" 0 "" -- "$vfiogen" render -t pve-snippet "$work/shared/X/vm.yaml"
check "keys markdown" 0 "" -- "$vfiogen" keys --format markdown
cmp -s "$work/out" "$src/docs/KEYS.md" || { echo "FAIL: keys --format markdown differs from docs/KEYS.md"; failed=$((failed + 1)); }
check "profiles" 0 "" -- "$vfiogen" profiles --profiles "$src/profiles"
grep -q "^intel-igd-gen12$" "$work/out" || { echo "FAIL: profiles does not list intel-igd-gen12"; failed=$((failed + 1)); }

# x-vga=1 under OVMF is rendered without a warning (qemu-server still acts on it).
check "x-vga under ovmf" 0 "" -- "$vfiogen" render -t pve "$src/examples/pve-amd-igpu-5700u.yaml"

# Bad input: file:line:col, a non-zero exit, and the existing output file untouched.
echo "keep me" >"$work/keep.conf"
printf 'name: vm\nvmid: 100\nmemroy_mib: 4096\n' >"$work/typo.yaml"
check "unknown key" 1 "$work/typo.yaml:3:1: error: unknown key 'memroy_mib' (did you mean 'memory_mib'?)" -- \
    "$vfiogen" render -t pve "$work/typo.yaml" -o "$work/keep.conf"
printf 'name: vm\nvmid: 100\nlooking_glass:\n  resolution: 3840x2160\n  size_mib: 96\n' >"$work/lg.yaml"
check "Looking Glass size" 1 "$work/lg.yaml:5:13: error: Looking Glass size_mib 96 is not a power of two (IVSHMEM needs one; the next is 128)" -- \
    "$vfiogen" render -t libvirt "$work/lg.yaml" -o "$work/keep.conf"
printf 'name: vm\nvmid: 100\nlooking_glass:\n  kvmfr: true\n' >"$work/kvmfr.yaml"
check "kvmfr on PVE" 1 "$work/kvmfr.yaml:4:10: error: kvmfr is not available for PVE" -- \
    "$vfiogen" render -t pve "$work/kvmfr.yaml" -o "$work/keep.conf"
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
# The error shows the line it is about, with a caret under the column (line 34, column 15).
want_excerpt=$(printf '    %s\n    %14s^' "$(sed -n 34p "$work/igd-q35.yaml")" "")
[[ $(tail -n 2 "$work/err") == "$want_excerpt" ]] ||
    { echo "FAIL: no source line and caret under the error: $(cat "$work/err")"; failed=$((failed + 1)); }
check "output dir missing" 74 "vfiogen: error: $work/no/dir.conf: cannot open its directory $work/no: No such file or directory" -- \
    "$vfiogen" render -t pve "$ex" -o "$work/no/dir.conf"

# -o writes only where asked: through symlinks, in place on devices, never over an input.
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }
check "-o /dev/full" 74 "vfiogen: error: /dev/full: write failed: No space left on device" -- \
    "$vfiogen" render -t pve "$ex" -o /dev/full
check "-o /dev/null" 0 "" -- "$vfiogen" render -t pve "$ex" -o /dev/null
[[ -c /dev/null ]] || fail "-o /dev/null replaced the device"
check "-o ''" 64 "vfiogen: error: -o: the output path is empty" -- "$vfiogen" render -t pve "$ex" -o ""
mkdir -p "$work/pve" && echo "old" >"$work/pve/100.conf" && ln -s pve/100.conf "$work/link.conf"
chmod 0640 "$work/pve/100.conf" && chown 1000:1000 "$work/pve/100.conf" 2>/dev/null
owner=$(stat -c %u:%g "$work/pve/100.conf")
check "-o through a symlink" 0 "" -- "$vfiogen" render -t pve-snippet "$ex" -o "$work/link.conf"
[[ -L $work/link.conf ]] || fail "-o replaced the symlink itself"
grep -q '^hostpci0: ' "$work/pve/100.conf" || fail "-o did not write the symlink's target"
[[ $(stat -c %a "$work/pve/100.conf") == 640 && $(stat -c %u:%g "$work/pve/100.conf") == "$owner" ]] ||
    fail "-o changed mode or owner: $(stat -c '%a %u:%g' "$work/pve/100.conf")"
ln "$work/pve/100.conf" "$work/hard.conf"
check "-o a hard-linked file" 74 "$work/hard.conf: has 2 hard links" -- "$vfiogen" render -t pve-snippet "$ex" -o "$work/hard.conf"
cp "$ex" "$work/self.yaml"
check "-o the VM file itself" 74 "$work/self.yaml: is an input of this run" -- "$vfiogen" render -t pve --profiles "$src/profiles" "$work/self.yaml" -o "$work/self.yaml"
cmp -s "$ex" "$work/self.yaml" || fail "render -o VM.yaml replaced the VM file"
mkdir -p "$work/own/profiles" && cp "$src/profiles"/intel-igd-*.yaml "$work/own/profiles/" && cp "$ex" "$work/own/vm.yaml"
check "-o a profile" 74 "is the input $work/own/profiles/intel-igd-gen12.yaml of this run" -- \
    "$vfiogen" render -t pve --profiles "$work/own/profiles" "$work/own/vm.yaml" -o "$work/own/profiles/../profiles/intel-igd-gen12.yaml"
# A conf written as <N>.conf must be VM N's (this example's vmid is 130).
check "-o another VMID's conf" 1 "pve-intel-igd-gen12.yaml:6:7: error: vmid 130 does not match the output $work/101.conf: PVE reads 101.conf as VM 101, which would then use VM 130's disks; write to 130.conf or change vmid" -- \
    "$vfiogen" render -t pve "$ex" -o "$work/101.conf"
[[ -e $work/101.conf ]] && fail "a conf for VM 130 was written as 101.conf"
check "-o the VMID's own conf" 0 "" -- "$vfiogen" render -t pve-snippet "$ex" -o "$work/130.conf"
check "-o <N>.conf is no PVE conf for libvirt" 0 "" -- "$vfiogen" render -t libvirt "$ex" -o "$work/101.conf"
# Every command's stdout is checked: output lost to a full disk is exit 74, never success.
for cmdline in "keys" "check --list-rules" "check $src/examples/pve-nvidia-gt1030.yaml" \
    "host scan --root $src/tests/data/hosts/gt1030" "host check --root $src/tests/data/hosts/gt1030 $src/examples/pve-nvidia-gt1030.yaml" \
    "host config --root $src/tests/data/hosts/gt1030 --distro debian $src/examples/pve-nvidia-gt1030.yaml" \
    "profiles --profiles $src/profiles" "render -t libvirt $ex" "--help"; do
    # shellcheck disable=SC2086
    "$vfiogen" $cmdline >/dev/full 2>"$work/err"
    rc=$?
    [[ $rc -eq 74 ]] && grep -q "standard output: write failed" "$work/err" || fail "$cmdline >/dev/full: rc=$rc $(cat "$work/err")"
done

# vfiogen check: findings on stdout, exit 0 clean / 1 findings at or above --fail-on / 2 unreadable.
expect_out() {  # expect_out NAME FIXED_STRING: the last command's stdout holds the string
    grep -qF -- "$2" "$work/out" || { echo "FAIL: $1: stdout lacks '$2': $(head -c 600 "$work/out")"; failed=$((failed + 1)); }
}
data=$src/tests/data/check
# Snippets are left out: they are not whole confs (no machine key unless the VM file pins a version).
check "check clean" 0 "" -- "$vfiogen" check "$src"/examples/*.yaml "$src/profiles" "$src"/tests/golden/*.pve.conf "$src"/tests/golden/*.xml "$data/clean"
clean_inputs=$(ls "$src"/examples/*.yaml "$src"/profiles/*.yaml "$src"/tests/golden/*.pve.conf "$src"/tests/golden/*.xml "$data"/clean/* | wc -l)
expect_out "check clean summary" "$clean_inputs files checked: 0 errors, 1 warning"  # seed 003: Secure Boot keys with legacy IGD
check "check warnings pass" 0 "" -- "$vfiogen" check "$data/broken/chipset-audio.conf"
check "check --fail-on warning" 1 "" -- "$vfiogen" check --fail-on warning "$data/broken/chipset-audio.conf"
expect_out "chipset finding" "chipset-audio.conf:5:11: warning[chipset-slot]: this passes the whole chipset slot 0000:00:1f"
check "check --host-root" 1 "" -- "$vfiogen" check --fail-on warning --host-root "$src/tests/data/hosts/intel-adl" "$data/broken/chipset-audio.conf"
expect_out "host-root finding" "for the onboard audio give the single function 0000:00:1f.3"
check "check --qemu-version" 1 "" -- "$vfiogen" check --qemu-version 9.0 - <<<"args: -no-hpet"
expect_out "qemu-version finding" "<stdin>:1:7: error[qemu-arg-removed]: '-no-hpet' was removed in QEMU 9.0 (target QEMU 9.0)"
check "check bad --qemu-version" 64 "--qemu-version: 'nine' is not a QEMU release" -- "$vfiogen" check --qemu-version nine x.conf
check "check broken conf" 1 "" -- "$vfiogen" check "$data/broken/131.conf"
expect_out "broken conf finding" "$data/broken/131.conf:4:24: error[pve-legacy-igd]: legacy-igd needs an i440fx machine type (pc or pc-i440fx-X.Y), not 'pc-q35-8.0'"
expect_out "broken conf hint" "    hint: Follow the requirement the message names; legacy IGD is placed at guest 00:02.0 by PVE."
expect_out "broken conf summary" "1 file checked: 4 errors, 1 warning"
check "check stdin" 1 "" -- bash -c "'$vfiogen' check - < '$data/broken/arc.xml'"
expect_out "stdin by content" "<stdin>:21:5: error[lv-commandline-set]: '-set device.ua-gpu0.x-vga=on' in <qemu:commandline> is broken"
check "check json" 1 "" -- "$vfiogen" check --format json "$data/broken/131.conf"
expect_out "json summary" '"errors": 4,'
check "check sarif" 1 "" -- "$vfiogen" check --format sarif "$data/broken"
expect_out "sarif version" '"version": "2.1.0"'
expect_out "sarif rule" '"ruleId": "pve-legacy-igd"'
check "check github" 1 "" -- "$vfiogen" check --format github "$data/broken/131.conf"
expect_out "github annotation" "::error file=$data/broken/131.conf,line="
check "check gitlab" 1 "" -- "$vfiogen" check --format gitlab "$data/broken/131.conf"
python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); assert d and all(i["fingerprint"] and i["location"]["lines"]["begin"] >= 1 for i in d)' "$work/out" ||
    fail "check --format gitlab is no Code Quality report"
# -o FILE: the report goes to FILE, the text to stdout; FILE is replaced whole.
echo "old" >"$work/report.sarif"
check "check -o" 1 "" -- "$vfiogen" check --format sarif -o "$work/report.sarif" "$data/broken/131.conf"
expect_out "check -o prints text" "1 file checked: 4 errors, 1 warning"
python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); assert d["runs"][0]["results"][0]["partialFingerprints"]["vfiogen/v1"]' "$work/report.sarif" ||
    fail "check -o wrote no SARIF with fingerprints"
check "check -o onto an input" 74 "is an input of this run: writing it would destroy what was read" -- "$vfiogen" check --format sarif -o "$data/broken/131.conf" "$data/broken/131.conf"
check "check bad format" 64 "unknown --format 'githb': use text, json, sarif, github, gitlab or markdown (did you mean 'github'?)" -- \
    "$vfiogen" check --format githb "$data/broken/131.conf"
# .vfiogen.yaml: found above the files; a broken one stops the run before any report is written.
mkdir -p "$work/cfg/pve/legacy" && cp "$data/broken/131.conf" "$work/cfg/pve/131.conf" && cp "$data/broken/131.conf" "$work/cfg/pve/legacy/"
printf 'ignore:\n  - pve/legacy/*\n' >"$work/cfg/.vfiogen.yaml"
check "check with .vfiogen.yaml" 1 "" -- "$vfiogen" check "$work/cfg"
expect_out "config ignore" "1 file checked: 4 errors, 1 warning"
printf 'rulez: {}\n' >"$work/cfg/.vfiogen.yaml"
check "check with a broken .vfiogen.yaml" 2 "$work/cfg/.vfiogen.yaml:1:1: error: unknown key 'rulez' (did you mean 'rules'?)" -- \
    "$vfiogen" check --format sarif "$work/cfg"
[[ -s $work/out ]] && fail "check wrote a partial report before the broken .vfiogen.yaml"
# Colour: never in a pipe by default; --color always; on a terminal (script(1) gives one) unless NO_COLOR.
esc=$'\033['
check "check, no colour in a pipe" 1 "" -- "$vfiogen" check "$data/broken/131.conf"
grep -qF "$esc" "$work/out" && fail "check coloured a pipe"
check "check --color always" 1 "" -- "$vfiogen" check --color always "$data/broken/131.conf"
grep -qF "${esc}1;31merror[" "$work/out" || fail "check --color always has no red error"
script -qec "'$vfiogen' check '$data/broken/131.conf'" /dev/null >"$work/tty.txt" 2>&1
grep -qF "${esc}1;31merror[" "$work/tty.txt" || fail "check on a terminal is not coloured"
NO_COLOR=1 script -qec "'$vfiogen' check '$data/broken/131.conf'" /dev/null >"$work/tty.txt" 2>&1
grep -qF "$esc" "$work/tty.txt" && fail "check coloured a terminal with NO_COLOR set"
check "host check --color always" 0 "" -- "$vfiogen" host check --color always --root "$src/tests/data/hosts/two-t10" --profiles "$src/profiles" "$src/tests/data/vms/two-t10.yaml"
grep -qF "${esc}1;32mPASS${esc}0m" "$work/out" || fail "host check --color always has no green PASS"
check "keys bad --doc" 64 "vfiogen: error: unknown --doc 'profiel': use vm or profile (did you mean 'profile'?)" -- "$vfiogen" keys --format json-schema --doc profiel
check "completion bad shell" 64 "vfiogen: error: unknown --shell 'fish': use bash or zsh" -- "$vfiogen" completion fish
check "check --format markdown without --list-rules" 64 "vfiogen: error: --format markdown is for --list-rules" -- "$vfiogen" check --format markdown "$data/broken/131.conf"
check "check --color bad" 64 "vfiogen: error: unknown --color 'sometimes': use auto, always or never" -- "$vfiogen" check --color sometimes "$data/broken/131.conf"
printf '<domain>\n  <name>x</nam>\n</domain>\n' >"$work/bad.xml"
check "check not well-formed" 2 "" -- "$vfiogen" check "$work/bad.xml" "$data/clean"
expect_out "well-formedness line:col" "$work/bad.xml:2:12: error[unreadable]: XML is not well-formed: Start-end tags mismatch"
mkdir "$work/no-configs"
check "check empty folder" 2 "" -- "$vfiogen" check "$work/no-configs"
expect_out "empty folder" "$work/no-configs: error[unreadable]: no .yaml, .yml, .conf or .xml file in this directory"
check "check missing" 2 "" -- "$vfiogen" check "$work/nope.conf"
expect_out "missing file" "$work/nope.conf: error[unreadable]: cannot open: No such file or directory"
check "check bad format" 64 "vfiogen: error: unknown --format 'yaml': use text, json, sarif, github, gitlab or markdown" -- "$vfiogen" check --format yaml "$data"
check "check bad fail-on" 64 "vfiogen: error: unknown --fail-on 'warn': use error or warning (did you mean 'warning'?)" -- "$vfiogen" check --fail-on warn "$data"
check "check no paths" 64 "vfiogen: error: check: give at least one PATH" -- "$vfiogen" check
check "check --list-rules" 0 "" -- "$vfiogen" check --list-rules
expect_out "list-rules" "pve-legacy-igd          error    legacy-igd=1 needs vga: none"
check "rules markdown" 0 "" -- "$vfiogen" check --list-rules --format markdown
cmp -s "$work/out" "$src/docs/RULES.md" || { echo "FAIL: check --list-rules --format markdown differs from docs/RULES.md"; failed=$((failed + 1)); }
# --pve-version: the release line keys and values are judged for (pve_schema.cpp).
printf 'machine: q35,aw-bits=39\nhostpci0: 0000:01:00.0,pcie=1,driver=vfio\n' >"$work/105.conf"
check "check newest PVE" 0 "" -- "$vfiogen" check "$work/105.conf"
check "check PVE 8.4" 1 "" -- "$vfiogen" check --pve-version 8.4 "$work/105.conf"
expect_out "version finding" "$work/105.conf:1:14: error[pve-version]: sub-key 'aw-bits' in 'machine' needs PVE 9.0 or later; this conf is checked for PVE 8.4 (--pve-version)"
check "unknown PVE version" 64 "vfiogen: error: --pve-version: unknown PVE version '7.4': the schema knows 8.0" -- \
    "$vfiogen" check --pve-version 7.4 "$work/105.conf"
check "render unknown PVE version" 64 "unknown PVE version '10'" -- "$vfiogen" render -t pve --pve-version 10 "$ex"
# pve mapping: pci.cfg from host scans; the conf's mapping= checked against it.
printf 'name: m\nvmid: 150\nmachine:\n  type: q35\npassthrough:\n  - profile: nvidia-gt1030\n    mapping: gt1030\n' >"$work/m.yaml"
check "scan pve1" 0 "" -- "$vfiogen" host scan --json --root "$src/tests/data/hosts/gt1030"
cp "$work/out" "$work/pve1.json"
mkdir -p "$work/mapping"
check "pve mapping" 0 "" -- "$vfiogen" pve mapping --profiles "$src/profiles" "$work/m.yaml" --node pve1="$work/pve1.json" -o "$work/mapping/pci.cfg"
grep -q "^	map id=10de:1d01,iommugroup=1,node=pve1,path=0000:01:00,subsystem-id=1458:3771$" "$work/mapping/pci.cfg" ||
    { echo "FAIL: pve mapping wrote $(cat "$work/mapping/pci.cfg")"; failed=$((failed + 1)); }
check "render mapping" 0 "" -- "$vfiogen" render -t pve --profiles "$src/profiles" "$work/m.yaml" -o "$work/150.conf"
check "check conf with its mapping" 0 "" -- "$vfiogen" check "$work/150.conf" "$work/mapping/pci.cfg"
check "scan pve2" 0 "" -- "$vfiogen" host scan --json --root "$src/tests/data/hosts/two-t10"
cp "$work/out" "$work/pve2.json"
check "pve mapping no match" 1 "$work/m.yaml:7:14: error: node 'pve2' ($work/pve2.json) has no device matching" -- \
    "$vfiogen" pve mapping --profiles "$src/profiles" "$work/m.yaml" --node pve1="$work/pve1.json" --node pve2="$work/pve2.json" \
    -o "$work/mapping/pci.cfg"
grep -q "node=pve1" "$work/mapping/pci.cfg" || { echo "FAIL: a failed pve mapping changed its -o file"; failed=$((failed + 1)); }
check "pve --help" 0 "" -- "$vfiogen" pve mapping --help
check "check schema missing" 2 "/nonexistent.rng: error: cannot read the libvirt RelaxNG schema" -- \
    "$vfiogen" check --schema /nonexistent.rng "$data/clean/hd630.xml"

# check DIR never follows a symlink out of DIR (a pull request adding configs/x.conf -> ../.git/config).
mkdir -p "$work/repo/configs/sub" && cp "$data/clean/hd630.xml" "$work/repo/configs/" && printf '[core]\n\tbare = false\n' >"$work/repo/secret"
ln -s ../secret "$work/repo/configs/x.conf" && ln -s ../hd630.xml "$work/repo/configs/sub/inside.xml"
check "check DIR skips a symlink out of DIR" 0 "$work/repo/configs/x.conf: note: not followed: a symlink to $work/repo/secret, outside $work/repo/configs" -- \
    "$vfiogen" check "$work/repo/configs"
expect_out "symlink inside DIR is checked" "2 files checked"
grep -q "bare" "$work/out" && fail "check quoted a file outside DIR"

# The sample CI job (examples/ci/vfiogen-check.yml) passes on its sample folder and fails once a
# broken conf is added to it. (--profiles stands in for the installed profiles the sample's
# vfiogen finds; tests/ci-samples runs the sample itself in a clean root.) Its seed-003 conf warns once:
# Secure Boot keys with legacy IGD.
check "CI sample clean" 0 "" -- "$vfiogen" check --profiles "$src/profiles" "$src/examples/ci/configs"
expect_out "CI sample summary" "4 files checked: 0 errors, 1 warning"
cp -r "$src/examples/ci/configs" "$work/ci-configs" && cp "$data/broken/131.conf" "$work/ci-configs/pve/131.conf"
check "CI sample broken" 1 "" -- "$vfiogen" check --profiles "$src/profiles" "$work/ci-configs"
expect_out "CI sample finding" "$work/ci-configs/pve/131.conf:5:11: error[pve-hostpci-id]"
grep -qF 'vfiogen check --format sarif -o vfiogen.sarif "$CONFIGS"' "$src/examples/ci/vfiogen-check.yml" ||
    { echo "FAIL: the sample workflow no longer runs the command tested here"; failed=$((failed + 1)); }

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
sed 's/^name: debian-t10$/name: test/' "$t10" >"$work/named-test.yaml"
check "define over a domain vfiogen did not define" 1 "named-test.yaml:4:7: error: domain 'test' on test:///default was not defined by vfiogen" -- \
    "$vfiogen" define --connect test:///default --profiles "$src/profiles" "$work/named-test.yaml"
grep -qF "add the passthrough to it with 'vfiogen attach --domain test $work/named-test.yaml'" "$work/err" || fail "define: no pointer to attach"
check "define, libvirt unreachable" 69 "vfiogen: error: connect to test:///no/such/host.xml: " -- \
    "$vfiogen" define --connect test:///no/such/host.xml "$t10"
check "define, bad VM file" 1 "igd-q35.yaml:34:15: error: legacy IGD needs machine type i440fx" -- \
    "$vfiogen" define --connect test:///default --profiles "$src/profiles" "$work/igd-q35.yaml"
check "attach needs --domain" 64 "attach: give --domain NAME (libvirt) or --vmid N / --pve-conf FILE (Proxmox VE)" -- "$vfiogen" attach --connect test:///default "$t10"
check "attach --pve-version unknown" 64 "vfiogen: error: --pve-version: unknown PVE version '7.4'" -- \
    "$vfiogen" attach --pve-conf "$src/tests/data/pve/win11-120.conf" --pve-version 7.4 --dry-run "$src/examples/pve-nvidia-gt1030.yaml"
check "attach --pve-version is for PVE" 64 "attach: --pve-root, --print-qm and --pve-version are for Proxmox VE" -- \
    "$vfiogen" attach --domain x --connect test:///default --pve-version 8.0 "$t10"
host="test://$src/tests/data/libvirt/test-host.xml"
check "attach --diff --dry-run" 0 "dry run: would redefine domain 'win10' on $host; nothing was changed" -- \
    "$vfiogen" attach --connect "$host" --domain win10 --diff --dry-run "$src/examples/pve-nvidia-gt1030.yaml"
grep -q "^+    <hostdev mode='subsystem' type='pci' managed='yes'>" "$work/out" ||
    { echo "FAIL: attach --diff shows no added hostdev"; failed=$((failed + 1)); }
check "attach, no such domain" 69 "attach to 'nope' on test:///default: there is no domain 'nope'" -- \
    "$vfiogen" attach --connect test:///default --domain nope "$t10"

# Only one source file talks to libvirt's C API: tests/layers_test.py (ctest layers).

# libvirt is opened only by define and attach (dlopen): the binary does not link it, and with an
# unloadable libvirt.so.0 first on the search path render, check and host scan still work while
# define says which package is missing.
if readelf -d "$vfiogen" | grep -q 'NEEDED.*libvirt'; then echo "FAIL: vfiogen links libvirt.so"; failed=$((failed + 1)); fi
mkdir -p "$work/nolibvirt" && : >"$work/nolibvirt/libvirt.so.0"
check "render without libvirt" 0 "" -- env LD_LIBRARY_PATH="$work/nolibvirt" "$vfiogen" render -t libvirt "$t10"
check "check without libvirt" 0 "" -- env LD_LIBRARY_PATH="$work/nolibvirt" "$vfiogen" check "$t10"
check "host scan without libvirt" 0 "" -- env LD_LIBRARY_PATH="$work/nolibvirt" "$vfiogen" host scan --root "$src/tests/data/hosts/gt1030"
check "define without libvirt" 69 "install Debian's package libvirt0 to define or attach domains" -- \
    env LD_LIBRARY_PATH="$work/nolibvirt" "$vfiogen" define --connect test:///default "$t10"

# Host commands read a fixture tree (tests/data/hosts) through --root / --sysfs-root / --proc-root.
hosts=$src/tests/data/hosts
check "host --help" 0 "" -- "$vfiogen" host --help
grep -q "^  scan " "$work/out" || { echo "FAIL: host --help lists no scan"; failed=$((failed + 1)); }
check "host without subcommand" 64 "Usage: vfiogen host SUBCOMMAND" -- "$vfiogen" host
check "unknown host subcommand" 64 "vfiogen: error: unknown host subcommand 'scna' (did you mean 'scan'?)" -- "$vfiogen" host scna
check "host scan --help" 0 "" -- "$vfiogen" host scan --help
grep -q "^Usage: vfiogen host scan" "$work/out" || { echo "FAIL: host scan --help has no usage line"; failed=$((failed + 1)); }
check "host scan" 0 "" -- "$vfiogen" host scan --root "$hosts/gt1030"
grep -qxF "0000:01:00.0 VGA compatible controller [0300]: NVIDIA Corporation GP108 [GeForce GT 1030] [10de:1d01]" "$work/out" ||
    { echo "FAIL: host scan does not name the GT 1030"; failed=$((failed + 1)); }
check "host scan sysfs/proc roots" 0 "" -- "$vfiogen" host scan --all --sysfs-root "$hosts/intel-adl/sys" --proc-root "$hosts/intel-adl/proc"
[[ $(grep -c '^0000:' "$work/out") -eq 7 ]] || { echo "FAIL: host scan --all does not list 7 functions"; failed=$((failed + 1)); }
check "host scan --json" 0 "" -- "$vfiogen" host scan --json --root "$hosts/two-t10"
grep -q '"bdf": "0000:d8:00.0"' "$work/out" || { echo "FAIL: host scan --json lacks 0000:d8:00.0"; failed=$((failed + 1)); }
check "host scan missing root" 2 "$work/none/sys/bus/pci/devices: error: cannot read the host's PCI devices: No such file or directory" -- \
    "$vfiogen" host scan --root "$work/none"
check "host check --help" 0 "" -- "$vfiogen" host check --help
check "host check: FAIL exits 1" 1 "" -- "$vfiogen" host check --root "$hosts/gt1030" "$src/examples/pve-nvidia-gt1030.yaml"
grep -qxF "FAIL  iommu-group: IOMMU group 1 also holds 0000:02:00.0 [0200] 8086:1533 on igb, which the VM does not pass: QEMU refuses a group that is not viable" "$work/out" ||
    { echo "FAIL: host check does not report the NIC in the GT 1030's group"; failed=$((failed + 1)); }
check "host check: WARN exits 0" 0 "" -- "$vfiogen" host check --root "$hosts/two-t10" --profiles "$src/profiles" "$src/tests/data/vms/two-t10.yaml"
tail -1 "$work/out" | grep -qxF "12 passed, 0 notes, 1 warnings, 0 failed" || { echo "FAIL: host check summary"; failed=$((failed + 1)); }
check "host check --fail-on warning" 1 "" -- "$vfiogen" host check --fail-on warning --root "$hosts/two-t10" --profiles "$src/profiles" "$src/tests/data/vms/two-t10.yaml"
check "host check --list-rules" 0 "" -- "$vfiogen" host check --list-rules
[[ $(grep -c "^[a-z]" "$work/out") -eq 21 ]] && grep -q "^iommu-group  *error  *Every other member" "$work/out" || { echo "FAIL: host check --list-rules"; failed=$((failed + 1)); }
check "host check without VM file" 64 "vfiogen: error: host check: give a VM file; see 'vfiogen host check --help'" -- "$vfiogen" host check
check "host check --json" 0 "" -- "$vfiogen" host check --json --root "$hosts/two-t10" --profiles "$src/profiles" "$src/tests/data/vms/two-t10.yaml"
grep -q '"rule": "cmdline-acs-override"' "$work/out" || { echo "FAIL: host check --json"; failed=$((failed + 1)); }
check "host check bad --fail-on" 64 "vfiogen: error: unknown --fail-on 'warn': use error or warning (did you mean 'warning'?)" -- \
    "$vfiogen" host check --fail-on warn --root "$hosts/two-t10" --profiles "$src/profiles" "$src/tests/data/vms/two-t10.yaml"
# One report pipeline with check: the same formats and --fail-on words ('fail', host check's old
# word, still means error).
check "host check --fail-on fail" 0 "" -- "$vfiogen" host check --fail-on fail --root "$hosts/two-t10" --profiles "$src/profiles" "$src/tests/data/vms/two-t10.yaml"
check "host check --format sarif" 0 "" -- "$vfiogen" host check --format sarif --root "$hosts/two-t10" --profiles "$src/profiles" "$src/tests/data/vms/two-t10.yaml"
python3 -c 'import json,sys; run=json.load(open(sys.argv[1]))["runs"][0]; ids=[r["id"] for r in run["tool"]["driver"]["rules"]]; assert "iommu-group" in ids and "pve-legacy-igd" not in ids, ids; assert [r["ruleId"] for r in run["results"]] == ["cmdline-acs-override"], run["results"]' "$work/out" \
    || { echo "FAIL: host check --format sarif"; failed=$((failed + 1)); }
check "host check --format text" 0 "" -- "$vfiogen" host check --format text --root "$hosts/two-t10" --profiles "$src/profiles" "$src/tests/data/vms/two-t10.yaml"
expect_out "host check text report" "$hosts/two-t10/proc/cmdline: warning[cmdline-acs-override]: pcie_acs_override=downstream,multifunction"
check "host check --format bad" 64 "vfiogen: error: unknown --format 'sarf': use checklist, text, json, sarif, github or gitlab (did you mean 'sarif'?)" -- \
    "$vfiogen" host check --format sarf --root "$hosts/two-t10" "$src/tests/data/vms/two-t10.yaml"
check "host check missing VM file" 2 "$work/nope.yaml: error: cannot open: No such file or directory" -- \
    "$vfiogen" host check --root "$hosts/two-t10" "$work/nope.yaml"
check "host check unreadable host" 2 "$work/none/sys/bus/pci/devices: error: cannot read the host's PCI devices" -- \
    "$vfiogen" host check --root "$work/none" --profiles "$src/profiles" "$src/tests/data/vms/two-t10.yaml"
check "host config --help" 0 "" -- "$vfiogen" host config --help
check "host config prints" 0 "" -- "$vfiogen" host config --root "$hosts/gt1030" --distro debian "$src/examples/pve-nvidia-gt1030.yaml"
grep -qxF "options vfio-pci ids=10de:1d01,10de:0fb8 disable_vga=1" "$work/out" || { echo "FAIL: host config ids line"; failed=$((failed + 1)); }
check "host config -o DIR" 0 "" -- "$vfiogen" host config --root "$hosts/gt1030" --distro debian "$src/examples/pve-nvidia-gt1030.yaml" -o "$work/etcroot"
grep -qxF "softdep nouveau pre: vfio-pci" "$work/etcroot/etc/modprobe.d/vfio.conf" || { echo "FAIL: host config -o wrote no vfio.conf"; failed=$((failed + 1)); }
[[ -f $work/etcroot/etc/modules-load.d/vfio.conf && -f $work/etcroot/etc/default/grub.d/vfio.cfg ]] || { echo "FAIL: host config -o files"; failed=$((failed + 1)); }
gt=(--root "$hosts/gt1030" --distro debian "$src/examples/pve-nvidia-gt1030.yaml")
check "host config -o DIR again" 0 "" -- "$vfiogen" host config "${gt[@]}" -o "$work/etcroot"
grep -qxF "unchanged $work/etcroot/etc/modprobe.d/vfio.conf" "$work/out" || fail "host config rerun: $(cat "$work/out")"
check "host config -o ''" 64 "vfiogen: error: -o: the output directory is empty" -- "$vfiogen" host config "${gt[@]}" -o ""
mkdir -p "$work/linked/elsewhere" && ln -s elsewhere "$work/linked/etc"
check "host config -o DIR with DIR/etc a symlink" 74 "$work/linked/etc: is a symlink; vfiogen writes only inside $work/linked" -- \
    "$vfiogen" host config "${gt[@]}" -o "$work/linked"
[[ -z $(ls -A "$work/linked/elsewhere") ]] || fail "host config wrote through DIR/etc -> elsewhere"
mkdir -p "$work/handmade/etc/modprobe.d" && echo "options vfio-pci ids=1234:5678" >"$work/handmade/etc/modprobe.d/vfio.conf"
check "host config keeps a hand-written file" 0 "" -- "$vfiogen" host config "${gt[@]}" -o "$work/handmade"
grep -qxF "  (it was not written by vfiogen: the previous file is kept as $work/handmade/etc/modprobe.d/vfio.conf.vfiogen-old)" "$work/out" ||
    fail "host config did not say where the hand-written file went: $(cat "$work/out")"
grep -qxF "options vfio-pci ids=1234:5678" "$work/handmade/etc/modprobe.d/vfio.conf.vfiogen-old" || fail "hand-written vfio.conf lost"
check "host config two identical GPUs" 0 "vfiogen: warning: ids=10de:1e37 would also claim 0000:3b:00.0 (nvidia)" -- \
    "$vfiogen" host config --root "$hosts/two-t10" --distro arch --profiles "$src/profiles" "$src/tests/data/vms/two-t10.yaml"
check "host config refuses /" 64 "vfiogen: error: -o / would write into /etc: add --install if that is what you want" -- \
    "$vfiogen" host config --root "$hosts/gt1030" --distro debian "$src/examples/pve-nvidia-gt1030.yaml" -o /
check "host config bad distro" 64 "vfiogen: error: unknown --distro 'debain': use debian, proxmox, arch or fedora (did you mean 'debian'?)" -- \
    "$vfiogen" host config --root "$hosts/gt1030" --distro debain "$src/examples/pve-nvidia-gt1030.yaml"
check "host config bad boot" 64 "vfiogen: error: unknown --boot 'grub2': use grub or systemd-boot (did you mean 'grub'?)" -- \
    "$vfiogen" host config --root "$hosts/gt1030" --distro debian --boot grub2 "$src/examples/pve-nvidia-gt1030.yaml"
# One vfio.conf serves every VM: a run for one VM must not drop another's claims.
t10=("$src/tests/data/vms/two-t10.yaml" --profiles "$src/profiles")
check "host config -o, VM A" 0 "would also claim 0000:3b:00.0" -- "$vfiogen" host config --root "$hosts/two-t10" "${t10[@]}" -o "$work/owners"
check "host config -o, VM B alone" 64 "$work/owners/etc/modprobe.d/vfio.conf claims functions for VM 'debian-t10', which this run does not name" -- \
    "$vfiogen" host config --root "$hosts/two-t10" "$src/examples/pve-nvidia-gt1030.yaml" -o "$work/owners"
grep -qF "VM 'debian-t10'" "$work/owners/etc/modprobe.d/vfio.conf" || fail "host config replaced another VM's vfio.conf"
check "host config -o, VMs A and B" 0 "would also claim 0000:3b:00.0" -- \
    "$vfiogen" host config --root "$hosts/two-t10" "${t10[@]}" "$src/examples/pve-nvidia-gt1030.yaml" -o "$work/owners"
head -1 "$work/owners/etc/modprobe.d/vfio.conf" | grep -qF "for VMs 'debian-t10', 'win10-gt1030':" ||
    fail "host config for two VMs: $(head -1 "$work/owners/etc/modprobe.d/vfio.conf")"
check "host config -o, VM B alone with --force" 0 "" -- \
    "$vfiogen" host config --root "$hosts/two-t10" "$src/examples/pve-nvidia-gt1030.yaml" -o "$work/owners" --force
check "host config: the same VM twice" 64 "VM 'debian-t10' is named twice" -- \
    "$vfiogen" host config --root "$hosts/two-t10" "${t10[@]}" "$src/tests/data/vms/two-t10.yaml"
# --distro defaults to the host tree's own: gt1030 has PVE's OVMF package, iommu-off has no os-release.
check "host config: the host's distribution" 0 "" -- "$vfiogen" host config --root "$hosts/gt1030" "$src/examples/pve-nvidia-gt1030.yaml"
head -1 "$work/out" | grep -qF "): proxmox, grub" || fail "host config did not take gt1030 for Proxmox: $(head -1 "$work/out")"
check "host config: unknown distribution" 64 "vfiogen: error: cannot tell the host's distribution from $hosts/iommu-off/etc/os-release: give --distro" -- \
    "$vfiogen" host config --root "$hosts/iommu-off" "$src/examples/libvirt-intel-hd630.yaml"
# Host files are laid out by templates that --templates overrides; an override must keep the marker.
mkdir -p "$work/host-templates"
printf '# Written by vfiogen host config (site layout)\n{{#claim}}{{.}}\n{{/claim}}' >"$work/host-templates/host-modprobe-vfio.conf.mustache"
check "host config --templates" 0 "" -- "$vfiogen" host config "${gt[@]}" --templates "$work/host-templates" -o "$work/tpl-root"
[[ $(cat "$work/tpl-root/etc/modprobe.d/vfio.conf") == "# Written by vfiogen host config (site layout)
options vfio-pci ids=10de:1d01,10de:0fb8 disable_vga=1" ]] || fail "host config --templates: $(cat "$work/tpl-root/etc/modprobe.d/vfio.conf")"
grep -qxF "softdep nouveau pre: vfio-pci" "$work/tpl-root/etc/modprobe.d/vfio.conf" && fail "host config --templates kept the built-in layout"
printf 'options vfio-pci ids=1234:5678\n' >"$work/host-templates/host-modprobe-vfio.conf.mustache"
check "host config --templates without the marker" 1 "$work/host-templates/host-modprobe-vfio.conf.mustache: error: the template's output lacks the line 'Written by vfiogen host config'" -- \
    "$vfiogen" host config "${gt[@]}" --templates "$work/host-templates" -o "$work/tpl-root2"
[[ -e $work/tpl-root2 ]] && fail "host config wrote files although a template was refused"
check "init --help" 0 "" -- "$vfiogen" init --help
check "init --from-host to stdout" 0 "" -- "$vfiogen" init --from-host 01:00 --root "$hosts/gt1030" --profiles "$src/profiles"
grep -qxF "  - profile: nvidia-gt1030" "$work/out" || { echo "FAIL: init did not pick nvidia-gt1030"; failed=$((failed + 1)); }
check "init -o, then render" 0 "" -- "$vfiogen" init --from-host 00:02.0 --root "$hosts/intel-adl" --profiles "$src/profiles" -o "$work/igd.yaml"
echo "# my edits" >>"$work/igd.yaml"
check "init -o an existing file" 74 "vfiogen: error: $work/igd.yaml: exists (and may hold your edits); add --force to replace it" -- \
    "$vfiogen" init --from-host 00:02.0 --root "$hosts/intel-adl" --profiles "$src/profiles" -o "$work/igd.yaml"
grep -q "^# my edits" "$work/igd.yaml" || fail "init -o replaced an edited VM file"
check "init -o --force" 0 "" -- "$vfiogen" init --from-host 00:02.0 --root "$hosts/intel-adl" --profiles "$src/profiles" -o "$work/igd.yaml" --force
grep -q "^# my edits" "$work/igd.yaml" && fail "init --force did not replace the VM file"
check "render what init wrote" 0 "" -- "$vfiogen" render -t pve --profiles "$src/profiles" "$work/igd.yaml"
grep -qxF "hostpci1: 0000:00:1f.3,romfile=gen12_gop.rom" "$work/out" || { echo "FAIL: init output does not render the audio"; failed=$((failed + 1)); }
check "init without a profile needs -o" 1 "--from-host: error: no hardware profile matches 02:00.0" -- \
    "$vfiogen" init --from-host 02:00.0 --root "$hosts/gt1030" --profiles "$src/profiles"
mkdir -p "$work/nic"
check "init writes a new profile" 0 "vfiogen: wrote the new profile $work/nic/profiles/host-8086-1533.yaml" -- \
    "$vfiogen" init --from-host 02:00.0 --root "$hosts/gt1030" -o "$work/nic/vm.yaml"
check "render with the new profile" 0 "" -- "$vfiogen" render -t libvirt "$work/nic/vm.yaml"
check "init bad BDF" 64 "vfiogen: error: --from-host '7:00.9': PCI function 9 in '7:00.9' is out of range 0-7" -- \
    "$vfiogen" init --from-host 7:00.9 --root "$hosts/gt1030"
check "init missing --from-host" 64 "init: --from-host is required" -- "$vfiogen" init

# render --target qm: a sh script bash reads, whose qm create options are conf keys with values
# qemu-server's schema accepts: a stand-in `qm` (first on PATH) turns each `--key value` back into a
# conf line, and check must find no error in that conf.
mkdir -p "$work/qm-bin"
cat >"$work/qm-bin/qm" <<'QM'
#!/bin/sh
[ "$1" = create ] || exit 3
shift 2
while [ $# -gt 1 ]; do printf '%s: %s\n' "${1#--}" "$2"; shift 2; done
QM
chmod +x "$work/qm-bin/qm"
for example in "$src"/examples/*.yaml; do
    stem=$(basename "$example" .yaml)
    "$vfiogen" render -t qm "$example" -o "$work/$stem.sh" 2>/dev/null
    bash -n "$work/$stem.sh" || { echo "FAIL: qm script of $stem does not pass bash -n"; failed=$((failed + 1)); }
    PATH="$work/qm-bin:$PATH" sh "$work/$stem.sh" >"$work/$stem.from-qm.conf" ||
        { echo "FAIL: qm script of $stem did not run"; failed=$((failed + 1)); }
    check "qm options of $stem are conf keys" 0 "" -- "$vfiogen" check "$work/$stem.from-qm.conf"
done
grep -qx "name: win10-gt1030" "$work/pve-nvidia-gt1030.from-qm.conf" || { echo "FAIL: qm name option lost"; failed=$((failed + 1)); }
grep -qx "boot: order=scsi0;net0" "$work/pve-nvidia-gt1030.from-qm.conf" || { echo "FAIL: quoted ';' lost"; failed=$((failed + 1)); }

# attach for Proxmox VE, on a copy of a GUI-made conf under --pve-root (tests/data/pve/win11-120.conf).
gt=$src/examples/pve-nvidia-gt1030.yaml
pve=$work/pve
mkdir -p "$pve/etc/pve/qemu-server"
conf=$pve/etc/pve/qemu-server/120.conf
cp "$src/tests/data/pve/win11-120.conf" "$conf"
check "attach --print-qm" 0 "nothing was written" -- "$vfiogen" attach "$gt" --vmid 120 --pve-root "$pve" --print-qm
expect_out "attach --print-qm command" "qm set 120 --digest '$(sha1sum "$src/tests/data/pve/win11-120.conf" | cut -d' ' -f1)' --cpu 'x86-64-v2-AES,hidden=1,hv-vendor-id=vfiogen' --hostpci0 '0000:01:00,pcie=1' --vga 'none'"
check "attach --dry-run" 0 "dry run: would update $conf; nothing was changed" -- "$vfiogen" attach "$gt" --vmid 120 --pve-root "$pve" --dry-run --diff
cmp -s "$conf" "$src/tests/data/pve/win11-120.conf" || { echo "FAIL: --dry-run changed the conf"; failed=$((failed + 1)); }
[[ -e $pve/var/lock/qemu-server ]] && { echo "FAIL: --dry-run made the lock folder"; failed=$((failed + 1)); }
chmod 0640 "$conf"
check "attach --vmid" 0 "" -- "$vfiogen" attach "$gt" --vmid 120 --pve-root "$pve"
[[ $(stat -c %a "$conf") == 640 ]] || { echo "FAIL: attach changed the conf's mode to $(stat -c %a "$conf")"; failed=$((failed + 1)); }
ls -A "$pve/etc/pve/qemu-server" | grep -qv '^12[02].conf$' && { echo "FAIL: attach left files: $(ls -A "$pve/etc/pve/qemu-server")"; failed=$((failed + 1)); }
expect_out "attach says what it did" "updated $conf with the passthrough settings of pve-nvidia-gt1030.yaml"
[[ -f $pve/var/lock/qemu-server/lock-120.conf ]] || { echo "FAIL: attach took no qemu-server lock file"; failed=$((failed + 1)); }
cp "$conf" "$work/after-first"
expect_out "attach on a stopped VM says nothing of a restart" "with the passthrough settings of pve-nvidia-gt1030.yaml"
grep -q "is running" "$work/out" && { echo "FAIL: attach thinks a stopped VM runs"; failed=$((failed + 1)); }
check "attach again" 0 "" -- "$vfiogen" attach "$gt" --vmid 120 --pve-root "$pve"
expect_out "attach again says so" "VM 120 ($conf) already has the passthrough settings of pve-nvidia-gt1030.yaml; nothing changed"
cmp -s "$conf" "$work/after-first" || { echo "FAIL: a second attach changed the conf"; failed=$((failed + 1)); }
check "attached conf checks clean" 0 "" -- "$vfiogen" check "$conf"
mkdir -p "$pve/var/run/qemu-server" && echo 4242 >"$pve/var/run/qemu-server/120.pid"
cp "$src/tests/data/pve/win11-120.conf" "$conf"
check "attach to a running VM" 0 "" -- "$vfiogen" attach "$gt" --vmid 120 --pve-root "$pve"
expect_out "attach to a running VM says how to apply" "VM 120 is running ($pve/var/run/qemu-server/120.pid): the new devices arrive when QEMU restarts; a reboot inside the guest is not enough: qm shutdown 120 && qm start 120"
cmp -s "$conf" "$work/after-first" || { echo "FAIL: attach to a running VM wrote something else"; failed=$((failed + 1)); }
rm "$pve/var/run/qemu-server/120.pid"
sed 's/^agent: 1$/agent: 1\nlock: backup/' "$src/tests/data/pve/win11-120.conf" >"$conf"
cp "$conf" "$work/locked"
check "attach refuses lock: backup" 1 "$conf:5:1: error: VM 120 is locked (backup)" -- "$vfiogen" attach "$gt" --vmid 120 --pve-root "$pve"
cmp -s "$conf" "$work/locked" || { echo "FAIL: a refused attach changed the conf"; failed=$((failed + 1)); }
check "check notes a lock and passes" 0 "" -- "$vfiogen" check --fail-on warning "$conf"
expect_out "check lock note" "120.conf:5:1: note[pve-locked]: the VM is locked (backup)"
expect_out "check lock summary" "1 file checked: 0 errors, 0 warnings, 1 note"
check "attach missing VM" 1 "$pve/etc/pve/qemu-server/121.conf: error: cannot read the VM conf: No such file or directory" -- \
    "$vfiogen" attach "$gt" --vmid 121 --pve-root "$pve"
[[ -e $pve/var/lock/qemu-server/lock-121.conf ]] && { echo "FAIL: a lock file for a VM that is not there"; failed=$((failed + 1)); }
ln -s "$work/after-first" "$pve/etc/pve/qemu-server/122.conf"
check "attach refuses a symlinked conf" 1 "122.conf: error: the VM conf is a symbolic link" -- "$vfiogen" attach "$gt" --vmid 122 --pve-root "$pve"
check "attach needs a target" 64 "attach: give --domain NAME (libvirt) or --vmid N / --pve-conf FILE (Proxmox VE)" -- "$vfiogen" attach "$gt"
check "attach --vmid and --domain" 64 "not both" -- "$vfiogen" attach "$gt" --vmid 120 --domain x
# An unwritable folder (as an unprivileged user when the tests run as root, who may write anywhere).
mkdir -p "$work/ro/etc/pve/qemu-server"
cp "$src/tests/data/pve/win11-120.conf" "$work/ro/etc/pve/qemu-server/120.conf"
chmod -R a+rX "$work/ro" && chmod a+x "$work" && chmod 0555 "$work/ro/etc/pve/qemu-server"
as_user=()
if [[ $(id -u) -eq 0 ]]; then as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups); fi
check "attach unwritable folder" 1 "120.conf: error: cannot write in the folder $work/ro/etc/pve/qemu-server: Permission denied; nothing was changed" -- \
    "${as_user[@]}" "$vfiogen" attach "$gt" --vmid 120 --pve-root "$work/ro"
chmod 0755 "$work/ro/etc/pve/qemu-server"

# The README shows real output of host scan and host check on the gt1030 fixture: keep it so.
"$vfiogen" host check --root "$hosts/gt1030" "$src/examples/pve-nvidia-gt1030.yaml" >"$work/readme-check" 2>&1
"$vfiogen" host scan --root "$hosts/gt1030" | sed '/^$/q' >"$work/readme-scan"
"$vfiogen" host scan --root "$hosts/gt1030" | awk 'BEGIN{n=0} /^$/{n++} n==1' >>"$work/readme-scan"
while IFS= read -r line; do
    [[ -z $line ]] && continue
    grep -qxF -- "$line" "$src/README.md" || { echo "FAIL: README lacks host output line: $line"; failed=$((failed + 1)); }
done < <(cat "$work/readme-check" "$work/readme-scan")

# The README shows real output of attach --diff --dry-run on the GUI-made conf: keep it so.
(cd "$src/tests/data/pve" && "$vfiogen" attach ../../../examples/pve-nvidia-gt1030.yaml --pve-conf win11-120.conf --diff --dry-run) \
    >"$work/readme-attach" 2>&1
while IFS= read -r line; do
    [[ -z $line || $line == " " ]] && continue
    grep -qxF -- "$line" "$src/README.md" || { echo "FAIL: README lacks attach output line: $line"; failed=$((failed + 1)); }
done <"$work/readme-attach"
# Bounded time and memory on hostile input (issue 17): each command ends at once with an error
# naming the input. `timeout` turns a hang (the defect) into a failure instead of a stuck suite.
big=$work/zeros.bin
head -c 6000000 /dev/zero >"$big"
for cmd in "render -t pve -" "host check --root $hosts/gt1030 -"; do
    check "$cmd: 6 MB on stdin" 2 "<stdin>: error: input too large (over 4194304 bytes)" -- \
        timeout 20 bash -c "'$vfiogen' $cmd < '$big'"
done
check "check: 6 MB on stdin" 2 "" -- timeout 20 bash -c "'$vfiogen' check - < '$big'"
expect_out "check stdin limit" "<stdin>: error[unreadable]: input too large (over 4194304 bytes)"
check "render: /dev/zero on stdin" 2 "<stdin>: error: input too large (over 4194304 bytes)" -- \
    timeout 20 bash -c "'$vfiogen' render -t pve - < /dev/zero"
# A host tree with a FIFO where procfs has a file: reading it used to wait forever.
cp -r "$hosts/gt1030" "$work/fifo-host" && rm "$work/fifo-host/proc/modules" && mkfifo "$work/fifo-host/proc/modules"
check "host scan: FIFO as proc/modules" 2 "$work/fifo-host/proc/modules: error: not a regular file (a FIFO)" -- \
    timeout 20 "$vfiogen" host scan --root "$work/fifo-host"
# A FIFO as /etc/kernel/cmdline, which host config reads for systemd-boot (Proxmox).
cp -r "$hosts/gt1030" "$work/cmdline-host" && mkdir -p "$work/cmdline-host/etc/kernel" && mkfifo "$work/cmdline-host/etc/kernel/cmdline"
check "host config: FIFO as /etc/kernel/cmdline" 2 "$work/cmdline-host/etc/kernel/cmdline: error: not a regular file (a FIFO)" -- \
    timeout 20 "$vfiogen" host config --root "$work/cmdline-host" --distro proxmox "$src/examples/pve-nvidia-gt1030.yaml"
# /dev/zero as proc/cpuinfo: it used to be read until memory ran out.
cp -r "$hosts/gt1030" "$work/zero-host" && ln -sf /dev/zero "$work/zero-host/proc/cpuinfo"
check "host check: /dev/zero as proc/cpuinfo" 2 "$work/zero-host/proc/cpuinfo: error: not a regular file (a character device)" -- \
    timeout 20 "$vfiogen" host check --root "$work/zero-host" "$src/examples/pve-nvidia-gt1030.yaml"
# 10,000 nested template sections crashed kainjow's renderer (SIGSEGV).
mkdir "$work/deep-templates"
{
    for ((i = 0; i < 10000; i++)); do printf '{{#name}}'; done
    for ((i = 0; i < 10000; i++)); do printf '{{/name}}'; done
} >"$work/deep-templates/pve.conf.mustache"
check "render: deeply nested template" 2 "$work/deep-templates/pve.conf.mustache:1:289: error: template sections nest deeper than 32 levels" -- \
    timeout 20 "$vfiogen" render -t pve --templates "$work/deep-templates" "$ex"
# 1 MB of aliased qemu_args: 3.9 GB and exit 70 before.
{
    printf 'name: vm\nvmid: 100\nqemu_args:\n  - &a -%s\n' "$(head -c 9999 /dev/zero | tr '\0' x)"
    for ((i = 0; i < 1000; i++)); do printf '  - *a\n'; done
} >"$work/aliases.yaml"
check "render: aliased qemu_args" 2 "$work/aliases.yaml:423:5: error: alias *a expands the document past 4194304 bytes of values" -- \
    timeout 20 "$vfiogen" render -t pve "$work/aliases.yaml"
# A 4 MiB conf of `a: 1` lines gave 1.6 million findings and 7.4 GB of SARIF.
yes 'a: 1' | head -c 4194300 >"$work/huge.conf"
check "check: 4 MiB conf of unknown keys" 2 "" -- timeout 20 "$vfiogen" check --format sarif "$work/huge.conf"
expect_out "huge conf refused" "more than the 20000 vfiogen checks in one qemu-server conf"

# The README's set-up commands and .ci/run stay in step: CI runs the README's test command and
# installs every package the README's first command installs.
readme_test=$(grep -m1 '^cmake -S . -B build && ' "$src/README.md")
grep -qxF "$readme_test" "$src/.ci/run" || { echo "FAIL: .ci/run does not run the README test command"; failed=$((failed + 1)); }
for pkg in $(grep -m1 '^apt-get update && apt-get install' "$src/README.md" | sed 's/.*install -y \([^&]*\)&&.*/\1/'); do
    grep -qw -- "$pkg" "$src/.ci/run" || { echo "FAIL: .ci/run does not install $pkg"; failed=$((failed + 1)); }
done

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
