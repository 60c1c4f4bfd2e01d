"""Runs the benchmark table: for each workload, `loom bench` (the CPU
backend's step, compiled from the example) and the PyTorch peer
(torch_peer.py) in the same run on the same machine, then prints a Markdown
table with both step times, the ratio, Loom's GFLOP/s and its fraction of the
oneDNN GEMM peak that `loom bench` measures.

    python3 bench/run.py [--loom build/release/tools/loom/loom] [--steps N]
                         [workload ...]

The peer is Debian's /usr/bin/python3 with python3-torch (PyTorch 1.13),
2 threads and OMP_WAIT_POLICY=PASSIVE for that command only. That is not the
peer a user would pick (a current PyTorch from PyPI, eager and
torch.compile, and JAX); moving to those is planned.

Both sides are checked before anything runs: a missing `loom` binary or a
peer Python without PyTorch is one line naming what is missing and how to get
it, and a command that fails is reported with its output; the exit status is
1 in every such case.
"""
import argparse
import json
import os
import platform
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PEER_PYTHON = "/usr/bin/python3"  # Debian's, where python3-torch installs
WORKLOADS = {  # name: (example, batch)
    "mlp": ("examples/mlp.loom", 256),
    "gpt": ("examples/gpt.loom", 8),
    "gpt2": ("examples/gpt2.loom", 4),
}


class BenchError(Exception):
    """A problem that ends the run with one message and exit status 1."""


def run_json(cmd, env=None):
    """Runs `cmd` and returns the JSON object on the last line of its output."""
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


def check_peers(loom):
    """Checks that both sides of the table can run before any of them does."""
    if not os.path.isfile(loom) or not os.access(loom, os.X_OK):
        raise BenchError(f"{loom} not found: build Loom first with `make "
                         f"build` (or pass --loom PATH)")
    if not os.access(PEER_PYTHON, os.X_OK):
        raise BenchError(f"{PEER_PYTHON} not found: the PyTorch peer runs on "
                         f"Debian's python3 with python3-torch (`sudo apt-get "
                         f"install python3 python3-torch`)")
    probe = subprocess.run([PEER_PYTHON, "-c", "import torch"],
                           capture_output=True, text=True)
    if probe.returncode != 0:
        reason = (probe.stderr.strip().splitlines() or ["(no output)"])[-1]
        raise BenchError(f"the PyTorch peer needs PyTorch for {PEER_PYTHON} "
                         f"({reason}): install Debian's python3-torch (`sudo "
                         f"apt-get install python3-torch`), or time Loom alone "
                         f"with `loom bench FILE`")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--loom", default=os.path.join(ROOT, "build/release/tools/loom/loom"))
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("workloads", nargs="*", default=list(WORKLOADS),
                    metavar="workload",
                    help="any of " + ", ".join(WORKLOADS) + " (default: all)")
    args = ap.parse_args()
    for name in args.workloads:
        if name not in WORKLOADS:
            ap.error(f"unknown workload '{name}' (choose from "
                     f"{', '.join(WORKLOADS)})")
    check_peers(args.loom)
    peer_env = dict(os.environ, OMP_WAIT_POLICY="PASSIVE")
    rows = []
    for name in args.workloads:
        example, batch = WORKLOADS[name]
        loom = run_json([args.loom, "bench", os.path.join(ROOT, example),
                         "--batch", str(batch), "--steps", str(args.steps),
                         "--json"])
        torch = run_json(["/usr/bin/python3", os.path.join(HERE, "torch_peer.py"),
                          name, "--steps", str(args.steps)], env=peer_env)
        rows.append((name, batch, loom, torch))
        print(f"{name}: loom {loom['min_s'] * 1e3:.1f} ms, "
              f"torch {torch['min_s'] * 1e3:.1f} ms", file=sys.stderr)
    cpu = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    print(f"Machine: {cpu}, {os.cpu_count()} cores, {platform.system()}; "
          f"PyTorch {rows[0][3]['torch'] if rows else '?'}; oneDNN GEMM peak "
          f"{rows[0][2]['gemm_peak_gflops']:.1f} GFLOP/s" if rows else "")
    print()
    print("| workload | batch | Loom min / median (ms) | PyTorch min / median (ms) "
          "| PyTorch / Loom | Loom GFLOP/s | of GEMM peak |")
    print("|---|---|---|---|---|---|---|")
    for name, batch, loom, torch in rows:
        print(f"| {name} | {batch} | {loom['min_s'] * 1e3:.1f} / "
              f"{loom['median_s'] * 1e3:.1f} | {torch['min_s'] * 1e3:.1f} / "
              f"{torch['median_s'] * 1e3:.1f} | "
              f"{torch['min_s'] / loom['min_s']:.2f}x | {loom['gflops']:.1f} | "
              f"{100 * loom['peak_fraction']:.1f}% |")


if __name__ == "__main__":
    try:
        main()
    except BenchError as e:
        print(f"bench/run.py: error: {e}", file=sys.stderr)
        sys.exit(1)
