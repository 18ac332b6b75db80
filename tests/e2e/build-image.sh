#!/usr/bin/env bash
# Build (or reuse) the cached L1 guest image of the end-to-end test.
#
# usage: build-image.sh CACHE_DIR
#
# Prints the directory that holds the image on stdout (progress goes to stderr):
#   DIR/base.img      ext4 root file system (Debian bookworm, debootstrap --variant=minbase)
#   DIR/vmlinuz       the image's Debian kernel, for qemu -kernel
#   DIR/initrd.img    its initramfs, for qemu -initrd
# DIR is CACHE_DIR/l1-bookworm-<key>, <key> a hash of packages.txt, this script and the mirror, so
# a changed package list builds a new image; older images are left for the user to delete.
# The outer machine only runs debootstrap into CACHE_DIR and mkfs.ext4: nothing is installed on it.
# Needs root (debootstrap, chroot). Exit 0 on success, 1 on failure.
set -euo pipefail

# Only the image directory goes to stdout (fd 3); every tool's chatter goes to stderr.
exec 3>&1 1>&2
here=$(cd "$(dirname "$0")" && pwd)
cache=${1:?usage: build-image.sh CACHE_DIR}
mkdir -p "$cache"

# find_mirror: the bookworm mirror this machine's apt uses (shared with tests/ci-samples).
. "$here/../lib/debian-mirror.sh"
mirror=${VFIOGEN_E2E_MIRROR:-$(find_mirror | head -n1)}
if [ -z "$mirror" ]; then
    echo "build-image.sh: no bookworm mirror found in /etc/apt/sources.list*; set VFIOGEN_E2E_MIRROR" >&2
    exit 1
fi

packages=$(sed 's/#.*//' "$here/packages.txt" | tr -s ' \t\n' '\n' | grep -v '^$' | sort | paste -sd, -)
key=$( { echo "$packages"; echo "$mirror"; cat "$here/build-image.sh"; } | sha256sum | cut -c1-16)
out=$cache/l1-bookworm-$key

exec 9>"$cache/.lock"
flock 9
if [ -f "$out/complete" ]; then
    echo "build-image.sh: reusing cached L1 image $out"
    echo "$out" >&3
    exit 0
fi

if [ "$(id -u)" != 0 ]; then
    echo "build-image.sh: building the L1 image needs root (debootstrap)" >&2
    exit 1
fi
rm -rf "$out" "$out.tmp"
mkdir -p "$out.tmp"
rootfs=$out.tmp/rootfs
echo "build-image.sh: debootstrap bookworm from $mirror with $packages" >&2
debootstrap --variant=minbase --include="$packages" bookworm "$rootfs" "$mirror" >"$out.tmp/debootstrap.log" 2>&1 || {
    tail -n 30 "$out.tmp/debootstrap.log" >&2
    echo "build-image.sh: debootstrap failed; full log in $out.tmp/debootstrap.log" >&2
    exit 1
}

# libvirt's QEMU driver looks up its built-in libvirt-qemu user before it reads qemu.conf
# (shared/E2E.md); Debian creates it in libvirt-daemon-system, which this image leaves out.
chroot "$rootfs" getent group kvm >/dev/null || chroot "$rootfs" groupadd --system kvm
chroot "$rootfs" getent group libvirt-qemu >/dev/null || chroot "$rootfs" groupadd --system libvirt-qemu
chroot "$rootfs" getent passwd libvirt-qemu >/dev/null ||
    chroot "$rootfs" useradd --system --no-create-home --home-dir /var/lib/libvirt -g libvirt-qemu -G kvm \
        --shell /usr/sbin/nologin libvirt-qemu
chroot "$rootfs" apt-get clean
echo "vfiogen-e2e-l1" >"$rootfs/etc/hostname"

# The Debian kernel and initramfs, booted directly by qemu -kernel/-initrd.
kernel=$(ls "$rootfs"/boot/vmlinuz-* | sort -V | tail -n1)
cp "$kernel" "$out.tmp/vmlinuz"
cp "$rootfs/boot/initrd.img-${kernel##*/vmlinuz-}" "$out.tmp/initrd.img"

size_mib=$(( $(du -sm "$rootfs" | cut -f1) + 512 ))
mkfs.ext4 -q -F -L vfiogen-e2e -d "$rootfs" "$out.tmp/base.img" "${size_mib}M"
rm -rf "$rootfs"
echo "$packages" >"$out.tmp/packages"
echo "$mirror" >"$out.tmp/mirror"
touch "$out.tmp/complete"
mv "$out.tmp" "$out"
echo "$out" >&3
