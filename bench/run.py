"""Runs the benchmark table: for each workload, Loom and its peers, each in
its own process, one after the other in the same run on the same machine,
then prints two Markdown tables: the step times (minimum of the timed steps,
median in parentheses) with Loom's fraction of the GEMM peak, and each one's
max RSS and first-step (compile) time.

    python3 bench/run.py [--loom PATH] [--venv DIR] [--steps N] [--warmup N]
                         [--peers loom,torch-eager,torch-compile,jax]
                         [workload ...]

- loom: `loom compile` of the example to an artifact (its wall time is
  Loom's compile time), then `loom bench ARTIFACT --json`, so that the max
  RSS is the runtime's alone; it measures the GEMM peak too.
- torch-eager, torch-compile: bench/torch_peer.py --mode eager|compile;
  jax: bench/jax_peer.py. They run on the Python of the peers' virtual
  environment (bench/.venv, made by `make bench-env` from the pins of
  bench/requirements.txt).

Every peer runs with 2 threads; the sides in PASSIVE below (or --passive)
get OMP_WAIT_POLICY=PASSIVE, where bench/README.md measured that it helps. Everything a run needs is checked
before anything runs: a missing `loom` binary, a missing virtual environment
or a package missing in it is one line naming what is missing and how to get
it; a command that fails is reported with its output; the exit status is 1
in every such case.
"""
import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
WORKLOADS = {  # name: (example, batch, what it is)
    "mlp": ("examples/mlp.loom", 256, "784-1024-1024-10, Adam"),
    "gpt": ("examples/gpt.loom", 8, "L6 d384 T256, AdamW, clip"),
    "gpt2": ("examples/gpt2.loom", 4, "124M, T64, AdamW, clip"),
}
PEERS = {  # name: (column title, script and arguments, modules it imports)
    "torch-eager": ("PyTorch eager", ["torch_peer.py", "--mode", "eager"],
                    ["torch"]),
    "torch-compile": ("torch.compile", ["torch_peer.py", "--mode", "compile"],
                      ["torch"]),
    "jax": ("JAX jit", ["jax_peer.py"], ["jax", "optax"]),
}
# The sides that run on OpenMP, which run faster with OMP_WAIT_POLICY=PASSIVE
# when other work shares the cores (bench/README.md has the measurement;
# --passive changes the set). XLA does not use OpenMP.
PASSIVE = ["loom", "torch-eager", "torch-compile"]


class BenchError(Exception):
    """A problem that ends the run with one message and exit status 1."""


def run_json(cmd, env=None):
    """Runs `cmd` and returns the JSON object on the last line of its
    output."""
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        output = (proc.stderr.strip() or proc.stdout.strip() or "(no output)")
        raise BenchError(f"'{' '.join(cmd)}' failed (exit status "
                         f"{proc.returncode}):\n{output}")
    try:
        return json.loads(lines[-1])
    except json.JSONDecodeError:
        raise BenchError(f"'{' '.join(cmd)}' did not end with a JSON line; "
                         f"its last line: {lines[-1]}")


def check_setup(loom, venv, peers):
    """Checks that every selected side of the table can run before any of
    them does."""
    if not os.path.isfile(loom) or not os.access(loom, os.X_OK):
        raise BenchError(f"{loom} not found: build Loom first with `make "
                         f"build` (or pass --loom PATH)")
    others = [p for p in peers if p != "loom"]
    if not others:
        return
    python = os.path.join(venv, "bin", "python")
    if not os.access(python, os.X_OK):
        raise BenchError(f"the peers' virtual environment {venv} is missing: "
                         f"create it with `make bench-env` (it installs "
                         f"bench/requirements.txt from PyPI, a few GB), or "
                         f"time Loom alone with --peers loom")
    modules = sorted({m for p in others for m in PEERS[p][2]})
    for module in modules:
        probe = subprocess.run([python, "-c", f"import {module}"],
                               capture_output=True, text=True)
        if probe.returncode != 0:
            reason = (probe.stderr.strip().splitlines() or ["(no output)"])[-1]
            raise BenchError(f"the peers' virtual environment {venv} cannot "
                             f"import {module} ({reason}): rerun `make "
                             f"bench-env`")


