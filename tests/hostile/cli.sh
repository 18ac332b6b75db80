#!/usr/bin/env bash
# The hostile-input classes of issue 17 through the real command line (docs/SECURITY.md): what a
# user running vfiogen as root, or a CI job on a pull request, would see. Generated hostile
# values go into temporary copies of the fixture trees and VM files; each command must refuse or
# escape them with the documented exit code, and write nothing it should not.
# Usage: cli.sh PATH/TO/vfiogen SOURCE_DIR
set -u
vfiogen=$(realpath "$1")
src=$(realpath "$2")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0 failed=0
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }
ok() { passed=$((passed + 1)); }

# run NAME EXPECTED_RC COMMAND...: stdout in $work/out, stderr in $work/err.
run() {
    local name=$1 want=$2
    shift 2
    "$@" >"$work/out" 2>"$work/err"
    local rc=$?
    if [[ $rc -ne $want ]]; then fail "$name: rc=$rc (want $want): $(head -c 300 "$work/err" | cat -v)"; else ok; fi
}
# no_controls NAME FILE: no control character but newline (ESC, CR, BEL, C1 as UTF-8 or raw).
no_controls() {
    if LC_ALL=C grep -qP '[\x00-\x09\x0b-\x1f\x7f]|\xc2[\x80-\x9f]' "$2"; then
        fail "$1: control characters reach the output: $(LC_ALL=C grep -naP '[\x00-\x09\x0b-\x1f\x7f]' "$2" | head -2 | cat -v)"
    else ok; fi
}

gpu=sys/devices/pci0000:00/0000:00:01.0/0000:01:00.0
vm=$src/examples/pve-nvidia-gt1030.yaml

# 1. modprobe.d: a driver link name carrying a command refuses the host; nothing is written.
i=0
for value in $'nouveau\ninstall nouveau /bin/sh -c id' $'nouveau\rinstall x sh' 'nouveau;reboot' 'nouveau install x' \
             $'nouveau\e[2J' $'nouv\xc3\xa9au' "$(printf 'n%.0s' {1..100})"; do
    i=$((i + 1))
    rm -rf "$work/host" "$work/out-dir"
    cp -a "$src/tests/data/hosts/gt1030" "$work/host"
    ln -sfn "../../../../bus/pci/drivers/$value" "$work/host/$gpu/driver"
    run "host config, hostile driver $i" 2 "$vfiogen" host config --distro proxmox "$vm" --root "$work/host" -o "$work/out-dir"
    grep -qF "$work/host/sys/bus/pci/devices/0000:01:00.0/driver: error: '" "$work/err" && ok ||
        fail "host config, hostile driver $i: error does not name the driver link: $(cat -v "$work/err")"
    [[ ! -e $work/out-dir ]] && ok || fail "host config, hostile driver $i: wrote $(find "$work/out-dir" -type f)"
    no_controls "host config error $i" "$work/err"
    run "host scan, hostile driver $i" 2 "$vfiogen" host scan --root "$work/host"
done
rm -rf "$work/host"
cp -a "$src/tests/data/hosts/gt1030" "$work/host"
printf '0x10de\ninstall x /bin/sh\n' >"$work/host/$gpu/vendor"
run "host config, hostile vendor" 2 "$vfiogen" host config --distro proxmox "$vm" --root "$work/host"
grep -qF "0000:01:00.0/vendor: error: '0x10de\\ninstall x /bin/sh' is not a PCI ID" "$work/err" && ok ||
    fail "hostile vendor: $(cat -v "$work/err")"

