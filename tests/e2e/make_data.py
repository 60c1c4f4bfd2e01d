"""Writes the good and damaged data files the data-error tests read, into
the directory given as the only argument."""
import gzip
import os
import struct
import sys

out = sys.argv[1]
os.makedirs(out, exist_ok=True)


def write(name, data, gz=False):
    with (gzip.open if gz else open)(os.path.join(out, name), "wb") as f:
        f.write(data)


def idx_images(n, rows, cols):
    return struct.pack(">BBBBIII", 0, 0, 8, 3, n, rows, cols) + bytes(
        (i * 37) % 256 for i in range(n * rows * cols))


def idx_labels(labels):
    return struct.pack(">BBBBI", 0, 0, 8, 1, len(labels)) + bytes(labels)


# IDX: 6 images of 2x2, labels 0..2; then one file per way of being wrong.
write("images.idx.gz", idx_images(6, 2, 2), gz=True)
write("labels.idx", idx_labels([0, 1, 2, 0, 1, 2]))
write("bad_magic.idx", b"\x01\x02\x08\x03" + idx_images(6, 2, 2)[4:])
write("float_type.idx", b"\x00\x00\x0d\x03" + idx_images(6, 2, 2)[4:])
write("truncated.idx", idx_images(6, 2, 2)[:16 + 7])
write("trailing.idx", idx_images(6, 2, 2) + b"\x00")
write("short_header.idx", b"\x00\x00")
write("images_3x3.idx", idx_images(6, 3, 3))
write("images_1x4.idx", idx_images(6, 1, 4))  # 2x2's 4 values, other shape
write("labels_5.idx", idx_labels([0, 1, 2, 0, 1]))
write("labels_big.idx", idx_labels([0, 1, 5, 0, 1, 2]))
write("not_gzip.idx.gz", b"\x1f\x8b\x08\x00garbage that is not deflate")

# CSV.
write("good.csv", b"a,b,y\n1,2,0\n3,4,1\n5,6,2\n")
write("ragged.csv", b"a,b,y\n1,2,0\n3,1\n5,6,2\n")
write("nonnumeric.csv", b"a,b,y\n1,2,0\n3,4,1\n5,abc,2\n")
write("nan.csv", b"a,b,y\n1,2,0\nnan,4,1\n")
write("nolabel.csv", b"a,b,c\n1,2,0\n")
write("empty.csv", b"")
write("headeronly.csv", b"a,b,y\n")
write("blank.csv", b"a,b,y\n1,2,0\n\n3,4,1\n")
write("quote.csv", b'a,b,y\n1,"2,0\n')
write("sklearn_bad.csv", b"3,2,p,q\n1,2,0\n3,4,1\n5,6,2\n")
write("sklearn_short.csv", b"4,2,p,q,r\n1,2,0\n3,4,1\n5,6,2\n")
write("labelbig.csv", b"a,b,y\n1,2,0\n3,4,7\n")

# Tokens (u16, vocabulary 16).
write("good.bin", struct.pack("<40H", *[i % 16 for i in range(40)]))
write("odd.bin", b"\x01\x00\x02\x00\x03")
write("vocab.bin", struct.pack("<40H", *[300 if i == 3 else i % 16
                                         for i in range(40)]))
write("one.bin", b"\x01\x00")
