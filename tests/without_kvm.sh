#!/usr/bin/env bash
# Runs a command as on a machine without KVM: in a private mount namespace, /dev is replaced by a
# tmpfs holding the usual device nodes (bind-mounted from the real /dev) but no kvm, so
# stat("/dev/kvm") fails with ENOENT as it does there. (Binding /dev/null over /dev/kvm is not
# the same: libvirt 9.0 then finds /dev/kvm accessible, decides its cached capabilities without
# KVM are stale, and probes QEMU again on every call, five seconds each.) Where there is no
# /dev/kvm already, the command runs as it is. Needs root and unshare (util-linux) to hide a
# present /dev/kvm; exits 77 (skipped) when it cannot.
set -euo pipefail
if [ ! -e /dev/kvm ]; then
    exec "$@"
fi
if [ "$(id -u)" != 0 ] || ! command -v unshare >/dev/null; then
    echo "without_kvm: cannot hide /dev/kvm here (needs root and unshare)" >&2
    exit 77
fi
exec unshare --mount --propagation private -- bash -c '
set -e
dev=$(mktemp -d /tmp/vfiogen-dev.XXXXXX)
mount -t tmpfs -o mode=0755 vfiogen-dev "$dev"
for node in null zero full random urandom tty ptmx; do
    if [ -e "/dev/$node" ]; then touch "$dev/$node" && mount --bind "/dev/$node" "$dev/$node"; fi
done
for dir in pts shm hugepages mqueue net vfio; do
    if [ -d "/dev/$dir" ]; then mkdir "$dev/$dir" && mount --rbind "/dev/$dir" "$dev/$dir"; fi
done
ln -s /proc/self/fd "$dev/fd"
ln -s /proc/self/fd/0 "$dev/stdin"
ln -s /proc/self/fd/1 "$dev/stdout"
ln -s /proc/self/fd/2 "$dev/stderr"
mount --move "$dev" /dev
rmdir "$dev"
[ ! -e /dev/kvm ]
exec "$@"' without_kvm "$@"
