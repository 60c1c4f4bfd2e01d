"""Compares the loss curves of two `loom run` outputs step by step: every
step's losses must agree within `rtol` relative to the reference's."""
import re
import sys

ref_path, other_path, rtol = sys.argv[1], sys.argv[2], float(sys.argv[3])


def losses(path):
    return [float(m.group(1)) for m in
            re.finditer(r"^step +\d+/\d+  loss (\S+)", open(path).read(), re.M)]


ref, other = losses(ref_path), losses(other_path)
if len(ref) != len(other) or not ref:
    sys.exit(f"step counts differ: {len(ref)} vs {len(other)}")
worst = 0.0
for i, (a, b) in enumerate(zip(ref, other)):
    rel = abs(a - b) / max(abs(a), 1e-30)
    worst = max(worst, rel)
    if rel > rtol:
        sys.exit(f"step {i + 1}: reference {a!r} vs {b!r}, relative "
                 f"difference {rel:.3g} > {rtol}")
print(f"{len(ref)} steps agree; largest relative difference {worst:.3g}")
