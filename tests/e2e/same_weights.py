"""Checks that two runs trained bit for bit the same: the tensors of two
safetensors files (names, dtypes, shapes and every byte of data; the
metadata, which names the artifact, is not compared) and the loss and
gradient norm of every training step of two metrics.jsonl files."""
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


a_model, b_model, a_metrics, b_metrics = sys.argv[1:5]
a, b = tensors(a_model), tensors(b_model)
if sorted(a) != sorted(b):
    sys.exit(f"the tensors differ: {sorted(set(a) ^ set(b))}")
for name in sorted(a):
    if a[name] != b[name]:
        sys.exit(f"tensor {name} differs")
sa, sb = steps(a_metrics), steps(b_metrics)
if not sa or sa != sb:
    sys.exit(f"the steps differ:\n{sa}\n{sb}")
print(f"identical: {len(a)} tensors, {len(sa)} steps")
