#!/usr/bin/env bash
# The generated man page and shell completions, used as users use them: man -l renders vfiogen(1)
# without a warning and it names every command and rule; a real bash loads the completion script
# and its _vfiogen function completes commands, subcommands, options and --target values.
#
# usage: docs_test.sh VFIOGEN   (needs man-db and groff-base; the zsh script is parsed where zsh is installed)
set -uo pipefail
vfiogen=${1:?usage: docs_test.sh VFIOGEN}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }

# Man page.
"$vfiogen" man >"$work/vfiogen.1" || fail "vfiogen man exited $?"
MANWIDTH=80 LC_ALL=C.UTF-8 man --warnings=w -l "$work/vfiogen.1" >"$work/man.txt" 2>"$work/man.err" ||
    fail "man -l exited $?"
[ -s "$work/man.err" ] && fail "man -l warned: $(cat "$work/man.err")"
grep -q '^NAME' "$work/man.txt" || fail "man -l printed no NAME section: $(head -c 300 "$work/man.txt")"
"$vfiogen" --help | awk '/^Commands:/ { on = 1; next } /^$/ { on = 0 } on { print $1 }' >"$work/commands"
[ -s "$work/commands" ] || fail "--help lists no commands"
while read -r cmd; do
    grep -Eq "vfiogen +$cmd" "$work/man.txt" || fail "the man page lacks command $cmd"
done <"$work/commands"
"$vfiogen" check --list-rules | awk 'NF { print $1 }' | grep -E '^[a-z]+(-[a-z0-9]+)+$' >"$work/rules"
[ -s "$work/rules" ] || fail "check --list-rules printed no rule id"
while read -r rule; do
    grep -qF -- "$rule" "$work/man.txt" || fail "the man page lacks rule $rule"
done <"$work/rules"
for section in 'EXIT STATUS' ENVIRONMENT FILES 'CHECK RULES' VFIOGEN_PROFILE_PATH 'share/vfiogen/profiles'; do
    grep -qF "$section" "$work/man.txt" || fail "the man page lacks $section"
done

# Bash completion, in a real bash without bash-completion's helpers.
"$vfiogen" completion bash >"$work/vfiogen.bash" || fail "vfiogen completion bash exited $?"
mkdir -p "$work/dir/profiles.d"
touch "$work/dir/vm.yaml"
complete_line() {  # complete_line WORD...: what _vfiogen offers for the last word
    (cd "$work/dir" && bash --norc --noprofile -c '
        source "$1"; shift
        complete -p vfiogen >/dev/null || { echo "no complete spec"; exit 1; }
        COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
        _vfiogen
        printf "%s\n" "${COMPREPLY[@]}" | sort | paste -sd" " -' - "$work/vfiogen.bash" "$@")
}
expect_completion() {  # expect_completion "EXPECTED" WORD...
    local want=$1 got
    shift
    got=$(complete_line "$@")
    [ "$got" = "$want" ] || fail "completing '$*': got '$got', want '$want'"
}
expect_completion "render" vfiogen ren
expect_completion "libvirt pve pve-snippet qm" vfiogen render --target ""
expect_completion "pve pve-snippet" vfiogen render -t pv
expect_completion "--output" vfiogen render --out
expect_completion "check config" vfiogen host c
expect_completion "mapping" vfiogen pve ma
expect_completion "pve" vfiogen pv
expect_completion "bash zsh" vfiogen completion ""
expect_completion "vm.yaml" vfiogen render --target pve vm
expect_completion "profiles.d" vfiogen check --profiles prof
expect_completion "--connect" vfiogen define --con
expect_completion "--fail-on" vfiogen host check --fail
expect_completion "github gitlab" vfiogen check --format git
expect_completion "always auto" vfiogen check --color a
expect_completion "" vfiogen nosuchcommand --

# zsh: the script parses (completion itself needs an interactive zsh).
if command -v zsh >/dev/null; then
    "$vfiogen" completion zsh >"$work/_vfiogen" && zsh -n "$work/_vfiogen" || fail "zsh -n _vfiogen"
else
    echo "note: zsh not installed; the zsh script was not parsed"
fi

if [ "$failed" -ne 0 ]; then
    echo "$failed failed"
    exit 1
fi
echo "docs: man page and completions passed"
