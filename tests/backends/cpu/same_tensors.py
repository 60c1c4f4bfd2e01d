"""Prints, for each tensor of two safetensors files, whether its bytes are
the same in both ("w: same bytes") or not ("w: differs")."""
import json
import struct
import sys


def load(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    return header, data[8 + n:]


def main():
    (h1, d1), (h2, d2) = load(sys.argv[1]), load(sys.argv[2])
    for name in h1:
        if name == "__metadata__":
            continue
        a, b = h1[name]["data_offsets"], h2[name]["data_offsets"]
        same = name in h2 and d1[a[0]:a[1]] == d2[b[0]:b[1]]
        print(f"{name}: {'same bytes' if same else 'differs'}")


if __name__ == "__main__":
    main()
