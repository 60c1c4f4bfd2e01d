"""Runs the benchmark table: for each workload, `loom bench` (the CPU
backend's step, compiled from the example) and the PyTorch peer
(torch_peer.py) in the same run on the same machine, then prints a Markdown
table with both step times, the ratio, Loom's GFLOP/s and its fraction of the
oneDNN GEMM peak that `loom bench` measures.

    python3 bench/run.py [--loom build/release/tools/loom/loom] [--steps N]
                         [workload ...]

The peer runs as a tuned PyTorch: Debian's /usr/bin/python3, 2 threads,
OPENBLAS_CORETYPE=SkylakeX and OMP_WAIT_POLICY=PASSIVE for that command only.
"""
import argparse
import json
import os
import platform
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
WORKLOADS = {  # name: (example, batch)
    "mlp": ("examples/mlp.loom", 256),
    "gpt": ("examples/gpt.loom", 8),
    "gpt2": ("examples/gpt2.loom", 4),
}


def run_json(cmd, env=None):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True,
                         env=env).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--loom", default=os.path.join(ROOT, "build/release/tools/loom/loom"))
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("workloads", nargs="*", default=list(WORKLOADS))
    args = ap.parse_args()
    peer_env = dict(os.environ, OPENBLAS_CORETYPE="SkylakeX",
                    OMP_WAIT_POLICY="PASSIVE")
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
    main()
