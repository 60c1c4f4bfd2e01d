"""Compares the metrics.jsonl of a data-parallel run with that of one process
on the same global batch: the same train steps; the first step's loss and
gradient norm (computed before any update: the mean over ranks of the local
means) within 1e-6 relative; every step's loss within RTOL relative.

With OTHER_ROUNDING, the metrics of one process whose sums round another
way (oneDNN limited to another ISA), the test is instead that the ranks'
largest difference from ONE_PROCESS over the run is at most
max(RTOL, 3 x OTHER_ROUNDING's largest difference from it): a recipe whose
curve reacts to rounding (Adam after a ReLU: docs/parallel.md) parts from
one process by as much under data parallelism as under another rounding of
the same sums, and no more.

usage: check_ranks.py ONE_PROCESS RANKS RTOL [OTHER_ROUNDING]"""
import json
import sys

ref_path, got_path, rtol = sys.argv[1], sys.argv[2], float(sys.argv[3])
band_path = sys.argv[4] if len(sys.argv) > 4 else None


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

def worst_of(run):
    return max(rel(a["loss"], b["loss"]) for a, b in zip(ref, run))


if band_path:
    band = train(band_path)
    if [r["step"] for r in band] != [r["step"] for r in ref]:
        sys.exit(f"train steps differ: {len(ref)} vs {len(band)} records")
    limit = max(rtol, 3 * worst_of(band))
    if worst_of(got) > limit:
        sys.exit(f"the ranks part from one process by {worst_of(got):.3g}, "
                 f"more than {limit:.3g} (3x the {worst_of(band):.3g} of "
                 f"another rounding)")
    print(f"{len(ref)} steps: the ranks part by {worst_of(got):.3g}, another "
          f"rounding by {worst_of(band):.3g}")
    sys.exit(0)
worst = 0.0
for a, b in zip(ref, got):
    d = rel(a["loss"], b["loss"])
    worst = max(worst, d)
    if d > rtol:
        sys.exit(f"step {a['step']}: one process {a['loss']!r}, ranks "
                 f"{b['loss']!r}, relative difference {d:.3g} > {rtol}")
print(f"{len(ref)} steps agree within {rtol}")
