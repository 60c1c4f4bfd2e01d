#!/usr/bin/env python3
"""Feeds loom-opt damaged versions of valid IR and checks it never crashes.

Each input file is truncated at evenly spaced points and mutated at seeded
random positions (bytes dropped, duplicated or replaced by IR punctuation).
For every variant loom-opt must exit 0 or 1 (a located diagnostic), never by a
signal, an assertion or a sanitizer report. A small, deterministic stand-in for
the libFuzzer targets that later issues add.

usage: mutate_inputs.py LOOM_OPT FILE... [--variants N]
"""
import argparse
import random
import subprocess
import sys

PUNCT = [b"%", b"(", b")", b"<", b">", b",", b":", b"[", b"]", b"{", b"}",
         b"x", b"0", b"-1", b"tensor<", b"dense<", b"loom.", b"\n", b"\"", b"-> "]
CRASH_MARKS = [b"Stack dump", b"PLEASE submit", b"Assertion", b"AddressSanitizer",
               b"runtime error:", b"LeakSanitizer"]


def variants(data, count, rng):
    step = max(1, len(data) // (count // 2))
    for cut in range(0, len(data), step):
        yield f"truncated at byte {cut}", data[:cut]
    for _ in range(count - count // 2):
        pos = rng.randrange(len(data))
        kind = rng.randrange(3)
        if kind == 0:
            n = rng.randint(1, 8)
            yield f"dropped {n} bytes at {pos}", data[:pos] + data[pos + n:]
        elif kind == 1:
            n = rng.randint(1, 16)
            yield f"duplicated {n} bytes at {pos}", data[:pos] + data[pos:pos + n] + data[pos:]
        else:
            p = rng.choice(PUNCT)
            yield f"replaced byte {pos} by {p!r}", data[:pos] + p + data[pos + 1:]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("loom_opt")
    ap.add_argument("files", nargs="+")
    ap.add_argument("--variants", type=int, default=80)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    failures = 0
    runs = 0
    for path in args.files:
        data = open(path, "rb").read()
        for what, text in variants(data, args.variants, rng):
            proc = subprocess.run([args.loom_opt, "-", "--canonicalize", "--cse"],
                                  input=text, capture_output=True, timeout=60)
            runs += 1
            out = proc.stdout + proc.stderr
            crashed = proc.returncode not in (0, 1) or any(m in out for m in CRASH_MARKS)
            diagnosed = proc.returncode == 0 or b"error:" in proc.stderr
            if crashed or not diagnosed:
                failures += 1
                print(f"FAIL {path}: {what}: exit {proc.returncode}")
                print(out.decode(errors="replace")[-2000:])
    print(f"{runs} damaged inputs, {failures} crashes or undiagnosed failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
