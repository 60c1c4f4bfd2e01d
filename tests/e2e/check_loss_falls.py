"""Reads `loom run` output and checks that training lowered the loss: the mean
of the last five steps' losses must be below `ratio` times the mean of the
first five. Exits non-zero with the numbers otherwise."""
import re
import sys

path, ratio = sys.argv[1], float(sys.argv[2])
losses = [float(m.group(1)) for m in
          re.finditer(r"^step +\d+/\d+  loss (\S+)", open(path).read(), re.M)]
if len(losses) < 10:
    sys.exit(f"expected at least 10 steps, found {len(losses)}")
first, last = sum(losses[:5]) / 5, sum(losses[-5:]) / 5
print(f"first five {first:.4f}, last five {last:.4f}, ratio {last / first:.3f}")
if not last < ratio * first:
    sys.exit(f"the loss did not fall enough: {last:.4f} >= {ratio} * {first:.4f}")
