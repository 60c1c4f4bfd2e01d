"""Runs the commands of a Markdown page, as a new user following it would.

    run_doc_commands.py --root SRC --work DIR PAGE.md [--bin-dir BUILD]

Every line of every ```sh block of PAGE.md is one command, run in order in
DIR, an empty directory in which the repository's examples/, tests/ and
bench/ are reachable (as links) and nothing else: what a command needs must
come from an earlier command of the page (data/fortunes.bin from `loom prep`,
runs/mlp/ from `loom train examples/mlp.loom`, ...). A command that fails
stops the run with the page's line, the command as written and as run, its
exit status and its output; the exit status is then 1.

So that a page runs in seconds, not hours, its commands are shortened:

- `build/<preset>/...` is the build under test (BUILD; by default the one
  whose `loom` is first on the PATH, as in lit), and so is a bare `loom` or
  `loom-opt`;
- `loom sweep` trains each trial at most 20 steps;
- `loom train` runs at most 2 steps (4 with --resume, so that the resumed
  run goes on) and evaluates on 1 batch; `loom run` and `loom bench` take 2
  steps; `loom generate` adds at most 4 tokens;
- `loom prep tokens` reads one small file of a directory (SHORT_DATA).

The commands this script does not run are listed in SKIPPED, per page, each
with its reason; an entry that no longer matches a command is an error, so
the list cannot go stale.

It also checks what the page says about runs: a `loom train` without
--resume or --overwrite may not write into a run directory that an earlier
command of the page made (it would be refused, or would overwrite that run),
and `--resume DIR/checkpoints` must name the run of an earlier `loom train`
of the same program, and say that it resumes that run at its last step.
"""
import argparse
import os
import re
import shlex
import shutil
import subprocess
import sys
import time

SKIPPED = {
    "README.md": {
        "make demo": "builds, then trains for minutes; the commands it runs "
                     "(loom prep tokens, loom train examples/gpt.loom, loom "
                     "generate) are on the page and run here",
        "make test": "the whole test suite, which runs this test",
        "make bench": "downloads the peers from PyPI (a few GB) and times "
                      "for minutes; tests/docs/bench_run.test checks its "
                      "errors",
    },
    "train.md": {},
    "sweep.md": {},
    "explain.md": {
        "loom explain runs/gpt/checkpoints": "needs examples/gpt.loom "
                                             "trained (hours); "
                                             "tests/e2e/explain.test runs "
                                             "--prompt on a small language "
                                             "model",
    },
}
SHORT_DATA = {
    # loom prep tokens: the fortunes directory (2.6 MB) -> one 16 kB file of it
    "/usr/share/games/fortunes": "/usr/share/games/fortunes/debian",
}
STEPS = 2
SWEEP_STEPS = 20
TIMEOUT_S = 300
LINKED = ["examples", "tests", "bench"]


class DocError(Exception):
    pass


def commands(page):
    """Yields (line number, command text) for each command of the sh blocks."""
    in_sh = False
    pending, start = "", 0
    with open(page) as f:
        for number, line in enumerate(f, 1):
            stripped = line.strip()
            if stripped.startswith("```"):
                in_sh = not in_sh and stripped[3:].strip() == "sh"
                continue
            if not in_sh or not stripped or stripped.startswith("#"):
                continue
            if not pending:
                start = number
            if stripped.endswith("\\"):
                pending += stripped[:-1] + " "
                continue
            yield start, pending + stripped
            pending = ""


def option(args, name):
    """The value of --name (as `--name V` or `--name=V`), or None."""
    for i, a in enumerate(args):
        if a == name and i + 1 < len(args):
            return args[i + 1]
        if a.startswith(name + "="):
            return a[len(name) + 1:]
    return None


def set_option(args, name, value):
    """Returns args with --name set to value (replaced, or appended)."""
    out, i, found = [], 0, False
    while i < len(args):
        a = args[i]
        if a == name and i + 1 < len(args):
            out += [name, str(value)]
            i += 2
            found = True
            continue
        if a.startswith(name + "="):
            out.append(f"{name}={value}")
            found = True
        else:
            out.append(a)
        i += 1
    return out if found else out + [name, str(value)]


def at_most(args, name, limit):
    value = option(args, name)
    if value is None or int(value) > limit:
        return set_option(args, name, limit)
    return args


