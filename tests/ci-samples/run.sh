#!/usr/bin/env bash
# Run a CI sample's shell steps (examples/ci) in a clean Debian 12 root, as its CI would.
#
# usage: run.sh SOURCE_DIR BUILD_DIR github|gitlab SAMPLE.yml
#
# The root is a debootstrap --variant=minbase bookworm tree (the debian:12 container image is the
# same minbase set), built once and kept as a tarball in BUILD_DIR/ci-samples-cache, keyed by the
# mirror and this script; each run unpacks a fresh copy. Into it go: the repository's working tree
# as a git repository at /srv/vfiogen (the sample's VFIOGEN_GIT is pointed there, so it builds what is
# under test, uncommitted changes included) and, as the checked-out user repository,
# examples/ci/configs as /work/repo/configs. Then every step runs in order, in a chroot in its own
# mount and PID namespace, as the CI would run it, and the files the sample publishes (the SARIF
# report) must exist and be a SARIF 2.1.0 log from vfiogen with exactly the sample configs'
# expected findings (no error; one warning on the seed-003 conf). Downloaded .debs are kept in the cache between runs; nothing is installed outside.
#
# Needs root, debootstrap, unshare, git and python3-yaml, and the network (the Debian mirror). Exits
# 77 (skipped) without them unless VFIOGEN_E2E_REQUIRED=1, as the end-to-end test does.
set -euo pipefail
src=$(cd "${1:?usage: run.sh SOURCE_DIR BUILD_DIR github|gitlab SAMPLE.yml}" && pwd)
build=${2:?}
kind=${3:?}
sample=${4:?}
here=$(cd "$(dirname "$0")" && pwd)

skip() {
    if [ "${VFIOGEN_E2E_REQUIRED:-0}" = 1 ]; then
        echo "ci-samples: FAIL (required): $*" >&2
        exit 1
    fi
    echo "ci-samples: SKIP: $*" >&2
    exit 77
}
[ "$(id -u)" = 0 ] || skip "needs root (debootstrap, chroot)"
for tool in debootstrap unshare chroot git /usr/bin/python3; do
    command -v "$tool" >/dev/null || skip "needs $tool"
done
/usr/bin/python3 -c 'import yaml' 2>/dev/null || skip "needs python3-yaml"

. "$here/../lib/debian-mirror.sh"
mirror=${VFIOGEN_E2E_MIRROR:-$(find_mirror | head -n1)}
[ -n "$mirror" ] || skip "no bookworm mirror in /etc/apt/sources.list*; set VFIOGEN_E2E_MIRROR"

cache=$build/ci-samples-cache
mkdir -p "$cache/apt-archives/partial"
key=$( { echo "$mirror"; cat "$here/run.sh"; } | sha256sum | cut -c1-16)
base=$cache/bookworm-minbase-$key.tar
exec 9>"$cache/.lock"
flock 9
if [ ! -f "$base" ]; then
    echo "ci-samples: debootstrap --variant=minbase bookworm from $mirror" >&2
    tmp=$(mktemp -d "$cache/debootstrap.XXXXXX")
    if ! debootstrap --variant=minbase bookworm "$tmp/root" "$mirror" >"$tmp/debootstrap.log" 2>&1; then
        tail -n 20 "$tmp/debootstrap.log" >&2
        grep -q "Failure trying to run\|Couldn't download\|Failed getting release file" "$tmp/debootstrap.log" &&
            [ "${VFIOGEN_E2E_REQUIRED:-0}" != 1 ] && { rm -rf "$tmp"; skip "debootstrap could not reach $mirror"; }
        echo "ci-samples: debootstrap failed" >&2
        rm -rf "$tmp"
        exit 1
    fi
    tar -C "$tmp/root" -cf "$base.tmp" .
    mv "$base.tmp" "$base"
    rm -rf "$tmp"
fi
flock -u 9

work=$build/ci-samples-work/$kind
rm -rf "$work"
mkdir -p "$work/root" "$work/steps"
root=$work/root
tar -C "$root" -xf "$base"
cp /etc/resolv.conf "$root/etc/resolv.conf"

