"""Sets the first element of f32 tensor NAME of safetensors file FILE to NaN,
in place: a checkpoint whose loss was finite but whose values are not.

usage: poison_checkpoint.py FILE NAME"""
import json
import struct
import sys

path, name = sys.argv[1], sys.argv[2]
with open(path, "r+b") as f:
    (length,) = struct.unpack("<Q", f.read(8))
    header = json.loads(f.read(length))
    entry = header[name]
    assert entry["dtype"] == "F32", entry
    f.seek(8 + length + entry["data_offsets"][0])
    f.write(struct.pack("<f", float("nan")))
