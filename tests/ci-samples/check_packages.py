#!/usr/bin/python3
"""Fast check that the CI samples' apt-get lines install what CMakeLists.txt requires.

usage: check_packages.py SOURCE_DIR

Reads every REQUIRED find_package, pkg_check_modules and find_path of the top-level CMakeLists.txt
that building the tool needs (not those under if(BUILD_TESTING) or if(VFIOGEN_FUZZ)), maps each to
its Debian 12 package through PROVIDERS below, confirms the mapping with dpkg (the file CMake finds
is owned by that package or by one it depends on), and fails when a requirement has no mapping or
when a sample (examples/ci), .ci/run or the README's first command does not install its package.
The slow test (run.sh) proves the same by building in a clean root; this one runs in a second.
"""
import re
import subprocess
import sys
import tempfile
from pathlib import Path

# CMake requirement -> (Debian 12 package, a file by which CMake finds it).
PROVIDERS = {
    "PkgConfig": ("pkg-config", "/usr/bin/pkg-config"),
    "yaml-cpp": ("libyaml-cpp-dev", "/usr/lib/x86_64-linux-gnu/cmake/yaml-cpp/yaml-cpp-config.cmake"),
    "pugixml": ("libpugixml-dev", "/usr/lib/x86_64-linux-gnu/cmake/pugixml/pugixml-config.cmake"),
    "Boost:program_options": ("libboost-program-options-dev",
                              "/usr/lib/x86_64-linux-gnu/cmake/boost_program_options-1.74.0/"
                              "boost_program_options-config.cmake"),
    "kainjow/mustache.hpp": ("libkainjow-mustache-dev", "/usr/include/kainjow/mustache.hpp"),
    "LibXml2": ("libxml2-dev", "/usr/include/libxml2/libxml/parser.h"),
    "dtl/dtl.hpp": ("libdtl-dev", "/usr/include/dtl/dtl.hpp"),
    "libvirt": ("libvirt-dev", "/usr/lib/x86_64-linux-gnu/pkgconfig/libvirt.pc"),
    "nlohmann_json": ("nlohmann-json3-dev", "/usr/share/cmake/nlohmann_json/nlohmann_jsonConfig.cmake"),
    "libpci": ("libpci-dev", "/usr/lib/x86_64-linux-gnu/pkgconfig/libpci.pc"),
    "nettle": ("nettle-dev", "/usr/lib/x86_64-linux-gnu/pkgconfig/nettle.pc"),
    "uuid": ("uuid-dev", "/usr/lib/x86_64-linux-gnu/pkgconfig/uuid.pc"),
}
# What building needs besides libraries: the tools the samples run.
TOOLS = ["cmake", "make", "g++"]


def requirements(cmakelists):
    """The REQUIRED dependencies of building the tool, outside test-only and fuzz-only blocks."""
    found, skip_depth, depth = [], None, 0
    for line in cmakelists.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if re.match(r"if\s*\(", line):
            depth += 1
            if skip_depth is None and re.search(r"BUILD_TESTING|VFIOGEN_FUZZ", line):
                skip_depth = depth
        elif re.match(r"endif\s*\(", line):
            if skip_depth == depth:
                skip_depth = None
            depth -= 1
        if skip_depth is not None or "REQUIRED" not in re.split(r"[\s()]+", line):
            continue
        if m := re.match(r"find_package\s*\((\S+)(.*)\)", line):
            name, rest = m.group(1), m.group(2).split()
            components = rest[rest.index("COMPONENTS") + 1:] if "COMPONENTS" in rest else []
            found += [f"{name}:{c}" for c in components] or [name]
        elif m := re.match(r"pkg_check_modules\s*\(\S+\s+(.*)\)", line):
            found += [w for w in m.group(1).split() if w not in ("REQUIRED", "IMPORTED_TARGET", "QUIET")]
        elif m := re.match(r"find_path\s*\(\S+\s+(\S+)", line):
            found.append(m.group(1))
    return found


def depends_closure(package):
    out = subprocess.run(["apt-cache", "depends", "--recurse", "--no-recommends", "--no-suggests",
                          "--no-conflicts", "--no-breaks", "--no-replaces", "--no-enhances", package],
                         capture_output=True, text=True).stdout
    return {l.split(":", 1)[1].strip().split(":")[0] for l in out.splitlines() if "Depends:" in l} | {package}


def owner(path):
    out = subprocess.run(["dpkg", "-S", path], capture_output=True, text=True)
    return out.stdout.split(":", 1)[0] if out.returncode == 0 else None


def apt_packages(script_text):
    text = script_text.replace("\\\n", " ")
    packages = set()
    for line in text.splitlines():
        if m := re.search(r"apt-get install (.*)", line):
            packages |= {w for w in m.group(1).split("&&")[0].split() if not w.startswith("-")}
    return packages


def main():
    src = Path(sys.argv[1])
    errors = []
    reqs = requirements(src / "CMakeLists.txt")
    if not reqs:
        errors.append("no REQUIRED dependency found in CMakeLists.txt: this reader is out of date")
    needed = set(TOOLS)
    for req in reqs:
        if req not in PROVIDERS:
            errors.append(f"CMakeLists.txt requires {req}: add its Debian package to PROVIDERS in {sys.argv[0]} "
                          "and to the apt-get lines of examples/ci, .ci/run and the README")
            continue
        package, probe = PROVIDERS[req]
        needed.add(package)
        who = owner(probe)
        if who is None:
            errors.append(f"{req}: {probe} is not installed here, cannot confirm it comes from {package}")
        elif who not in depends_closure(package):
            errors.append(f"{req}: {probe} belongs to {who}, which {package} does not pull in")
        else:
            print(f"ok {req}: {package} ({probe} from {who})")

    sources = {"README.md (first command)": (src / "README.md").read_text().split("```sh", 2)[1],
               ".ci/run": (src / ".ci/run").read_text()}
    for kind, sample in (("github", "vfiogen-check.yml"), ("gitlab", "gitlab-ci.yml")):
        with tempfile.TemporaryDirectory() as out:
            subprocess.run(["/usr/bin/python3", str(Path(__file__).parent / "steps.py"), kind,
                            str(src / "examples/ci" / sample), out], check=True, stdout=subprocess.DEVNULL)
            sources[f"examples/ci/{sample}"] = "\n".join(p.read_text() for p in sorted(Path(out).glob("step-*.sh")))
    for where, text in sources.items():
        missing = sorted(needed - apt_packages(text))
        if missing:
            errors.append(f"{where} does not install {', '.join(missing)}")
        else:
            print(f"ok {where} installs every build dependency")
    for e in errors:
        print(f"FAIL: {e}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
