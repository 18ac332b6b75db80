#!/usr/bin/python3
"""Fails when a function in src/ is longer than 80 lines (issue 13: a function a screen long).

Function extents come from Universal Ctags (Debian universal-ctags), which parses C++ and reports
each definition's first and last line. Usage: function_length_test.py SOURCE_DIR [CTAGS]
"""
import subprocess
import sys

LIMIT = 80
root = sys.argv[1]
ctags = sys.argv[2] if len(sys.argv) > 2 else "ctags-universal"
out = subprocess.run([ctags, "--languages=C++", "--c++-kinds=f", "--fields=+ne", "-R", "-f", "-", "src"],
                     cwd=root, capture_output=True, text=True, check=True).stdout
functions, long = 0, []
for line in out.splitlines():
    cells = line.split("\t")
    fields = dict(c.split(":", 1) for c in cells[3:] if ":" in c)
    if "line" not in fields or "end" not in fields:
        continue
    functions += 1
    length = int(fields["end"]) - int(fields["line"]) + 1
    if length > LIMIT:
        long.append(f"{cells[1]}:{fields['line']}: {cells[0]} is {length} lines (at most {LIMIT})")
for problem in long:
    print("FAIL:", problem)
print(f"{functions} functions, {len(long)} over {LIMIT} lines")
sys.exit(1 if long or functions < 100 else 0)
