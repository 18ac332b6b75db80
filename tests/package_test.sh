#!/usr/bin/env bash
# The Debian package as a user gets it: cpack -G DEB, then its control data and contents
# (dpkg-deb -I/-c), then unpacked into a throwaway root (dpkg -x) where the installed binary must
# report its version and render an example with the hardware profiles installed beside it.
#
# usage: package_test.sh BUILD_DIR SOURCE_DIR
# Needs cpack, dpkg-deb and dpkg-shlibdeps (dpkg-dev).
set -uo pipefail
build=${1:?usage: package_test.sh BUILD_DIR SOURCE_DIR}
src=${2:?}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }

if ! (cd "$work" && cpack -G DEB --config "$build/CPackConfig.cmake" -B "$work/out" >"$work/cpack.log" 2>&1); then
    cat "$work/cpack.log"
    echo "FAIL: cpack -G DEB"
    exit 1
fi
deb=$(ls "$work"/out/vfiogen_*.deb 2>/dev/null | head -n1)
[ -n "$deb" ] || { cat "$work/cpack.log"; echo "FAIL: cpack made no vfiogen_*.deb"; exit 1; }
echo "package: ${deb##*/}"

# Control data: runtime dependencies are the shared libraries only (dpkg-shlibdeps), so the package
# installs on a Proxmox VE node or a libvirt host without pulling a hypervisor or a daemon.
dpkg-deb -I "$deb" >"$work/info"
depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
tr ',' '\n' <<<"$depends" | sed 's/^ *//; s/ .*//' >"$work/depends"
for lib in libc6 libstdc++6 libyaml-cpp0.7 libpugixml1v5 libxml2 libpci3 libboost-program-options1.74.0; do
    grep -qxF "$lib" "$work/depends" || fail "Depends lacks $lib"
done
# libvirt0 is opened with dlopen by define/attach only: recommended, not required.
[ "$(dpkg-deb -f "$deb" Recommends)" = libvirt0 ] || fail "Recommends is not libvirt0"
for forbidden in qemu-system libvirt-daemon libvirt-clients ovmf doctest libvirt0; do
    grep -q "$forbidden" <<<"$depends" && fail "Depends names $forbidden"
done
for field in Package:vfiogen Architecture:amd64 Section:admin; do
    [ "$(dpkg-deb -f "$deb" "${field%%:*}")" = "${field#*:}" ] || fail "control field ${field%%:*} is not ${field#*:}"
done
[ -n "$(dpkg-deb -f "$deb" Maintainer)" ] || fail "no Maintainer"

# Contents: FHS places.
dpkg-deb -c "$deb" | awk '{ print $NF }' | sed 's|^\./|/|' >"$work/contents"
for path in /usr/bin/vfiogen /usr/share/doc/vfiogen/LICENSE /usr/share/vfiogen/templates/pve.conf.mustache \
    /usr/share/vfiogen/templates/libvirt.xml.mustache /usr/share/man/man1/vfiogen.1 \
    /usr/share/bash-completion/completions/vfiogen /usr/share/zsh/vendor-completions/_vfiogen \
    /usr/share/vfiogen/schemas/vm.schema.json /usr/share/vfiogen/schemas/profile.schema.json; do
    grep -qx "$path" "$work/contents" || fail "package lacks $path"
done
for profile in "$src"/profiles/*.yaml; do
    grep -qx "/usr/share/vfiogen/profiles/${profile##*/}" "$work/contents" || fail "package lacks profile ${profile##*/}"
done
grep -v '^/usr/' "$work/contents" | grep -vx '/' && fail "files outside /usr"
dpkg-deb -c "$deb" | awk '$1 ~ /^d/ && $1 != "drwxr-xr-x" { print }' | grep . && fail "directories not 0755"

# Unpacked into a throwaway root: the installed binary finds its own profiles, not the checkout's.
dpkg -x "$deb" "$work/root"
vfiogen=$work/root/usr/bin/vfiogen
version=$(env -u VFIOGEN_PROFILE_PATH "$vfiogen" --version) || fail "--version exited $?"
echo "installed: $version"
grep -Eq '^vfiogen [0-9.]+ \(git ([0-9a-f]{12}|unknown)\)$' <<<"$version" || fail "--version printed '$version'"
mkdir "$work/vms"
cp "$src/examples/pve-intel-igd-gen12.yaml" "$work/vms/vm.yaml"
(cd "$work/vms" && env -u VFIOGEN_PROFILE_PATH "$vfiogen" render --target pve vm.yaml >"$work/rendered.conf" 2>"$work/err") ||
    fail "render from the unpacked package: $(cat "$work/err")"
grep -q '^hostpci0: ' "$work/rendered.conf" || fail "rendered conf has no hostpci0: $(head -c 400 "$work/rendered.conf")"
(cd "$work/vms" && env -u VFIOGEN_PROFILE_PATH "$vfiogen" profiles >"$work/listed" 2>&1) || fail "profiles: $(cat "$work/listed")"
for profile in "$src"/profiles/*.yaml; do
    name=${profile##*/}
    grep -qx "${name%.yaml}" "$work/listed" || fail "profiles does not list the installed ${name%.yaml}"
done
# Negative control: without the installed profile file the same render fails, so the profile above
# came from the unpacked root and from nowhere else (not the checkout, not a /usr/local install).
rm "$work/root/usr/share/vfiogen/profiles/intel-igd-gen12.yaml"
(cd "$work/vms" && env -u VFIOGEN_PROFILE_PATH "$vfiogen" render --target pve vm.yaml >/dev/null 2>"$work/err")
status=$?
[ "$status" = 1 ] && grep -q "intel-igd-gen12" "$work/err" ||
    fail "render without the installed profile exited $status: $(cat "$work/err")"

if [ "$failed" -ne 0 ]; then
    echo "$failed failed"
    exit 1
fi
echo "package: all checks passed"
