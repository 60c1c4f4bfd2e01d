"""Writes malformed checkpoint files for train_errors.test into DIR:
truncated.safetensors (5 bytes), foreign.safetensors (valid safetensors
without Loom's state), badstate.safetensors (Loom's state entry is not an
object) and nostep.safetensors (the state lacks its step)."""
import json
import os
import struct
import sys

out = sys.argv[1]


def write(name, metadata, tensors=()):
    header = {"__metadata__": metadata} if metadata is not None else {}
    data = b""
    for tname, values in tensors:
        raw = struct.pack(f"<{len(values)}f", *values)
        header[tname] = {"dtype": "F32", "shape": [len(values)],
                         "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(os.path.join(out, name), "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + data)


with open(os.path.join(out, "truncated.safetensors"), "wb") as f:
    f.write(b"\x10\x00\x00\x00\x00")
write("foreign.safetensors", {"format": "pt"}, [("w", [1.0, 2.0])])
write("badstate.safetensors", {"loom.state": "[1]"})
write("nostep.safetensors", {"loom.state": json.dumps({"format": 1})})
