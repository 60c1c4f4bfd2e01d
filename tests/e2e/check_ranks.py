"""Compares the metrics.jsonl of a data-parallel run with that of one process
on the same global batch: the same train steps; the first step's loss and
gradient norm (computed before any update: the mean over ranks of the local
means) within 1e-6 relative; every step's loss within RTOL relative. The
same evaluations (step, split), each over as many examples with the same
counted metrics (accuracy, precision, recall, F1: the ranks' confusion
counts summed) and its loss (and a regression target's MAE, RMSE and R²)
within EVAL_RTOL (default RTOL: the weights
after the last step part a little more than its loss did).

With --other-rounding OTHER, the metrics of one process whose sums round
another way (oneDNN limited to another ISA), the test is instead that the
ranks' largest loss difference from ONE_PROCESS over the run (train steps,
then evaluation losses) is at most max(RTOL, 3 x OTHER's largest difference
from it): a recipe whose curve reacts to rounding (Adam after a ReLU:
docs/parallel.md) parts from one process by as much under data parallelism
as under another rounding of the same sums, and no more. Counted metrics
are not compared then (the weights differ).

usage: check_ranks.py ONE_PROCESS RANKS RTOL [EVAL_RTOL] [--other-rounding OTHER]"""
import json
import sys

args = sys.argv[1:]
band_path = None
if "--other-rounding" in args:
    i = args.index("--other-rounding")
    band_path = args[i + 1]
    del args[i:i + 2]
ref_path, got_path, rtol = args[0], args[1], float(args[2])
eval_rtol = float(args[3]) if len(args) > 3 else rtol


def records(path, kind):
    return [r for r in map(json.loads, open(path)) if r["kind"] == kind]


def train(path):
    return records(path, "train")


ref, got = train(ref_path), train(got_path)
if [r["step"] for r in ref] != [r["step"] for r in got] or not ref:
    sys.exit(f"train steps differ: {len(ref)} vs {len(got)} records")


def rel(a, b):
    return abs(a - b) / max(abs(a), 1e-30)


for key in ("loss", "grad_norm"):
    if key in ref[0] and rel(ref[0][key], got[0][key]) > 1e-6:
        sys.exit(f"step 1 {key}: one process {ref[0][key]!r}, ranks "
                 f"{got[0][key]!r}")
ref_eval, got_eval = records(ref_path, "eval"), records(got_path, "eval")
where = [(r["step"], r["split"]) for r in ref_eval]
if where != [(r["step"], r["split"]) for r in got_eval]:
    sys.exit(f"evaluations differ: {where} vs "
             f"{[(r['step'], r['split']) for r in got_eval]}")

if band_path:
    band, band_eval = train(band_path), records(band_path, "eval")
    if [r["step"] for r in band] != [r["step"] for r in ref]:
        sys.exit(f"train steps differ: {len(ref)} vs {len(band)} records")

    def worst(run, evals):
        d = [rel(a["loss"], b["loss"]) for a, b in zip(ref, run)]
        d += [rel(a["loss"], b["loss"]) for a, b in zip(ref_eval, evals)]
        return max(d)

    mine, theirs = worst(got, got_eval), worst(band, band_eval)
    limit = max(rtol, 3 * theirs)
    if mine > limit:
        sys.exit(f"the ranks part from one process by {mine:.3g}, more than "
                 f"{limit:.3g} (3x the {theirs:.3g} of another rounding)")
    print(f"{len(ref)} steps and {len(ref_eval)} evaluations: the ranks part "
          f"by {mine:.3g}, another rounding by {theirs:.3g}")
    sys.exit(0)

for a, b in zip(ref, got):
    d = rel(a["loss"], b["loss"])
    if d > rtol:
        sys.exit(f"step {a['step']}: one process {a['loss']!r}, ranks "
                 f"{b['loss']!r}, relative difference {d:.3g} > {rtol}")
for a, b in zip(ref_eval, got_eval):
    for key in a:
        if key in ("kind", "step", "epoch", "split", "seconds"):
            continue
        if key in ("loss", "perplexity", "mae", "rmse", "r2"):
            d = rel(a[key], b[key])
            if d > eval_rtol:
                sys.exit(f"eval at step {a['step']} on {a['split']}: {key} "
                         f"{a[key]!r} in one process, {b[key]!r} in ranks, "
                         f"relative difference {d:.3g} > {eval_rtol}")
            continue
        if a[key] != b.get(key):
            sys.exit(f"eval at step {a['step']} on {a['split']}: {key} is "
                     f"{a[key]!r} in one process, {b.get(key)!r} in ranks")
print(f"{len(ref)} steps and {len(ref_eval)} evaluations agree within "
      f"{rtol} and {eval_rtol}")
