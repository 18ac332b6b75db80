#!/usr/bin/env bash
# Runs a command as on a machine without KVM: in a private mount namespace, /dev/kvm is replaced
# by /dev/null, so QEMU's KVM probe fails and libvirt offers only type='qemu' (TCG). Where there
# is no /dev/kvm already, the command runs as it is. Needs root and unshare (util-linux) to hide
# a present /dev/kvm; exits 77 (skipped) when it cannot.
set -euo pipefail
if [ ! -e /dev/kvm ]; then
    exec "$@"
fi
if [ "$(id -u)" != 0 ] || ! command -v unshare >/dev/null; then
    echo "without_kvm: cannot hide /dev/kvm here (needs root and unshare)" >&2
    exit 77
fi
exec unshare --mount --propagation private -- sh -c 'mount --bind /dev/null /dev/kvm && exec "$@"' sh "$@"
