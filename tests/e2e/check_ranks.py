"""Compares the metrics.jsonl of a data-parallel run with that of one process
on the same global batch: the same train steps; the first step's loss and
gradient norm (computed before any update: the mean over ranks of the local
means) within 1e-6 relative; every step's loss within RTOL relative.

usage: check_ranks.py ONE_PROCESS RANKS RTOL"""
import json
import sys

ref_path, got_path, rtol = sys.argv[1], sys.argv[2], float(sys.argv[3])


def train(path):
    return [r for r in map(json.loads, open(path)) if r["kind"] == "train"]


ref, got = train(ref_path), train(got_path)
if [r["step"] for r in ref] != [r["step"] for r in got] or not ref:
    sys.exit(f"train steps differ: {len(ref)} vs {len(got)} records")


def rel(a, b):
    return abs(a - b) / max(abs(a), 1e-30)


for key in ("loss", "grad_norm"):
    if key in ref[0] and rel(ref[0][key], got[0][key]) > 1e-6:
        sys.exit(f"step 1 {key}: one process {ref[0][key]!r}, ranks "
                 f"{got[0][key]!r}")
worst = 0.0
for a, b in zip(ref, got):
    d = rel(a["loss"], b["loss"])
    worst = max(worst, d)
    if d > rtol:
        sys.exit(f"step {a['step']}: one process {a['loss']!r}, ranks "
                 f"{b['loss']!r}, relative difference {d:.3g} > {rtol}")
print(f"{len(ref)} steps agree within {rtol}")
