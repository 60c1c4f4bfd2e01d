"""Compares the training losses of two metrics.jsonl files step by step:
each pair must agree within `rtol` relative to the first file's, and the
files must hold the same steps. Prints the largest relative difference."""
import json
import sys


def losses(path):
    out = []
    for line in open(path):
        rec = json.loads(line)
        if rec.get("kind") == "train":
            out.append((rec["step"], rec["loss"]))
    return out


def main():
    a, b, rtol = losses(sys.argv[1]), losses(sys.argv[2]), float(sys.argv[3])
    if [s for s, _ in a] != [s for s, _ in b] or not a:
        sys.exit(f"the steps differ: {len(a)} vs {len(b)} losses")
    worst = 0.0
    for (step, x), (_, y) in zip(a, b):
        rel = abs(x - y) / max(abs(x), 1e-30)
        worst = max(worst, rel)
        if rel > rtol:
            sys.exit(f"step {step}: {x!r} vs {y!r}, relative difference "
                     f"{rel:.3g} > {rtol}")
    print(f"{len(a)} steps agree within {rtol}")


main()
