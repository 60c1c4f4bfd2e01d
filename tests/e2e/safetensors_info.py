"""Prints what a safetensors file holds, one line each, for FileCheck: the
artifact hash its Loom state records ("artifact_hash 0x..."), the class names
it saves with the model ("classes cat, dog") if any, then every
tensor in file order ("tensor NAME DTYPE [SHAPE]")."""
import json
import struct
import sys

with open(sys.argv[1], "rb") as f:
    (size,) = struct.unpack("<Q", f.read(8))
    header = json.loads(f.read(size))
meta = header.pop("__metadata__", {})
if "loom.state" in meta:
    state = json.loads(meta["loom.state"])
    print("artifact_hash", state["artifact_hash"])
    if "classes" in state:
        print("classes", ", ".join(state["classes"]))
for name, t in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"]):
    print("tensor", name, t["dtype"], t["shape"])
