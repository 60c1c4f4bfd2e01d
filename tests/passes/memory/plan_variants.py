"""The memory-plan property test's driver: every example of examples/ with
every optimizer, with and without a schedule, planned as an artifact.

`loom compile --emit=plan` builds every program of the artifact but its
kernel code: it runs the planner's invariant check on each program
(checkArenaPlan, an internal error if it fails) and then the loader's checks
of the artifact (no two buffers sharing bytes while both are live at a
kernel). A variant passes when loom exits 0 and prints the plan.

Usage: plan_variants.py EXAMPLES_DIR WORK_DIR
Prints one line per variant ("<example> <optimizer> <schedule>: ok" or the
compiler's message), then "planned all N variants of E examples" or
"planned N of M variants"; exits 1 if any failed.
"""

import concurrent.futures
import os
import pathlib
import re
import subprocess
import sys

OPTIMIZERS = {
    "sgd": "sgd(lr = 1e-2)",
    "sgd_momentum": "sgd(lr = 1e-2, momentum = 0.9)",
    "adam": "adam(lr = 1e-3)",
    "adamw": "adamw(lr = 1e-3, weight_decay = 0.1)",
    "rmsprop": "rmsprop(lr = 1e-3)",
}
# The step counter reaches the step only through a schedule (and Adam's bias
# correction): both cases are planned. An exponential schedule needs no total
# length, which the examples that count epochs do not give.
SCHEDULES = {
    "none": None,
    "exponential": "exponential(gamma = 0.999)",
}


def variant(source: str, optimizer: str, schedule) -> str:
    """`source` with its train block's optimizer replaced and its schedule
    replaced, added or removed."""
    lines = source.splitlines()
    out = []
    seen_optimizer = False
    for line in lines:
        if re.match(r"\s*schedule\s*=", line):
            continue
        m = re.match(r"(\s*)optimizer(\s*)=", line)
        if m:
            if seen_optimizer:
                sys.exit("two optimizer lines: the variants need one train block")
            seen_optimizer = True
            indent = m.group(1)
            out.append(f"{indent}optimizer = {optimizer}")
            if schedule:
                out.append(f"{indent}schedule = {schedule}")
            continue
        out.append(line)
    if not seen_optimizer:
        sys.exit("no optimizer line")
    return "\n".join(out) + "\n"


def compile_one(job):
    name, path = job
    result = subprocess.run(
        ["loom", "compile", "--emit=plan", str(path)],
        capture_output=True,
        text=True,
    )
    if result.returncode == 0 and result.stdout.startswith("plan of "):
        return name, "ok"
    return name, (result.stderr.strip() or f"exit {result.returncode}")


def main() -> int:
    examples = sorted(pathlib.Path(sys.argv[1]).glob("*.loom"))
    work = pathlib.Path(sys.argv[2])
    work.mkdir(parents=True, exist_ok=True)
    jobs = []
    for example in examples:
        source = example.read_text()
        for opt, opt_text in OPTIMIZERS.items():
            for sched, sched_text in SCHEDULES.items():
                name = f"{example.stem} {opt} {sched}"
                path = work / f"{example.stem}_{opt}_{sched}.loom"
                path.write_text(variant(source, opt_text, sched_text))
                jobs.append((name, path))
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(compile_one, jobs))
    ok = 0
    for name, message in results:
        print(f"{name}: {message}")
        ok += message == "ok"
    if ok == len(jobs):
        print(f"planned all {ok} variants of {len(examples)} examples")
    else:
        print(f"planned {ok} of {len(jobs)} variants")
    return 0 if ok == len(jobs) else 1


if __name__ == "__main__":
    sys.exit(main())
