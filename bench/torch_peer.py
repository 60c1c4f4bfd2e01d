"""The PyTorch peer of `loom bench`: the same models, shapes, losses and
optimizers as examples/mlp.loom, gpt.loom and gpt2.loom, timed the same way
(warm-up steps, then the minimum and median of the timed steps). Run with
Debian's /usr/bin/python3 (python3-torch); bench/run.py sets the threads and
the environment of a tuned peer."""
import argparse
import json
import math
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


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
        a = F.scaled_dot_product_attention(q, k, v, is_causal=True) \
            if hasattr(F, "scaled_dot_product_attention") else \
            self.attention(q, k, v)
        x = x + self.proj(a.transpose(1, 2).reshape(b, t, d))
        return x + self.fc2(F.gelu(self.fc1(self.ln2(x))))

    @staticmethod
    def attention(q, k, v):
        t = q.shape[-2]
        s = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1])
        mask = torch.ones(t, t, dtype=torch.bool).triu(1)
        return s.masked_fill(mask, float("-inf")).softmax(-1) @ v


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
    # name: (model, optimizer, x maker, y maker, clip)
    "mlp": lambda: (Mlp(), lambda p: torch.optim.Adam(p, lr=1e-3),
                    (256, 1, 28, 28), 10, None),
    "gpt": lambda: (Gpt(256, 256, 384, 6, 6),
                    lambda p: torch.optim.AdamW(p, lr=1e-3, betas=(0.9, 0.95),
                                                weight_decay=0.1),
                    (8, 256), 256, 1.0),
    "gpt2": lambda: (Gpt(50257, 1024, 768, 12, 12),
                     lambda p: torch.optim.AdamW(p, lr=6e-4, betas=(0.9, 0.95),
                                                 weight_decay=0.1),
                     (4, 64), 50257, 1.0),
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("workload", choices=sorted(WORKLOADS))
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model, make_opt, xshape, classes, clip = WORKLOADS[args.workload]()
    opt = make_opt(model.parameters())
    if len(xshape) == 2:  # tokens
        x = torch.randint(0, 2, xshape)
        y = torch.randint(0, 2, xshape)
    else:
        x = torch.rand(xshape)
        y = torch.randint(0, 2, (xshape[0],))
    times = []
    for step in range(args.warmup + args.steps):
        t0 = time.perf_counter()
        logits = model(x)
        loss = F.cross_entropy(logits.reshape(-1, classes), y.reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        if clip:
            torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
        opt.step()
        if step >= args.warmup:
            times.append(time.perf_counter() - t0)
    print(json.dumps({"workload": args.workload, "torch": torch.__version__,
                      "min_s": min(times),
                      "median_s": statistics.median(times)}))


if __name__ == "__main__":
    main()
