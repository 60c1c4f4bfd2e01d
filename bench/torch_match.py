"""Checks a Loom training run against PyTorch loss for loss.

Loads a Loom checkpoint of examples/gpt.loom (parameters and AdamW state),
builds the same model in PyTorch (bench/torch_peer.py's Gpt, with Loom's
parameter names mapped onto it), and takes the same training steps on the
same batch: AdamW (betas 0.9/0.95, weight decay 0.1, eps 1e-8), gradient
clipping at 1.0 and the warm-up/cosine learning rate of the recipe. Prints
PyTorch's loss for each step; compare with Loom's metrics.jsonl.

The batch must be the same in both: train Loom on a token file that repeats
one window (every window the sampler draws is then the same), and pass that
window here. Run with Debian's /usr/bin/python3 (python3-torch).

  python3 bench/torch_match.py CKPT WINDOW.bin --batch 8 --steps 4
"""
import argparse
import json
import math
import struct
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, __import__("os").path.dirname(__file__))
from torch_peer import Gpt  # noqa: E402

DTYPES = {"F32": torch.float32}


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    meta = header.pop("__metadata__", {})
    out = {}
    for name, t in header.items():
        a, b = t["data_offsets"]
        out[name] = torch.frombuffer(bytearray(data[a:b]),
                                     dtype=DTYPES[t["dtype"]]).reshape(t["shape"])
    return out, meta


def torch_name(loom):
    """blocks.0.attn.qkv.weight -> blocks.0.qkv.weight (torch_peer's Block)."""
    return loom.replace(".attn.", ".").replace(".mlp.", ".")


def lr_at(step, base=1e-3, warmup=100, total=1000, min_lr=1e-4):
    if step < warmup:
        return base * (step + 1) / warmup
    progress = min(1.0, (step - warmup) / (total - warmup))
    return min_lr + 0.5 * (base - min_lr) * (1 + math.cos(math.pi * progress))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("checkpoint")
    ap.add_argument("window", help="seq + 1 tokens, little-endian u16")
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--steps", type=int, default=4)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)

    tensors, meta = read_safetensors(args.checkpoint)
    done = json.loads(meta["loom.state"])["step"]
    model = Gpt(256, 256, 384, 6, 6)
    params = dict(model.named_parameters())
    names = [k for k in tensors if not k.endswith((".exp_avg", ".exp_avg_sq"))]
    assert sorted(torch_name(k) for k in names) == sorted(params), \
        "the checkpoint's parameters are not gpt.loom's"
    with torch.no_grad():
        for k in names:
            params[torch_name(k)].copy_(tensors[k])
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, betas=(0.9, 0.95),
                            weight_decay=0.1, eps=1e-8)
    for k in names:
        p = params[torch_name(k)]
        opt.state[p] = {"step": torch.tensor(float(done)),
                        "exp_avg": tensors[k + ".exp_avg"].clone(),
                        "exp_avg_sq": tensors[k + ".exp_avg_sq"].clone()}

    raw = open(args.window, "rb").read()
    tokens = torch.tensor(struct.unpack("<%dH" % (len(raw) // 2), raw))
    x = tokens[:-1].repeat(args.batch, 1)
    y = tokens[1:].repeat(args.batch, 1)
    for s in range(done, done + args.steps):
        for g in opt.param_groups:
            g["lr"] = lr_at(s)
        loss = F.cross_entropy(model(x).reshape(-1, 256), y.reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        norm = torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        print(json.dumps({"step": s + 1, "loss": loss.item(),
                          "grad_norm": norm.item(), "lr": lr_at(s)}),
              flush=True)


if __name__ == "__main__":
    main()
