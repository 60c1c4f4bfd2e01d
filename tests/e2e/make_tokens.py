"""Writes the bytes of a text file as a u16 token file (byte-level tokens)."""
import struct
import sys

data = open(sys.argv[1], "rb").read()
open(sys.argv[2], "wb").write(struct.pack(f"<{len(data)}H", *data))
