#!/usr/bin/python3
"""The JSON Schemas of `vfiogen keys --format json-schema` against real files, with a real validator.

usage: schema_test.py VFIOGEN SOURCE_DIR   (needs python3-jsonschema and python3-yaml)

Every example, built-in profile, test profile and CI-sample VM file must validate against its
schema (YAML read with YAML 1.2 core scalars, as yaml-language-server reads it: `01:00.0` and
`yes` are strings). Then shape errors made from a valid example (unknown key, wrong type, out of
range, unknown choice, bad PCI address or ID, missing required key) must be rejected by the schema
AND by vfiogen's loader (`vfiogen check`), so the schema says no more and no less than the loader
about shape.
"""
import copy
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import jsonschema
import yaml


class Yaml12Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 core schema scalars: no sexagesimal numbers, no yes/no/on/off."""


Yaml12Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:int",
                                                   "tag:yaml.org,2002:float")]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()}
Yaml12Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                                   list("tTfF"))
Yaml12Loader.add_implicit_resolver("tag:yaml.org,2002:int", re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"),
                                   list("-+0123456789"))
Yaml12Loader.add_implicit_resolver("tag:yaml.org,2002:float",
                                   re.compile(r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?)$"),
                                   list("-+0123456789."))


def main():
    vfiogen, src = sys.argv[1], Path(sys.argv[2])
    failed = 0
    schemas = {}
    for doc in ("vm", "profile"):
        out = subprocess.run([vfiogen, "keys", "--format", "json-schema", "--doc", doc], capture_output=True,
                             text=True, check=True).stdout
        schemas[doc] = json.loads(out)
        jsonschema.Draft7Validator.check_schema(schemas[doc])
    validators = {doc: jsonschema.Draft7Validator(s) for doc, s in schemas.items()}

    files = {"vm": sorted(src.glob("examples/*.yaml")) + sorted(src.glob("examples/ci/configs/vms/*.yaml")),
             "profile": sorted(src.glob("profiles/*.yaml")) + sorted(src.glob("tests/data/profiles/*.yaml"))}
    for doc, paths in files.items():
        if not paths:
            print(f"FAIL: no {doc} files found")
            failed += 1
        for path in paths:
            errors = list(validators[doc].iter_errors(yaml.load(path.read_text(), Loader=Yaml12Loader)))
            for e in errors:
                print(f"FAIL: {path}: {'/'.join(map(str, e.absolute_path))}: {e.message}")
            failed += bool(errors)
            if not errors:
                print(f"ok {path.relative_to(src)} validates against the {doc} schema")

    base_path = src / "examples/pve-intel-igd-gen12.yaml"
    base = yaml.load(base_path.read_text(), Loader=Yaml12Loader)

    def mutated(change):
        doc = copy.deepcopy(base)
        change(doc)
        return doc

    shape_errors = {
        None: lambda d: None,  # control: the example itself, written back the same way, passes both
        "unknown top-level key": lambda d: d.update(memroy_mib=4096),
        "unknown nested key": lambda d: d["cpu"].update(coress=2),
        "string for an integer": lambda d: d.update(memory_mib="lots"),
        "integer out of range": lambda d: d.update(memory_mib=8),
        "unknown enum choice": lambda d: d.update(ostype="win95"),
        "mapping for a string": lambda d: d.update(name={"a": 1}),
        "bad PCI address": lambda d: d["passthrough"][0].update(host="zz:00.0"),
        "missing required name": lambda d: d.pop("name"),
        "list item not a mapping": lambda d: d.update(disks=["sata"]),
    }
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "profiles").symlink_to(src / "profiles")
        for label, change in shape_errors.items():
            doc = mutated(change)
            schema_rejects = not validators["vm"].is_valid(doc)
            vm_file = Path(tmp) / "vm.yaml"
            vm_file.write_text(yaml.safe_dump(doc, default_flow_style=False))
            loader = subprocess.run([vfiogen, "check", "--profiles", str(src / "profiles"), str(vm_file)],
                                    capture_output=True, text=True)
            loader_rejects = loader.returncode != 0
            if label is None:
                if schema_rejects or loader_rejects:
                    print(f"FAIL: control: schema rejects={schema_rejects}, loader rejects={loader_rejects}"
                          f" ({loader.stdout.strip()[:300]})")
                    failed += 1
                else:
                    print("ok control: the unchanged example passes the schema and the loader")
            elif schema_rejects and loader_rejects:
                print(f"ok shape error '{label}': rejected by the schema and by the loader")
            else:
                print(f"FAIL: shape error '{label}': schema rejects={schema_rejects}, loader rejects={loader_rejects}"
                      f" ({loader.stdout.strip()[:300]})")
                failed += 1
    print(f"{failed} failed" if failed else "schema: all checks passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
