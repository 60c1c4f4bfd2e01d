"""Runs every example command that `loom --help` and `loom COMMAND --help`
print, in an empty directory, and fails when one is a usage error (exit 2)
or crashes: each must parse. The files the examples name are not there, so
most stop at once with exit 1; the rest must succeed (exit 0).

    help_examples.py LOOM WORKDIR
"""
import os
import shlex
import shutil
import subprocess
import sys

loom, workdir = os.path.abspath(shutil.which(sys.argv[1]) or sys.argv[1]), sys.argv[2]


def examples(args):
    """The command lines under EXAMPLES: in the help that `args` prints."""
    out = subprocess.run([loom] + args, capture_output=True, text=True, check=True).stdout
    lines = out.split("\n")
    start = lines.index("EXAMPLES:") + 1
    found = []
    for line in lines[start:]:
        if not line.startswith("  loom "):
            break
        found.append(shlex.split(line.strip()))
    if not found:
        sys.exit(f"{' '.join(args)}: no example under EXAMPLES:")
    return found


top = subprocess.run([loom, "--help"], capture_output=True, text=True, check=True).stdout
commands = []
in_commands = False
for line in top.split("\n"):
    if line == "COMMANDS:":
        in_commands = True
    elif in_commands and line.startswith("  "):
        commands.append(line.split()[0])
    elif in_commands:
        break
if not commands:
    sys.exit("loom --help lists no commands")

failed = False
for args in [["--help"]] + [[c, "--help"] for c in commands]:
    for example in examples(args):
        r = subprocess.run([loom] + example[1:], cwd=workdir, capture_output=True, text=True, timeout=300)
        status = "ok" if r.returncode in (0, 1) else "FAILED"
        print(f"{' '.join(args)}: exit {r.returncode} {status}: {' '.join(example)}")
        if r.returncode not in (0, 1):
            failed = True
            print(r.stderr, end="")
sys.exit(1 if failed else 0)
