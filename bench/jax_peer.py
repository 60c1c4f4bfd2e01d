"""The JAX peer of `loom bench`: the same models, shapes, losses and
optimizers as examples/mlp.loom, gpt.loom and gpt2.loom (and as
torch_peer.py), with the whole training step -- forward, backward, gradient
clipping and the optimizer update -- in one jax.jit, its parameters and
optimizer state donated so that XLA updates them in place. Timed as the
other peers (bench/peer_timing.py). Runs in bench/.venv (`make bench-env`);
bench/run.py runs it, one process per workload.

The optimizers are optax's: adam(1e-3) for the MLP; for the GPTs
clip_by_global_norm(1.0) then adamw(b1 0.9, b2 0.95, eps 1e-8, weight decay
0.1 on every parameter, as PyTorch's AdamW and Loom's adamw). Attention is
jax.nn.dot_product_attention(is_causal=True); GELU is the exact one. XLA's
CPU client runs on its own thread pool, one thread per core.
"""
import argparse
import os
import sys

import jax
import jax.numpy as jnp
import optax

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peer_timing import report, time_steps  # noqa: E402


def linear(key, n_in, n_out):
    # Weights stored [in, out]: x @ w with no transpose.
    return {"w": 0.02 * jax.random.normal(key, (n_in, n_out)),
            "b": jnp.zeros((n_out,))}


def apply_linear(p, x):
    return x @ p["w"] + p["b"]


def layer_norm_params(d):
    return {"g": jnp.ones((d,)), "b": jnp.zeros((d,))}


def layer_norm(p, x, eps=1e-5):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) * jax.lax.rsqrt(var + eps) * p["g"] + p["b"]


def mlp_init(key):
    k1, k2, k3 = jax.random.split(key, 3)
    return {"fc1": linear(k1, 784, 1024), "fc2": linear(k2, 1024, 1024),
            "head": linear(k3, 1024, 10)}


def mlp_apply(p, x):
    h = x.reshape(x.shape[0], -1)
    h = jax.nn.relu(apply_linear(p["fc1"], h))
    h = jax.nn.relu(apply_linear(p["fc2"], h))
    return apply_linear(p["head"], h)


def gpt_init(key, vocab, ctx, d, heads, layers):
    keys = jax.random.split(key, 2 + 4 * layers)
    blocks = []
    for i in range(layers):
        k = keys[2 + 4 * i:6 + 4 * i]
        blocks.append({"ln1": layer_norm_params(d), "qkv": linear(k[0], d, 3 * d),
                       "proj": linear(k[1], d, d), "ln2": layer_norm_params(d),
                       "fc1": linear(k[2], d, 4 * d),
                       "fc2": linear(k[3], 4 * d, d)})
    return {"wte": 0.02 * jax.random.normal(keys[0], (vocab, d)),
            "wpe": 0.02 * jax.random.normal(keys[1], (ctx, d)),
            "blocks": blocks, "lnf": layer_norm_params(d)}


def gpt_apply(p, idx, heads):
    b, t = idx.shape
    x = p["wte"][idx] + p["wpe"][:t]  # [B, T, d]
    d = x.shape[-1]
    for blk in p["blocks"]:
        q, k, v = jnp.split(apply_linear(blk["qkv"], layer_norm(blk["ln1"], x)),
                            3, axis=-1)
        # [B, T, heads, hd], the layout dot_product_attention takes.
        q, k, v = (z.reshape(b, t, heads, d // heads) for z in (q, k, v))
        a = jax.nn.dot_product_attention(q, k, v, is_causal=True)
        x = x + apply_linear(blk["proj"], a.reshape(b, t, d))
        h = jax.nn.gelu(apply_linear(blk["fc1"], layer_norm(blk["ln2"], x)),
                        approximate=False)
        x = x + apply_linear(blk["fc2"], h)
    return layer_norm(p["lnf"], x) @ p["wte"].T  # tied output layer


def adamw(lr):
    return optax.chain(optax.clip_by_global_norm(1.0),
                       optax.adamw(lr, b1=0.9, b2=0.95, eps=1e-8,
                                   weight_decay=0.1))


WORKLOADS = {
    # name: (params, apply, optimizer, x shape, classes)
    "mlp": lambda k: (mlp_init(k), mlp_apply, optax.adam(1e-3),
                      (256, 1, 28, 28), 10),
    "gpt": lambda k: (gpt_init(k, 256, 256, 384, 6, 6),
                      lambda p, x: gpt_apply(p, x, 6), adamw(1e-3),
                      (8, 256), 256),
    "gpt2": lambda k: (gpt_init(k, 50257, 1024, 768, 12, 12),
                       lambda p, x: gpt_apply(p, x, 12), adamw(6e-4),
                       (4, 64), 50257),
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("workload", choices=sorted(WORKLOADS))
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=2,
                    help="untimed steps first (at least 1: the first step)")
    args = ap.parse_args()
    key = jax.random.PRNGKey(0)
    params, apply, opt, xshape, classes = WORKLOADS[args.workload](key)
    opt_state = opt.init(params)
    kx, ky = jax.random.split(jax.random.PRNGKey(1))
    if len(xshape) == 2:  # tokens
        x = jax.random.randint(kx, xshape, 0, 2)
        y = jax.random.randint(ky, xshape, 0, 2)
    else:
        x = jax.random.uniform(kx, xshape)
        y = jax.random.randint(ky, (xshape[0],), 0, 2)

    def loss_fn(params, x, y):
        logits = apply(params, x).reshape(-1, classes)
        return optax.softmax_cross_entropy_with_integer_labels(
            logits, y.reshape(-1)).mean()

    def train_step(params, opt_state, x, y):
        loss, grads = jax.value_and_grad(loss_fn)(params, x, y)
        updates, opt_state = opt.update(grads, opt_state, params)
        return optax.apply_updates(params, updates), opt_state, loss

    train_step = jax.jit(train_step, donate_argnums=(0, 1))
    state = [params, opt_state]

    def step():
        state[0], state[1], loss = train_step(state[0], state[1], x, y)
        loss.block_until_ready()

    fields = {"workload": args.workload, "peer": "jax-jit",
              "version": jax.__version__, "optimizer": "optax",
              "threads": os.cpu_count()}  # XLA's pool: one thread per core
    fields.update(time_steps(step, args.warmup, args.steps))
    report(fields)


if __name__ == "__main__":
    main()
