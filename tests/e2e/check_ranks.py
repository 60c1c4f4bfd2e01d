"""Compares the metrics.jsonl of a data-parallel run with that of one process
on the same global batch: the same train steps; the first step's loss and
gradient norm (computed before any update: the mean over ranks of the local
means) within 1e-6 relative; every step's loss within RTOL relative. The
same evaluations (step, split), each over as many examples with the same
counted metrics (accuracy, precision, recall, F1: the ranks' confusion
counts summed) and its loss within EVAL_RTOL (default RTOL: the weights
after the last step part a little more than its loss did).

usage: check_ranks.py ONE_PROCESS RANKS RTOL [EVAL_RTOL]"""
import json
import sys

ref_path, got_path, rtol = sys.argv[1], sys.argv[2], float(sys.argv[3])
eval_rtol = float(sys.argv[4]) if len(sys.argv) > 4 else rtol


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
worst = 0.0
for a, b in zip(ref, got):
    d = rel(a["loss"], b["loss"])
    worst = max(worst, d)
    if d > rtol:
        sys.exit(f"step {a['step']}: one process {a['loss']!r}, ranks "
                 f"{b['loss']!r}, relative difference {d:.3g} > {rtol}")
ref_eval, got_eval = records(ref_path, "eval"), records(got_path, "eval")
where = [(r["step"], r["split"]) for r in ref_eval]
if where != [(r["step"], r["split"]) for r in got_eval]:
    sys.exit(f"evaluations differ: {where} vs "
             f"{[(r['step'], r['split']) for r in got_eval]}")
for a, b in zip(ref_eval, got_eval):
    for key in a:
        if key in ("kind", "step", "epoch", "split", "seconds"):
            continue
        if key in ("loss", "perplexity"):
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