def side_env(name, args, tmp):
    """The environment of one side's processes: Inductor gets an empty cache
    directory, so that its first step compiles as on first use."""
    env = dict(os.environ)
    env["TORCHINDUCTOR_CACHE_DIR"] = tempfile.mkdtemp(prefix="inductor-",
                                                      dir=tmp)
    if name in args.passive:
        env["OMP_WAIT_POLICY"] = "PASSIVE"
    return env


def run_loom(loom, example, tmp, args):
    """Loom's side: the compile, timed, then `loom bench` on the artifact."""
    artifact = os.path.join(tmp, os.path.basename(example) + "x")
    cmd = [loom, "compile", os.path.join(ROOT, example), "-o", artifact]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    compile_s = time.perf_counter() - t0
    if proc.returncode != 0:
        output = (proc.stderr.strip() or proc.stdout.strip() or "(no output)")
        raise BenchError(f"'{' '.join(cmd)}' failed (exit status "
                         f"{proc.returncode}):\n{output}")
    result = run_json([loom, "bench", artifact, "--steps", str(args.steps),
                       "--warmup", str(args.warmup), "--json"],
                      env=side_env("loom", args, tmp))
    result["compile_s"] = compile_s
    return result


def run_peer(python, name, workload, tmp, args):
    """One peer's process for one workload."""
    script, *flags = PEERS[name][1]
    return run_json([python, os.path.join(HERE, script), workload, *flags,
                     "--steps", str(args.steps), "--warmup",
                     str(args.warmup)], env=side_env(name, args, tmp))


def ms(seconds):
    return f"{seconds * 1e3:.1f} ms" if seconds < 1 else f"{seconds:.3f} s"


def gb(n):
    return f"{n / 1e9:.2f}"


def machine():
    """The CPU, its cores and vector ISA, and the OS, on one line."""
    cpu, isa = "unknown CPU", "unknown ISA"
    try:
        text = open("/proc/cpuinfo").read()
        for line in text.splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        isa = ("AVX-512" if " avx512f" in text else
               "AVX2, no AVX-512" if " avx2" in text else "no AVX2")
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, {isa}, {platform.system()}"


def print_tables(rows, peers, args):
    """The two Markdown tables and their conditions."""
    versions = {}
    for _, results in rows:
        for name, r in results.items():
            if name != "loom" and "version" in r:
                versions[name] = f"{r['version']} (optimizer: {r['optimizer']})"
    print(f"Machine: {machine()}. {args.steps} timed steps after "
          f"{args.warmup} warm-up, each side in its own process, one after "
          f"the other; {time.strftime('%Y-%m-%d')}.")
    for name in peers:
        passive = ", OMP_WAIT_POLICY=PASSIVE" if name in args.passive else ""
        if name == "loom":
            print(f"- Loom: `loom bench` of the compiled artifact{passive}")
        elif name in versions:
            print(f"- {PEERS[name][0]}: {versions[name]}{passive}")
    print()
    titles = ["Loom" if p == "loom" else PEERS[p][0] for p in peers]
    print("| workload | " + " | ".join(titles) +
          " | best peer's time / Loom's | Loom's GFLOP/s of the GEMM peak "
          "(peak: median, min-max) |")
    print("|---" * (len(titles) + 3) + "|")
    for workload, results in rows:
        cells = []
        for p in peers:
            r = results.get(p)
            cells.append(f"{ms(r['min_s'])} ({ms(r['median_s'])})" if r
                         else "failed")
        loom = results.get("loom")
        others = [results[p]["min_s"] for p in peers
                  if p != "loom" and results.get(p)]
        ratio = (f"{min(others) / loom['min_s']:.2f}x"
                 if loom and others else "-")
        peak = (f"{100 * loom['peak_fraction']:.1f}% "
                f"({loom['gemm_peak_gflops']:.0f}, "
                f"{loom['gemm_peak_min_gflops']:.0f}-"
                f"{loom['gemm_peak_max_gflops']:.0f} GFLOP/s"
                f"{'' if loom['gemm_peak_stable'] else ', not stable'})"
                if loom else "-")
        example, batch, what = WORKLOADS[workload]
        print(f"| {workload} ({what}, B{batch}) | " + " | ".join(cells) +
              f" | {ratio} | {peak} |")
    print()
    print("| workload | max RSS (GB): " + " / ".join(titles) +
          " | first step (s), compile included: " + " / ".join(
              "Loom's compile" if p == "loom" else PEERS[p][0] for p in peers)
          + " |")
    print("|---|---|---|")
    for workload, results in rows:
        rss = " / ".join(gb(results[p]["max_rss_bytes"]) if results.get(p)
                         else "-" for p in peers)
        first = " / ".join(
            (f"{results[p]['compile_s']:.1f}" if p == "loom" else
             f"{results[p]['first_step_s']:.1f}") if results.get(p) else "-"
            for p in peers)
        print(f"| {workload} | {rss} | {first} |")


