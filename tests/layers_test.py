#!/usr/bin/python3
"""Fails when a source file includes a header its layer may not (docs/ARCHITECTURE.md).

Reads the two tables of docs/ARCHITECTURE.md: "folder | may include | holds" and
"header | only in". Usage: layers_test.py SOURCE_DIR
"""
import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1])
doc = (root / "docs/ARCHITECTURE.md").read_text()
allowed, only_in = {}, {}
for line in doc.splitlines():
    cells = [c.strip() for c in line.strip().strip("|").split("|")]
    m = re.fullmatch(r"`src/(\w+)/`", cells[0]) if len(cells) == 3 else None
    if m:
        allowed[m.group(1)] = set(re.findall(r"`(\w+)`", cells[1]))
    m = re.fullmatch(r"`(<[\w-]+/?)`", cells[0]) if len(cells) == 2 else None
    if m:
        only_in[m.group(1)] = set(re.findall(r"`(src/[\w/.]+)`", cells[1]))

problems = []
if len(allowed) < 5 or len(only_in) < 3:
    problems.append("docs/ARCHITECTURE.md: the layer tables were not found")
for path in sorted((root / "src").rglob("*")):
    if path.suffix not in (".h", ".cpp"):
        continue
    rel = path.relative_to(root).as_posix()
    folder = path.parent.name
    if path.parent.parent != root / "src" or folder not in allowed:
        problems.append(f"{rel}: not in a folder of the layer table")
        continue
    for n, line in enumerate(path.read_text().splitlines(), 1):
        m = re.match(r'\s*#\s*include\s*"([^"]+)"', line)
        if m:
            target = m.group(1).split("/")
            if len(target) == 1:
                if target[0] != "version.h":  # generated into the build tree
                    problems.append(f"{rel}:{n}: include \"{m.group(1)}\" by its folder")
            elif target[0] != folder and target[0] not in allowed[folder]:
                problems.append(f"{rel}:{n}: src/{folder}/ may not include {m.group(1)}")
        m = re.match(r"\s*#\s*include\s*<([^>]+)>", line)
        if m:
            for prefix, files in only_in.items():
                if m.group(1).startswith(prefix.lstrip("<")) and rel not in files:
                    problems.append(f"{rel}:{n}: only {', '.join(sorted(files))} include {prefix}...>")

for p in problems:
    print("FAIL:", p)
print(f"{len(allowed)} layers, {len(only_in)} wrapped libraries, {len(problems)} problems")
sys.exit(1 if problems else 0)
