# Sourced by tests/e2e/build-image.sh and tests/ci-samples/run.sh (bash).
# The Debian mirror this machine's apt uses: the first bookworm "deb" source in
# /etc/apt/sources.list (one-line format) or /etc/apt/sources.list.d/*.sources (deb822).
# VFIOGEN_E2E_MIRROR overrides it.
find_mirror() {
    local f
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -r "$f" ] || continue
        awk '$1 == "deb" { i = 2; if ($2 ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
                           if ($(i + 1) == "bookworm") { print $i; exit } }' "$f"
    done
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -r "$f" ] || continue
        # deb822: stanzas separated by blank lines; take URIs of a stanza whose Suites has bookworm.
        awk 'BEGIN { RS = ""; FS = "\n" }
             { uri = ""; deb = 0; suite = 0
               for (i = 1; i <= NF; i++) {
                 if ($i ~ /^Types:.*(^|[ \t])deb([ \t]|$)/) deb = 1
                 if ($i ~ /^Suites:/ && $i ~ /[ \t]bookworm([ \t]|$)/) suite = 1
                 if ($i ~ /^URIs:/) { split($i, w, /[ \t]+/); uri = w[2] } }
               if (deb && suite && uri != "") { print uri; exit } }' "$f"
    done
}
