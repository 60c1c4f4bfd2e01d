"""Checks a Loom training run against PyTorch loss for loss.

Loads a Loom checkpoint of examples/gpt.loom (parameters and AdamW state),
builds the same model in PyTorch (bench/torch_peer.py's Gpt, with Loom's
parameter names mapped onto it), and takes the same training steps on the
same batch: AdamW (betas 0.9/0.95, weight decay 0.1, eps 1e-8), gradient
clipping at 1.0 and the warm-up/cosine learning rate of the recipe. Prints
PyTorch's loss for each step; compare with Loom's metrics.jsonl.

The batch must be the same in both: `prepare` writes a token file that
repeats one window of a real one (every window the sampler draws is then the
same), at the path gpt.loom's recipe reads, and that window for `check`.
`check` runs on the PyTorch of the peers' virtual environment (bench/.venv,
`make bench-env`); `prepare` on any python3.

  python3 bench/torch_match.py prepare data/fortunes.bin DIR
  (cd DIR && loom train .../fortunes.loomx --steps 1 --out a --quiet)
  bench/.venv/bin/python bench/torch_match.py check DIR/a/checkpoints/ckpt-00000001.safetensors DIR/window.bin --steps 3
"""
import argparse
import json
import math
import os
import struct
import sys

# torch is imported by `check` only: `prepare` runs with any python3.
torch = F = None


def read_safetensors(path):
    dtypes = {"F32": torch.float32}
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    meta = header.pop("__metadata__", {})
    out = {}
    for name, t in header.items():
        a, b = t["data_offsets"]
        out[name] = torch.frombuffer(bytearray(data[a:b]),
                                     dtype=dtypes[t["dtype"]]).reshape(t["shape"])
    return out, meta


def torch_name(loom):
    """blocks.0.attn.qkv.weight -> blocks.0.qkv.weight (torch_peer's Block)."""
    return loom.replace(".attn.", ".").replace(".mlp.", ".")


def torch_layout(loom, t, heads=6):
    """std.nn's fused qkv groups its rows by head ([q_h | k_h | v_h] per
    head); torch_peer's qkv is [q | k | v]: the same rows, permuted."""
    if ".attn.qkv." not in loom:
        return t
    rest = t.shape[1:]
    hd = t.shape[0] // (3 * heads)
    return (t.reshape(heads, 3, hd, *rest).transpose(0, 1)
            .reshape(t.shape).contiguous())


def lr_at(step, base=1e-3, warmup=100, total=1000, min_lr=1e-4):
    if step < warmup:
        return base * (step + 1) / warmup
    progress = min(1.0, (step - warmup) / (total - warmup))
    return min_lr + 0.5 * (base - min_lr) * (1 + math.cos(math.pi * progress))


def prepare(args):
    """DIR/data/fortunes.bin: one window of `tokens` (seq + 1 u16 tokens from
    --offset) repeated; DIR/window.bin: that window."""
    seq = 256
    raw = open(args.tokens, "rb").read()
    window = raw[2 * args.offset:2 * (args.offset + seq + 1)]
    if len(window) != 2 * (seq + 1):
        sys.exit(f"{args.tokens}: fewer than {seq + 1} tokens after {args.offset}")
    os.makedirs(os.path.join(args.dir, "data"), exist_ok=True)
    with open(os.path.join(args.dir, "data", "fortunes.bin"), "wb") as f:
        f.write(window[:2 * seq] * args.repeats + window[:2])
    with open(os.path.join(args.dir, "window.bin"), "wb") as f:
        f.write(window[:2 * seq] + window[:2])


def check(args):
    global torch, F
    import torch
    import torch.nn.functional as F
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from torch_peer import Gpt

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
            params[torch_name(k)].copy_(torch_layout(k, tensors[k]))
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, betas=(0.9, 0.95),
                            weight_decay=0.1, eps=1e-8)
    for k in names:
        p = params[torch_name(k)]
        opt.state[p] = {"step": torch.tensor(float(done)),
                        "exp_avg": torch_layout(k, tensors[k + ".exp_avg"]),
                        "exp_avg_sq": torch_layout(k, tensors[k + ".exp_avg_sq"])}

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


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="command", required=True)
    p = sub.add_parser("prepare", help="write the repeated-window data")
    p.add_argument("tokens", help="a token file (little-endian u16)")
    p.add_argument("dir")
    p.add_argument("--offset", type=int, default=1000)
    p.add_argument("--repeats", type=int, default=60)
    p.set_defaults(run=prepare)
    c = sub.add_parser("check", help="take PyTorch steps from a checkpoint")
    c.add_argument("checkpoint")
    c.add_argument("window", help="seq + 1 tokens, little-endian u16")
    c.add_argument("--batch", type=int, default=8)
    c.add_argument("--steps", type=int, default=4)
    c.add_argument("--threads", type=int, default=2)
    c.set_defaults(run=check)
    args = ap.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