class Runner:
    def __init__(self, root, bin_dir, work, page):
        self.root, self.bin_dir, self.work = root, bin_dir, work
        self.page = page
        self.name = os.path.basename(page)
        self.cwd = work
        self.vars = {}
        self.runs = {}  # run directory -> (program, line that made it)
        self.ran = 0
        self.expect = None  # a regex the output of the command must match
        self.skips_used = set()

    def tool(self, word):
        """Maps the spelling of a binary on the page to the build under test."""
        m = re.fullmatch(r"build/[^/]+/(.+)", word)
        if m:
            return os.path.join(self.bin_dir, m.group(1))
        if word in ("loom", "loom-opt"):
            return os.path.join(self.bin_dir, "tools", word, word)
        if word == "python3":
            return sys.executable
        return word

    def expand(self, word):
        return re.sub(r"\$\{?(\w+)\}?",
                      lambda m: self.vars.get(m.group(1), m.group(0)), word)

    def train_name(self, program):
        """The run name of `loom train PROGRAM`: its train block's name."""
        if program.endswith(".loomx"):
            return os.path.basename(program)[:-len(".loomx")]
        try:
            with open(os.path.join(self.cwd, program)) as f:
                names = re.findall(r"^train\s+(\w+)\s*\{", f.read(), re.M)
        except OSError as e:
            raise DocError(f"cannot read {program}: {e.strerror}")
        if len(names) != 1:
            raise DocError(f"{program} has {len(names)} train blocks")
        return names[0]

    def shorten(self, line, args):
        """The page's command, made short; also checks its run directory."""
        if os.path.basename(args[0]) != "loom" or len(args) < 2:
            return args
        sub = args[1]
        if sub == "train":
            resume = option(args, "--resume")
            args = at_most(args, "--steps", 2 * STEPS if resume else STEPS)
            args = set_option(args, "--eval-batches", 1)
            program = next(a for a in args[2:] if not a.startswith("-"))
            out = os.path.normpath(option(args, "--out") or
                                   "runs/" + self.train_name(program))
            if resume:
                run = os.path.normpath(re.sub(r"/checkpoints(/.*)?$", "",
                                              resume))
                made = self.runs.get(run)
                if made is None:
                    raise DocError(f"--resume {resume}: no earlier command of "
                                   f"the page made the run {run}")
                own = os.path.normpath(program).startswith(run + os.sep)
                if made[0] != program and not own:
                    raise DocError(
                        f"--resume {resume} continues the run of {made[0]} "
                        f"(line {made[1]}), not of {program}")
            elif out in self.runs and "--overwrite" not in args:
                made = self.runs[out]
                raise DocError(
                    f"writes into {out}, which holds the run of {made[0]} "
                    f"(line {made[1]}): give it its own --out, or --resume "
                    f"or --overwrite")
            if not resume:
                self.runs[out] = (program, line)
            else:
                # The run it continues stopped after the earlier command's
                # STEPS steps.
                self.expect = (re.escape(f"resuming from {resume.rstrip('/')}")
                               + r"\S* at step " + str(STEPS) + r"\b")
        elif sub in ("run", "bench"):
            args = at_most(args, "--steps", STEPS)
        elif sub == "sweep":
            # Every trial (and --full's run) trains SWEEP_STEPS steps.
            args = at_most(args, "--steps", SWEEP_STEPS)
        elif sub == "generate":
            args = at_most(args, "--tokens", 4)
        elif sub == "prep":
            args = [SHORT_DATA.get(a, a) for a in args]
        return args

    def run(self, line, text):
        for prefix, reason in SKIPPED.get(self.name, {}).items():
            if text.startswith(prefix):
                self.skips_used.add(prefix)
                print(f"skipped {self.name}:{line}: {text}\n  ({reason})")
                return
        words = [self.expand(w) for w in shlex.split(text, comments=True)]
        if any(w in ("&&", "||", "|", ";", ">", "<") for w in words):
            raise DocError("runs simple commands only; put each on its line")
        if len(words) == 1 and re.fullmatch(r"\w+=.*", words[0]):
            name, value = words[0].split("=", 1)
            self.vars[name] = value
            return
        if words[0] == "cd":
            self.cwd = os.path.normpath(os.path.join(self.cwd, words[1]))
            return
        self.expect = None
        args = self.shorten(line, [self.tool(words[0])] + words[1:])
        print(f"run {self.name}:{line}: {shlex.join(args)}", flush=True)
        start = time.monotonic()
        try:
            # errors="replace": `loom generate` prints the bytes it samples.
            proc = subprocess.run(args, cwd=self.cwd, capture_output=True,
                                  text=True, errors="replace",
                                  timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            raise DocError(f"did not finish in {TIMEOUT_S} s\n  ran: "
                           f"{shlex.join(args)}")
        except OSError as e:
            raise DocError(f"cannot run: {e}\n  ran: {shlex.join(args)}")
        if proc.returncode != 0:
            output = (proc.stdout + proc.stderr).strip().splitlines()
            raise DocError(f"exit status {proc.returncode}\n  ran: "
                           f"{shlex.join(args)}\n" +
                           "\n".join("  | " + o for o in output[-60:]))
        if self.expect and not re.search(self.expect, proc.stdout):
            raise DocError(f"its output does not say that it resumes the "
                           f"earlier run at step {STEPS}\n  ran: "
                           f"{shlex.join(args)}\n" + "\n".join(
                               "  | " + o for o in
                               proc.stdout.strip().splitlines()[:20]))
        self.ran += 1
        print(f"  ok in {time.monotonic() - start:.1f} s", flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True, help="the repository")
    ap.add_argument("--bin-dir", help="the build under test")
    ap.add_argument("--work", required=True, help="an empty directory")
    ap.add_argument("page")
    args = ap.parse_args()
    if not args.bin_dir:
        loom = shutil.which("loom")
        if not loom:
            print("error: no --bin-dir and no loom on the PATH", file=sys.stderr)
            return 1
        args.bin_dir = os.path.dirname(os.path.dirname(os.path.dirname(
            os.path.realpath(loom))))
    os.makedirs(args.work, exist_ok=True)
    for name in LINKED:
        os.symlink(os.path.join(os.path.abspath(args.root), name),
                   os.path.join(args.work, name))
    runner = Runner(os.path.abspath(args.root), os.path.abspath(args.bin_dir),
                    os.path.abspath(args.work), args.page)
    for line, text in commands(args.page):
        try:
            runner.run(line, text)
        except DocError as e:
            print(f"{args.page}:{line}: error: command failed: {text}\n  {e}",
                  file=sys.stderr)
            return 1
    stale = set(SKIPPED.get(runner.name, {})) - runner.skips_used
    if stale:
        print(f"{args.page}: error: SKIPPED lists commands the page does not "
              f"have: {', '.join(sorted(stale))}", file=sys.stderr)
        return 1
    if runner.ran == 0:
        print(f"{args.page}: error: no command ran", file=sys.stderr)
        return 1
    print(f"{runner.name}: {runner.ran} commands ran, "
          f"{len(runner.skips_used)} skipped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