# 2. Terminals: ESC, C1 and line breaks in sysfs strings and IOMMU unit names are escaped.
rm -rf "$work/host"
cp -a "$src/tests/data/hosts/gt1030" "$work/host"
printf 'flr\e]0;owned\a\e[2Jbus\xc2\x9b\n' >"$work/host/$gpu/reset_method"
mkdir -p "$work/host/sys/class/iommu/"$'dmar0\n::error file=x::forged\e[1m'
run "host scan, hostile strings" 0 "$vfiogen" host scan --all --root "$work/host"
no_controls "host scan text" "$work/out"
grep -q '^::error' "$work/out" && fail "host scan: a forged line starts with ::error" || ok
run "host check, hostile strings" 1 "$vfiogen" host check "$vm" --root "$work/host"
no_controls "host check text" "$work/out"
printf 'flr\xe9bus\n' >"$work/host/$gpu/reset_method"
for cmd in "host scan --all" "host check $vm"; do
    # shellcheck disable=SC2086
    "$vfiogen" $cmd --json --root "$work/host" >"$work/out" 2>"$work/err"
    rc=$?
    [[ $rc -ne 70 && $(tail -c 2 "$work/out") == "]" || $(tail -c 2 "$work/out") == "}" ]] && ok ||
        fail "$cmd --json with a Latin-1 byte: rc=$rc, $(head -c 200 "$work/err")"
done

# 3. check: a file name with a newline and ESC, and a Latin-1 comment, in one directory with a broken conf.
mkdir -p "$work/configs"
cp "$src/tests/data/check/broken/131.conf" "$work/configs/131.conf"
printf '# caf\xe9\nhostpci0: 0000:00:1F.3\xe9\n' >"$work/configs/"$'1\n::error file=a.conf::forged\e[31m.conf'
run "check text, hostile name" 1 "$vfiogen" check "$work/configs"
no_controls "check text" "$work/out"
grep -q '^::error' "$work/out" && fail "check: a forged line starts with ::error" || ok
# JSON validity is the doctest suite's (nlohmann parses it there); here: a whole report, not exit 70.
for format in json:rule sarif:ruleId; do
    run "check --format ${format%%:*}, Latin-1 and hostile name" 1 "$vfiogen" check --format "${format%%:*}" "$work/configs"
    n=$(grep -c "\"${format#*:}\": " "$work/out")
    [[ $n -ge 5 && $(tail -c 2 "$work/out") == "}" ]] && ok ||
        fail "check --format ${format%%:*}: $n findings (want 131.conf's four and the Latin-1 file's)"
done

# 4. libvirt XML: a --templates override with two roots is refused, naming the template; no output.
mkdir -p "$work/tpl"
"$vfiogen" render -t libvirt "$src/examples/libvirt-tesla-t10.yaml" >/dev/null || fail "render of the example"
printf '<domain type="kvm"><name>{{name}}</name></domain>\n<domain/>\n' >"$work/tpl/libvirt.xml.mustache"
run "render, template with two roots" 1 "$vfiogen" render -t libvirt --templates "$work/tpl" \
    "$src/examples/libvirt-tesla-t10.yaml" -o "$work/vm.xml"
grep -qF "$work/tpl/libvirt.xml.mustache: error: template produced XML that libvirt cannot read: Extra content at the end of the document" \
    "$work/err" && ok || fail "two roots: $(cat "$work/err")"
[[ ! -e $work/vm.xml ]] && ok || fail "render wrote vm.xml from a refused template"
printf 'name: vm\ndescription: "a\\uFFFEb"\n' >"$work/nonchar.yaml"
run "render, U+FFFE in a value" 1 "$vfiogen" render -t libvirt "$work/nonchar.yaml"
grep -qF "nonchar.yaml:2:14: error: 'description' contains U+FFFE (a Unicode non-character) at byte 2 of its value" \
    "$work/err" && ok || fail "U+FFFE: $(cat "$work/err")"

# 5. Messages quoting command-line words and output paths stay on one line.
run "unknown command with ESC" 64 "$vfiogen" $'rend\e[2Jer\n::error::x'
no_controls "usage error" "$work/err"
run "output path with ESC" 74 "$vfiogen" render -t pve "$vm" -o "$work/missing/"$'x\e]0;t\ay'
no_controls "output error" "$work/err"

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
