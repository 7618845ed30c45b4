#!/usr/bin/env python3
"""agentc's resource bounds: peak RSS and wall time of `agentc build` on hostile sizes.

usage: python3 bench/bounds.py [--no-build] [--work DIR]

With the release binary, builds (every default target, into an empty dist/):
  - one spec of 15 MB (a 15 MB `role`; agentc reads no input over 16 MiB),
  - 1,000, 5,000 and 10,000 small specs,
and prints wall time and peak RSS (GNU time's %M, else os.wait4's ru_maxrss) for each,
then MB per 1,000 agents between the sizes, and whether memory grows linearly
(the increment per 1,000 agents from 5,000 to 10,000 is at most 1.5 times the one
from 1,000 to 5,000) and stays under 200 MB at 10,000 agents. Exit 1 if not.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / "target" / "release" / "agentc"

SMALL = """name = "{name}"
description = "Use this agent when a benchmark needs an agent named {name}."
model = "balanced"
tools = ["Read", "Grep", "Glob"]
role = \"\"\"
You are {name}, a careful reviewer. You read the change, find what breaks and say why.\"\"\"
triggers = ["a pull request is opened", "a test fails"]

[[responsibilities]]
title = "Review"
actions = ["Read the diff", "Run the tests", "Write findings"]

[boundaries]
will = ["review code"]
will_not = ["merge"]
"""


def run(args, cwd):
    """Runs a command; returns (wall seconds, peak RSS in MB).

    GNU time measures the child alone. os.wait4's ru_maxrss would also count the
    forked Python image before exec (holding the generated specs), so it is only
    the fallback when /usr/bin/time is missing.
    """
    gnu_time = Path("/usr/bin/time")
    start = time.monotonic()
    with tempfile.NamedTemporaryFile("r") as stats:
        wrapped = [gnu_time, "-f", "%M", "-o", stats.name, *args] if gnu_time.exists() else args
        proc = subprocess.Popen(wrapped, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.monotonic() - start
        err = proc.stderr.read().decode(errors="replace")
        proc.stderr.close()
        code = os.waitstatus_to_exitcode(status)
        if code != 0:
            sys.exit(f"{' '.join(map(str, args))} exited {code}:\n{err[-2000:]}")
        kb = int(stats.read().split()[-1]) if gnu_time.exists() else usage.ru_maxrss
    return wall, kb / 1024


def project(work, name, specs):
    root = work / name
    if root.exists():
        shutil.rmtree(root)
    (root / "agents").mkdir(parents=True)
    for file, text in specs:
        (root / "agents" / file).write_text(text)
    return root


def huge_spec():
    line = "You are a reviewer of very long prompts; this line repeats. " * 16 + "\n"
    body = line * (15 * 1024 * 1024 // len(line))
    return f'name = "huge"\ndescription = "a 15 MB prompt"\nrole = """\n{body}"""\n'


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--no-build", action="store_true", help="use target/release/agentc as it is")
    ap.add_argument("--work", type=Path, help="scratch folder (default: a temp dir)")
    opts = ap.parse_args()
    if not opts.no_build:
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    work = opts.work or Path(tempfile.mkdtemp(prefix="agentc-bounds-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"binary: {BIN}\nwork:   {work}\n")
    print(f"{'input':<24} {'outputs':>8} {'wall s':>8} {'peak RSS MB':>12}")

    text = huge_spec()
    size = len(text.encode()) / 1024 / 1024
    root = project(work, "huge", [("huge.toml", text)])
    del text
    wall, rss = run([BIN, "build", "-q"], root)
    outs = sum(1 for p in (root / "dist").rglob("*") if p.is_file()) - 1
    print(f"{f'1 spec of {size:.0f} MB':<24} {outs:>8} {wall:>8.2f} {rss:>12.1f}")
    shutil.rmtree(root)

    results = {}
    for n in (1000, 5000, 10000):
        specs = [(f"a{i:05}.toml", SMALL.format(name=f"a{i:05}")) for i in range(n)]
        root = project(work, f"n{n}", specs)
        del specs
        wall, rss = run([BIN, "build", "-q"], root)
        outs = sum(1 for p in (root / "dist").rglob("*") if p.is_file()) - 1
        print(f"{f'{n:,} small specs':<24} {outs:>8} {wall:>8.2f} {rss:>12.1f}")
        results[n] = rss
        shutil.rmtree(root)

    low = (results[5000] - results[1000]) / 4
    high = (results[10000] - results[5000]) / 5
    print()
    print(f"MB per 1,000 agents: {low:.2f} (1,000 -> 5,000), {high:.2f} (5,000 -> 10,000)")
    linear = high <= max(1.5 * low, low + 1.0)
    under = results[10000] < 200
    print(f"memory grows linearly: {'yes' if linear else 'NO'}")
    print(f"10,000 agents under 200 MB: {'yes' if under else 'NO'} ({results[10000]:.1f} MB)")
    if not opts.work:
        shutil.rmtree(work)
    return 0 if linear and under else 1


if __name__ == "__main__":
    sys.exit(main())