def main():
    ap = argparse.ArgumentParser(
        description="Loom and its peers on the same workloads, one process "
                    "each; prints bench/README.md's tables.")
    ap.add_argument("--loom", default=os.path.join(ROOT, "build/release/tools/loom/loom"))
    ap.add_argument("--venv", default=os.path.join(HERE, ".venv"),
                    help="the peers' virtual environment (make bench-env)")
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=2,
                    help="untimed steps first (the peers' first step is "
                         "always one of them)")
    ap.add_argument("--peers", default="loom," + ",".join(PEERS),
                    help="comma-separated, any of loom, " + ", ".join(PEERS)
                    + " (default: all)")
    ap.add_argument("--passive", default=",".join(PASSIVE),
                    help="comma-separated sides that run with "
                         "OMP_WAIT_POLICY=PASSIVE (default: %(default)s; "
                         "'' for none)")
    ap.add_argument("workloads", nargs="*", default=list(WORKLOADS),
                    metavar="workload",
                    help="any of " + ", ".join(WORKLOADS) + " (default: all)")
    args = ap.parse_args()
    for name in args.workloads:
        if name not in WORKLOADS:
            ap.error(f"unknown workload '{name}' (choose from "
                     f"{', '.join(WORKLOADS)})")
    peers = [p for p in args.peers.split(",") if p]
    args.passive = [p for p in args.passive.split(",") if p]
    for p in peers + args.passive:
        if p != "loom" and p not in PEERS:
            ap.error(f"unknown peer '{p}' (choose from loom, "
                     f"{', '.join(PEERS)})")
    if args.steps < 1 or args.warmup < 0:
        ap.error("--steps must be at least 1 and --warmup at least 0")
    check_setup(args.loom, args.venv, peers)
    python = os.path.join(args.venv, "bin", "python")
    rows = []
    failed = []
    with tempfile.TemporaryDirectory(prefix="loom-bench-") as tmp:
        for workload in args.workloads:
            results = {}
            for p in peers:
                if p == "loom":
                    r = run_loom(args.loom, WORKLOADS[workload][0], tmp, args)
                else:
                    # A peer that fails (out of memory, say) leaves its cell
                    # empty; the rest of the table still runs.
                    try:
                        r = run_peer(python, p, workload, tmp, args)
                    except BenchError as e:
                        print(f"bench/run.py: error: {e}", file=sys.stderr)
                        failed.append(f"{p} on {workload}")
                        continue
                results[p] = r
                print(f"{workload}: {p} {ms(r['min_s'])}", file=sys.stderr)
            rows.append((workload, results))
    print_tables(rows, peers, args)
    if failed:
        raise BenchError("failed: " + ", ".join(failed) + " (their output "
                         "is above)")


if __name__ == "__main__":
    try:
        main()
    except BenchError as e:
        print(f"bench/run.py: error: {e}", file=sys.stderr)
        sys.exit(1)
