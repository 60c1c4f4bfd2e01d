"""Checks that two runs trained bit for bit the same: the tensors of two
safetensors files (names, dtypes, shapes and every byte of data; the
metadata, which names the artifact, is not compared) and the loss and
gradient norm of every training step of two metrics.jsonl files.

With a fifth argument RTOL, the losses and gradient norms need only agree
within RTOL relative, and the tensors are not compared: a weight whose
gradient is rounding noise alone (the key bias of attention, whose exact
gradient is zero) takes Adam steps of full size in a direction that noise
sets, so two runs that round differently part there by far more than RTOL
while training the same."""
import json
import struct
import sys


def tensors(path):
    with open(path, "rb") as f:
        (size,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(size))
        data = f.read()
    header.pop("__metadata__", None)
    return {name: (t["dtype"], t["shape"],
                   data[t["data_offsets"][0]:t["data_offsets"][1]])
            for name, t in header.items()}


def steps(path):
    return [(r["step"], r["loss"], r["grad_norm"])
            for r in map(json.loads, open(path)) if r.get("kind") == "train"]


def close(x, y, rtol):
    return len(x) == len(y) and all(abs(u - v) <= rtol * max(abs(u), 1e-30)
                                    for u, v in zip(x, y))


a_model, b_model, a_metrics, b_metrics = sys.argv[1:5]
rtol = float(sys.argv[5]) if len(sys.argv) > 5 else None
a, b = tensors(a_model), tensors(b_model)
if sorted(a) != sorted(b):
    sys.exit(f"the tensors differ: {sorted(set(a) ^ set(b))}")
for name in sorted(a):
    if rtol is None and a[name] != b[name]:
        sys.exit(f"tensor {name} differs")
sa, sb = steps(a_metrics), steps(b_metrics)
same = sa == sb or (rtol is not None and len(sa) == len(sb) and all(
    x[0] == y[0] and close(x[1:], y[1:], rtol) for x, y in zip(sa, sb)))
if not sa or not same:
    sys.exit(f"the steps differ:\n{sa}\n{sb}")
print(f"identical: {len(a)} tensors, {len(sa)} steps" if rtol is None else
      f"within {rtol}: {len(sa)} steps")
