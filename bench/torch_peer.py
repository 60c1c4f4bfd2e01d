"""The PyTorch peers of `loom bench`: the same models, shapes, losses and
optimizers as examples/mlp.loom, gpt.loom and gpt2.loom, timed the same way
(bench/peer_timing.py). Runs in bench/.venv (`make bench-env`), one process
per workload and mode; bench/run.py runs it.

  --mode eager    PyTorch eager, with the fused Adam/AdamW (fused=True, one
                  multi-tensor kernel for the whole update) where this
                  PyTorch supports it on the CPU, else foreach=True; the
                  report's "optimizer" field says which
  --mode compile  torch.compile (Inductor) of the forward and the loss: the
                  backward is compiled with it (AOTAutograd); gradient
                  clipping (foreach) and the same fused optimizer run eager

Attention is F.scaled_dot_product_attention(is_causal=True), PyTorch's CPU
flash attention; GELU is the exact one, as Loom's.
"""
import argparse
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peer_timing import report, time_steps  # noqa: E402


class Mlp(nn.Module):
    def __init__(self, hidden=1024, classes=10):
        super().__init__()
        self.fc1 = nn.Linear(784, hidden)
        self.fc2 = nn.Linear(hidden, hidden)
        self.head = nn.Linear(hidden, classes)

    def forward(self, x):
        return self.head(F.relu(self.fc2(F.relu(self.fc1(x.flatten(1))))))


class Block(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.heads = heads
        self.ln1 = nn.LayerNorm(d)
        self.qkv = nn.Linear(d, 3 * d)
        self.proj = nn.Linear(d, d)
        self.ln2 = nn.LayerNorm(d)
        self.fc1 = nn.Linear(d, 4 * d)
        self.fc2 = nn.Linear(4 * d, d)

    def forward(self, x):
        b, t, d = x.shape
        q, k, v = self.qkv(self.ln1(x)).split(d, dim=-1)
        q, k, v = (z.view(b, t, self.heads, d // self.heads).transpose(1, 2)
                   for z in (q, k, v))
        a = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        x = x + self.proj(a.transpose(1, 2).reshape(b, t, d))
        return x + self.fc2(F.gelu(self.fc1(self.ln2(x))))


class Gpt(nn.Module):
    def __init__(self, vocab, ctx, d, heads, layers):
        super().__init__()
        self.wte = nn.Parameter(torch.randn(vocab, d) * 0.02)
        self.wpe = nn.Parameter(torch.randn(ctx, d) * 0.02)
        self.blocks = nn.Sequential(*[Block(d, heads) for _ in range(layers)])
        self.lnf = nn.LayerNorm(d)

    def forward(self, idx):
        t = idx.shape[1]
        x = self.wte[idx] + self.wpe[:t]
        return self.lnf(self.blocks(x)) @ self.wte.t()


WORKLOADS = {
    # name: (model, optimizer class and settings, x shape, classes, clip)
    "mlp": lambda: (Mlp(), (torch.optim.Adam, dict(lr=1e-3)),
                    (256, 1, 28, 28), 10, None),
    "gpt": lambda: (Gpt(256, 256, 384, 6, 6),
                    (torch.optim.AdamW, dict(lr=1e-3, betas=(0.9, 0.95),
                                             weight_decay=0.1)),
                    (8, 256), 256, 1.0),
    "gpt2": lambda: (Gpt(50257, 1024, 768, 12, 12),
                     (torch.optim.AdamW, dict(lr=6e-4, betas=(0.9, 0.95),
                                              weight_decay=0.1)),
                     (4, 64), 50257, 1.0),
}


def make_optimizer(params, cls, settings):
    """The fused optimizer where this PyTorch has it for CPU tensors, else
    the multi-tensor (foreach) one; returns it and which it is."""
    params = list(params)
    try:
        return cls(params, fused=True, **settings), "fused"
    except (RuntimeError, ValueError):
        return cls(params, foreach=True, **settings), "foreach"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("workload", choices=sorted(WORKLOADS))
    ap.add_argument("--mode", choices=["eager", "compile"], default="eager")
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=2,
                    help="untimed steps first (at least 1: the first step)")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model, (opt_cls, settings), xshape, classes, clip = WORKLOADS[args.workload]()
    opt, opt_kind = make_optimizer(model.parameters(), opt_cls, settings)
    if len(xshape) == 2:  # tokens
        x = torch.randint(0, 2, xshape)
        y = torch.randint(0, 2, xshape)
    else:
        x = torch.rand(xshape)
        y = torch.randint(0, 2, (xshape[0],))

    def loss_fn(x, y):
        return F.cross_entropy(model(x).reshape(-1, classes), y.reshape(-1))

    if args.mode == "compile":
        loss_fn = torch.compile(loss_fn)

    def step():
        loss = loss_fn(x, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        if clip:
            torch.nn.utils.clip_grad_norm_(model.parameters(), clip,
                                           foreach=True)
        opt.step()

    fields = {"workload": args.workload, "peer": "torch-" + args.mode,
              "version": torch.__version__, "optimizer": opt_kind,
              "threads": torch.get_num_threads()}
    fields.update(time_steps(step, args.warmup, args.steps))
    report(fields)


if __name__ == "__main__":
    main()