# The sources under test, uncommitted changes included, as one commit in /srv/vfiogen.
mkdir -p "$root/srv/vfiogen"
git -C "$src" ls-files -z --cached --others --exclude-standard |
    tar -C "$src" --null --no-recursion --ignore-failed-read -T - -cf - | tar -C "$root/srv/vfiogen" -xf -
git -C "$root/srv/vfiogen" init -q
git -C "$root/srv/vfiogen" add -A
git -C "$root/srv/vfiogen" -c user.name=ci-samples -c user.email=ci-samples@invalid commit -q -m snapshot

# The user's repository as the checkout step would leave it.
mkdir -p "$root/work/repo"
cp -r "$src/examples/ci/configs" "$root/work/repo/configs"

/usr/bin/python3 "$here/steps.py" "$kind" "$sample" "$work/steps"
cp -r "$work/steps" "$root/ci"
echo "export VFIOGEN_GIT=file:///srv/vfiogen" >>"$root/ci/env"

status=0
for step in "$root"/ci/step-*.sh; do
    name=${step##*/}
    echo "ci-samples: $kind $(head -n1 "$step" | cut -c3-)" >&2
    # A private mount and PID namespace: /proc, /dev and the apt cache are mounted for the steps
    # only and vanish with them.
    if ! unshare --mount --pid --fork --propagation private bash -c '
            set -e
            root=$1 cache=$2 step=$3
            mount -t proc proc "$root/proc"
            mount --rbind /dev "$root/dev"
            mount --bind "$cache/apt-archives" "$root/var/cache/apt/archives"
            exec chroot "$root" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
                HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive \
                http_proxy="${http_proxy:-}" https_proxy="${https_proxy:-}" \
                bash -c "cd /work/repo && . /ci/env && bash /ci/$step"' \
            - "$root" "$cache" "$name"; then
        echo "ci-samples: $kind: $name failed" >&2
        status=1
        break
    fi
done
[ "$status" = 0 ] || exit 1

while read -r artifact; do
    [ -n "$artifact" ] || continue
    file=$root/work/repo/$artifact
    [ -s "$file" ] || { echo "ci-samples: $kind: the sample publishes $artifact but no step wrote it" >&2; exit 1; }
    case $artifact in
    *.sarif)
        /usr/bin/python3 - "$file" <<'PY'
import json, sys
log = json.load(open(sys.argv[1]))
assert log["version"] == "2.1.0", log["version"]
run = log["runs"][0]
assert run["tool"]["driver"]["name"] == "vfiogen", run["tool"]["driver"]
# The sample folder's seed-003 conf keeps Secure Boot keys with legacy IGD, as the seed had it:
# one warning, no error (tests/cli_test.sh checks the same folder with the text report).
found = sorted((r["level"], r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"])
               for r in run["results"])
expected = [("warning", "pve-secboot-legacy-igd", "configs/pve/130.conf")]
assert found == expected, found
print(f"ci-samples: {sys.argv[1]}: SARIF 2.1.0 from vfiogen, the expected findings: {found}")
PY
        ;;
    gl-code-quality-report.json)
        /usr/bin/python3 - "$file" <<'PY'
import json, sys
issues = json.load(open(sys.argv[1]))
# GitLab Code Quality: the same one seed-003 warning as the SARIF sample, with a fingerprint.
found = sorted((i["severity"], i["check_name"], i["location"]["path"]) for i in issues)
assert found == [("minor", "pve-secboot-legacy-igd", "configs/pve/130.conf")], found
assert all(len(i["fingerprint"]) == 64 and i["location"]["lines"]["begin"] >= 1 for i in issues), issues
print(f"ci-samples: {sys.argv[1]}: GitLab Code Quality from vfiogen, the expected findings: {found}")
PY
        ;;
    esac
done <"$work/steps/artifacts"
rm -rf "$work"
echo "ci-samples: $kind sample ran in a clean Debian 12 root" >&2
