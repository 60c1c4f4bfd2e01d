"""Compiles every ```loom code block of the given Markdown pages.

    check_doc_blocks.py --work DIR [--loom PATH] [PAGE.md...]

Without pages: the repository's README.md and docs/*.md.

Each block is written to a file of its own in DIR and must be a whole file:
- a block with a `train` block is compiled with `loom compile FILE` (the
  frontend: parsing, names, shapes, lowering of the train block);
- a block of models only is checked with `loom check FILE`;
- a block whose info string is `loom fragment` (part of a file, or a
  mistake shown on purpose) is not compiled.
Any other info string that starts with `loom` is an error, so that a typo
does not skip a block. `import std.nn` resolves to the repository's
frontend/std. A block that fails is reported with its page and line, and
the compiler's diagnostics; the exit status is then 1.
"""
import argparse
import glob
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
# A file of models only has no train block to lower: `loom check FILE`
# checks its names and elaborates each model whose hyper-parameters all have
# defaults.
MODEL_ONLY = ["check"]


def blocks(page):
    """Yields (line of the opening fence, info string, code)."""
    lines = open(page).read().split("\n")
    i = 0
    while i < len(lines):
        m = re.match(r"^```(loom\b.*)$", lines[i])
        if not m:
            i += 1
            continue
        start, info, code = i + 1, m.group(1).strip(), []
        i += 1
        while i < len(lines) and not lines[i].startswith("```"):
            code.append(lines[i])
            i += 1
        yield start, info, "\n".join(code) + "\n"
        i += 1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", required=True)
    ap.add_argument("--loom", default=shutil.which("loom"))
    ap.add_argument("pages", nargs="*")
    args = ap.parse_args()
    if not args.pages:
        args.pages = [os.path.join(ROOT, "README.md")] + sorted(
            glob.glob(os.path.join(ROOT, "docs", "*.md")))
    if not args.loom:
        print("error: no --loom and no loom on the PATH", file=sys.stderr)
        return 1
    os.makedirs(args.work, exist_ok=True)
    env = dict(os.environ, LOOM_STD_DIR=os.path.join(ROOT, "frontend", "std"))
    counts = {"program": 0, "models": 0, "fragment": 0}
    failed = 0
    for page in args.pages:
        name = os.path.basename(page)
        for line, info, code in blocks(page):
            where = f"{page}:{line}"
            if info == "loom fragment":
                counts["fragment"] += 1
                continue
            if info != "loom":
                print(f"{where}: error: unknown info string '{info}' (a "
                      f"block is 'loom' or 'loom fragment')", file=sys.stderr)
                failed += 1
                continue
            path = os.path.join(args.work, f"{name}-line{line}.loom")
            with open(path, "w") as f:
                f.write(code)
            program = re.search(r"^train\s+\w+\s*\{", code, re.M)
            kind = "program" if program else "models"
            cmd = [args.loom] + (["compile", path] if program else
                                 MODEL_ONLY + [path])
            proc = subprocess.run(cmd, capture_output=True, text=True,
                                  env=env)
            if proc.returncode != 0:
                failed += 1
                print(f"{where}: error: this block does not compile (its "
                      f"line 1 is line {line + 1} of the page): "
                      f"{' '.join(cmd)}\n{proc.stderr.rstrip()}",
                      file=sys.stderr)
                continue
            counts[kind] += 1
    total = sum(counts.values())
    print(f"{total} loom blocks: {counts['program']} programs compiled, "
          f"{counts['models']} files of models checked, "
          f"{counts['fragment']} fragments, {failed} failed")
    if total == 0:
        print("error: no loom block found", file=sys.stderr)
        return 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
