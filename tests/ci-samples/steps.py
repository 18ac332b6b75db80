#!/usr/bin/python3
"""Extract the shell steps of a CI sample (examples/ci) so tests can run them outside GitHub/GitLab.

usage: steps.py github|gitlab SAMPLE.yml OUTDIR

Writes into OUTDIR:
  env          the sample's variables as `export NAME='value'` lines (workflow/job `env:` for
               GitHub, `variables:` for GitLab), in file order;
  step-NN.sh   one script per shell step, in order: each GitHub `run:` step of each job (run by
               GitHub as `bash -e {0}`), or for GitLab one script of the job's before_script and
               script lines (run by GitLab's runner in one bash with errexit and pipefail);
  artifacts    the files the sample publishes, one a line: `sarif_file` of an upload-sarif step,
               or the job's `artifacts: paths`;
and prints, on stdout, what each step is and which non-shell steps (`uses:`) were left out.
Exit 1 when the sample has no shell step or a shape this reader does not know.
"""
import shlex
import sys
from pathlib import Path

import yaml


def fail(message):
    print(f"steps.py: {message}", file=sys.stderr)
    sys.exit(1)


def env_lines(mapping):
    return [f"export {name}={shlex.quote(str(value))}" for name, value in (mapping or {}).items()]


def github(doc):
    env, steps, artifacts, notes = env_lines(doc.get("env")), [], [], []
    for job_name, job in (doc.get("jobs") or {}).items():
        env += env_lines(job.get("env"))
        for step in job.get("steps") or []:
            label = step.get("name") or step.get("uses") or "run"
            if "run" in step:
                shell = step.get("shell", "bash")
                if shell != "bash":
                    fail(f"job {job_name}, step '{label}': shell '{shell}' is not supported")
                steps.append((f"{job_name}: {label}", "set -e\n" + "\n".join(env_lines(step.get("env"))) +
                              "\n" + step["run"]))
            else:
                notes.append(f"left out (not a shell step): {job_name}: {label}")
                uses = step.get("uses", "")
                if uses.startswith("github/codeql-action/upload-sarif@"):
                    artifacts.append(str(step["with"]["sarif_file"]))
    return env, steps, artifacts, notes


def gitlab(doc):
    env, steps, artifacts, notes = env_lines(doc.get("variables")), [], [], []
    for job_name, job in doc.items():
        if not isinstance(job, dict) or "script" not in job:
            continue
        env += env_lines(job.get("variables"))
        lines = list(job.get("before_script") or []) + list(job["script"])
        steps.append((f"{job_name}: before_script + script", "set -eo pipefail\n" + "\n".join(lines)))
        published = job.get("artifacts") or {}
        artifacts += [str(p) for p in published.get("paths") or []]
        artifacts += [str(p) for p in (published.get("reports") or {}).values()]
    return env, steps, artifacts, notes


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("github", "gitlab"):
        fail("usage: steps.py github|gitlab SAMPLE.yml OUTDIR")
    kind, sample, out = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    doc = yaml.safe_load(sample.read_text())
    env, steps, artifacts, notes = (github if kind == "github" else gitlab)(doc)
    if not steps:
        fail(f"{sample}: no shell step found")
    out.mkdir(parents=True, exist_ok=True)
    (out / "env").write_text("\n".join(env) + "\n")
    for i, (label, body) in enumerate(steps, 1):
        (out / f"step-{i:02d}.sh").write_text(f"# {label}\n{body}\n")
        print(f"step-{i:02d}.sh: {label}")
    (out / "artifacts").write_text("".join(a + "\n" for a in artifacts))
    for note in notes:
        print(note)


if __name__ == "__main__":
    main()
