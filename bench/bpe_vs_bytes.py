"""Validation loss per byte of a small GPT on Debian's fortunes, trained on
one token per byte against BPE tokens (loom prep bpe), the same model, steps
and batch otherwise (bench/bpe/gpt_small.loom.in).

A token-level loss is in nats per token; per byte it is the validation
split's total loss over its bytes: loss per token x tokens / bytes of the
validation split (the last 10% of the token stream, split = 0.9).

usage: python3 bench/bpe_vs_bytes.py [--loom build/release/tools/loom/loom]
       [--vocab 1024] [--steps 600] [--out build/bpe-bench]"""
import argparse
import json
import math
import os
import pathlib
import subprocess

here = pathlib.Path(__file__).resolve().parent
ap = argparse.ArgumentParser()
ap.add_argument("--loom", default=str(here.parent / "build/release/tools/loom/loom"))
ap.add_argument("--vocab", type=int, default=1024)
ap.add_argument("--steps", type=int, default=600)
ap.add_argument("--out", default=str(here.parent / "build/bpe-bench"))
ap.add_argument("--text", default="/usr/share/games/fortunes")
a = ap.parse_args()
out = pathlib.Path(a.out)
out.mkdir(parents=True, exist_ok=True)


def loom(*args):
    r = subprocess.run([a.loom, *map(str, args)], capture_output=True, text=True)
    if r.returncode:
        raise SystemExit(f"loom {' '.join(map(str, args))}:\n{r.stderr}")
    return r.stdout


loom("prep", "tokens", a.text, "-o", out / "bytes.bin")
print(loom("prep", "bpe", a.text, "--vocab", a.vocab, "-o", out / "tokenizer.json").strip())
loom("prep", "tokens", a.text, "--tokenizer", out / "tokenizer.json", "-o", out / "bpe.bin")
tok = json.load(open(out / "tokenizer.json"))
length = [1] * 256
for x, y in tok["merges"]:
    length.append(length[x] + length[y])

template = (here / "bpe/gpt_small.loom.in").read_text()
rows = []
for name, vocab, data, lens in (("bytes", 256, "bytes.bin", [1] * 256),
                                ("bpe", a.vocab, "bpe.bin", length)):
    src = out / f"{name}.loom"
    src.write_text(template.replace("VOCAB", str(vocab)).replace("DATA", data))
    ids = (out / data).read_bytes()
    ids = [ids[i] | ids[i + 1] << 8 for i in range(0, len(ids), 2)]
    val = ids[int(len(ids) * 0.9):]
    bytes_per_token = sum(lens[t] for t in val) / len(val)
    subprocess.run([a.loom, "train", src.name, "--steps", str(a.steps), "--out",
                    f"run-{name}", "--quiet"], cwd=out, check=True,
                   stdout=subprocess.DEVNULL)
    summary = json.load(open(out / f"run-{name}/summary.json"))
    loss = summary["val_loss"]
    per_byte = loss / bytes_per_token
    rows.append((name, vocab, bytes_per_token, loss, per_byte))
print(f"{'tokens':8} {'vocab':>6} {'bytes/token':>11} {'val loss/token':>14} "
      f"{'val loss/byte':>13} {'bits/byte':>9}")
for name, vocab, bpt, loss, pb in rows:
    print(f"{name:8} {vocab:6d} {bpt:11.3f} {loss:14.4f} {pb:13.4f} "
          f"{pb / math.log(2):9.3f}")
