"""Checks a `loom sweep` against the same trials run one by one.

Usage: sweep_check.py LOOM FILE.loom SWEEP_DIR WORK_DIR SWEEP_OUTPUT

For every record of SWEEP_DIR/sweep.jsonl, runs `loom train FILE.loom` with
that trial's settings (--lr, --batch, --seed, --steps as flags, the others
as --set NAME=VALUE, plus the sweep's --steps from sweep.json) into
WORK_DIR/one-by-one/TRIAL, and checks that its final validation metric
equals the sweep's to the bit, and that the best of the one-by-one runs
equals the sweep's best. Prints the best. Then checks that the ranked table
in SWEEP_OUTPUT (the sweep's stdout) orders the trials by the metric, ties
by the lower validation loss.
"""
import json
import os
import subprocess
import sys


def final_metric(run_dir, metric):
    key = "macro_" + metric if metric in ("f1", "precision", "recall") else metric
    value = None
    with open(os.path.join(run_dir, "metrics.jsonl")) as f:
        for line in f:
            r = json.loads(line)
            if r.get("kind") == "eval" and r.get("split") == "val":
                value = r.get(key)
    return value


def main():
    loom, program, sweep_dir, work, output = sys.argv[1:6]
    spec = json.load(open(os.path.join(sweep_dir, "sweep.json")))
    records = [json.loads(l) for l in open(os.path.join(sweep_dir, "sweep.jsonl"))]
    if len(records) != len(spec["trials"]):
        sys.exit("sweep.jsonl has %d records for %d trials" % (len(records), len(spec["trials"])))
    metric = spec["metric"]
    higher = metric not in ("loss", "perplexity")
    alone = {}
    for r in records:
        if r["status"] != "ok":
            sys.exit("%s: status %s" % (r["trial"], r["status"]))
        out = os.path.join(work, "one-by-one", r["trial"])
        cmd = [loom, "train", program, "--out", out, "--overwrite", "--quiet"]
        if spec["steps"] is not None:
            cmd += ["--steps", str(spec["steps"])]
        for name, value in r["settings"].items():
            if name in ("lr", "batch", "seed", "steps"):
                cmd += ["--" + name, value]
            else:
                cmd += ["--set", "%s=%s" % (name, value)]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        alone[r["trial"]] = final_metric(out, metric)
        if alone[r["trial"]] != r["value"]:
            sys.exit("%s: the sweep's %s is %r, alone %r" % (r["trial"], metric, r["value"], alone[r["trial"]]))
    pick = max if higher else min
    best_sweep = pick(r["value"] for r in records)
    best_alone = pick(alone.values())
    if best_sweep != best_alone:
        sys.exit("best %s: sweep %r, one by one %r" % (metric, best_sweep, best_alone))
    print("best %s %.4f: the sweep and %d runs one by one agree" % (metric, best_alone, len(alone)))
    lines = open(output).read().split("ranked by")[1].splitlines()[2:2 + len(records)]
    table = [line.split()[1] for line in lines]
    by_trial = {r["trial"]: r for r in records}
    sign = -1 if higher else 1
    expected = sorted(by_trial, key=lambda t: (sign * by_trial[t]["value"], by_trial[t]["loss"], t))
    if table != expected:
        sys.exit("the table ranks %s, not %s" % (table, expected))
    print("the table ranks by %s, then the lower loss" % metric)


main()
