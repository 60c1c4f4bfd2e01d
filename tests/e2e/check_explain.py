"""Checks loom explain's explain.json for a data set whose answer is known:
the target depends on features `--want` (names) only.

- permutation importance ranks them first;
- integrated gradients rank them first by the mean |attribution| over the
  explained examples;
- completeness: for every example the attributions, summed here, equal
  f(x) - f(baseline) within 1% (relative);
- with --model FILE.safetensors (a Linear(n, h), tanh, Linear(h, k) model,
  fc1 and fc2; a binary classifier's class 0 is its negated logit): f(x) and f(baseline) and every attribution agree with
  integrated gradients computed here in plain Python from the saved weights
  (the same midpoint rule), within 1e-3 relative to the largest.
Prints one line per check."""
import argparse
import json
import math
import struct

p = argparse.ArgumentParser()
p.add_argument("json")
p.add_argument("--want", required=True, help="comma-separated feature names")
p.add_argument("--model")
a = p.parse_args()
want = set(a.want.split(","))
j = json.load(open(a.json))
names = j["features"]

imp = j["importance"]["features"]
top = {f["feature"] for f in imp[: len(want)]}
assert top == want, ("permutation importance ranks first", top)
print("permutation importance ranks", ", ".join(sorted(want)), "first")

ig = j["integrated_gradients"]
examples = ig["examples"]
mean = [0.0] * len(names)
worst = 0.0
for e in examples:
    for i, v in enumerate(e["attributions"]):
        mean[i] += abs(v) / len(examples)
    diff = e["f_x"] - e["f_baseline"]
    total = math.fsum(e["attributions"])
    assert abs(total - diff) <= 0.01 * abs(diff), (e["example"], total, diff)
    worst = max(worst, abs(total - diff) / abs(diff))
order = sorted(range(len(names)), key=lambda i: -mean[i])
top = {names[i] for i in order[: len(want)]}
assert top == want, ("integrated gradients rank first", top, mean)
print("integrated gradients rank", ", ".join(sorted(want)), "first over",
      len(examples), "examples")
print("completeness holds within 1%% (worst %.4f%%)" % (100 * worst))

if a.model:
    with open(a.model, "rb") as f:
        (size,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(size))
        blob = f.read()
    def tensor(name):
        t = header[name]
        lo, hi = t["data_offsets"]
        flat = struct.unpack("<%df" % ((hi - lo) // 4), blob[lo:hi])
        if len(t["shape"]) == 1:
            return list(flat)
        rows, cols = t["shape"]
        return [list(flat[r * cols:(r + 1) * cols]) for r in range(rows)]
    w1, b1 = tensor("fc1.weight"), tensor("fc1.bias")
    w2, b2 = tensor("fc2.weight"), tensor("fc2.bias")
    def hidden(x):
        return [math.tanh(sum(w * v for w, v in zip(row, x)) + b)
                for row, b in zip(w1, b1)]
    def out(x, k):
        return sum(w * h for w, h in zip(w2[k], hidden(x))) + b2[k]
    def grad(x, k):
        h = hidden(x)
        d = [w2[k][j] * (1 - h[j] ** 2) for j in range(len(h))]
        return [sum(d[j] * w1[j][i] for j in range(len(h)))
                for i in range(len(x))]
    base = ig["baseline_values"]
    m = ig["steps"]
    binary = j["model"]["kind"] == "binary classifier"
    for e in examples:
        x = e["x"]
        # The output attributed: output k, or a binary classifier's one
        # logit, negated for class 0.
        k, sign = e["target"], 1.0
        if binary:
            k, sign = 0, (1.0 if e["target"] == 1 else -1.0)
        f = lambda v: sign * out(v, k)
        df = lambda v: [sign * g for g in grad(v, k)]
        assert abs(f(x) - e["f_x"]) <= 1e-3 * max(1, abs(e["f_x"])), e["example"]
        assert abs(f(base) - e["f_baseline"]) <= 1e-3 * max(1, abs(e["f_baseline"]))
        g = [0.0] * len(x)
        for s in range(m):
            t = (s + 0.5) / m
            gs = df([b + t * (v - b) for v, b in zip(x, base)])
            g = [u + v / m for u, v in zip(g, gs)]
        ref = [(v - b) * u for v, b, u in zip(x, base, g)]
        scale = max(abs(v) for v in ref)
        for r, got in zip(ref, e["attributions"]):
            assert abs(r - got) <= 1e-3 * scale, (e["example"], ref, e["attributions"])
    print("attributions agree with the model's weights in Python")
