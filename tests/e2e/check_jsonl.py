"""Checks a metrics.jsonl: every line a JSON object with kind, step and
epoch; one train record per step 1..STEPS; evaluation records; a summary
last. With a second file, the train and eval records must be identical
(a resumed run against an uninterrupted one).

usage: check_jsonl.py METRICS STEPS [REFERENCE]"""
import json
import sys


def load(path):
    records = [json.loads(line) for line in open(path)]
    for r in records:
        assert {"kind", "step", "epoch"} <= r.keys(), r
    return records


got = load(sys.argv[1])
steps = int(sys.argv[2])
train = [r["step"] for r in got if r["kind"] == "train"]
if train != list(range(1, steps + 1)):
    sys.exit(f"{sys.argv[1]}: train records for steps {train[:5]}..., "
             f"expected 1..{steps}")
if not any(r["kind"] == "eval" for r in got):
    sys.exit(f"{sys.argv[1]}: no eval record")
if got[-1]["kind"] != "summary":
    sys.exit(f"{sys.argv[1]}: the last record is not the summary")
if len(sys.argv) > 3:
    def key(records):
        return [{k: v for k, v in r.items() if k not in ("seconds",
                 "items_per_second")} for r in records
                if r["kind"] in ("train", "eval")]
    want = key(load(sys.argv[3]))
    have = key(got)
    if want != have:
        bad = next(i for i, (a, b) in enumerate(zip(want, have)) if a != b) \
            if len(want) == len(have) else min(len(want), len(have))
        sys.exit(f"{sys.argv[1]}: record {bad} differs from the reference: "
                 f"{have[bad] if bad < len(have) else None} vs "
                 f"{want[bad] if bad < len(want) else None}")
print("ok")
