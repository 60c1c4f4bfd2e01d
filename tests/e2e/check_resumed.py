"""Compares the train losses of a resumed run with those of a full run at
the same steps: every step the resumed run logged must be in the full run,
within RTOL relative; FIRST is the first step the resumed run must log.

usage: check_resumed.py FULL RESUMED FIRST RTOL"""
import json
import sys

full_path, resumed_path = sys.argv[1], sys.argv[2]
first, rtol = int(sys.argv[3]), float(sys.argv[4])


def losses(path):
    return {r["step"]: r["loss"] for r in map(json.loads, open(path))
            if r["kind"] == "train"}


full, resumed = losses(full_path), losses(resumed_path)
if not resumed or min(resumed) != first:
    sys.exit(f"the resumed run logs steps {sorted(resumed)}, not from {first}")
worst = 0.0
for step, loss in sorted(resumed.items()):
    if step not in full:
        sys.exit(f"step {step} is not in the full run")
    d = abs(full[step] - loss) / max(abs(full[step]), 1e-30)
    worst = max(worst, d)
    if d > rtol:
        sys.exit(f"step {step}: full run {full[step]!r}, resumed {loss!r}, "
                 f"relative difference {d:.3g} > {rtol}")
print(f"{len(resumed)} resumed steps agree within {rtol}")
