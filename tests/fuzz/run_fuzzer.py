#!/usr/bin/env python3
"""Runs a libFuzzer target for a bounded time from a seeded corpus.

usage: run_fuzzer.py FUZZER SECONDS CORPUS_DIR [--dict FILE] [--max-len N]
                     [--seeds DIR...] [--raw-seeds DIR...]

The corpus directory is refilled from every *.loom file under the --seeds
directories (the examples, the standard library and the test programs) and
every file under the --raw-seeds directories (binary inputs such as .loomx
artifacts, copied as they are), then the fuzzer runs for SECONDS with a
per-input timeout and inputs up to --max-len bytes (default 4096). Exit
status: the fuzzer's (0 when it found nothing); a finding leaves its crash-*
file in the corpus directory's parent and prints the reproducer command.
"""
import argparse
import os
import pathlib
import shutil
import subprocess
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("fuzzer")
    ap.add_argument("seconds", type=int)
    ap.add_argument("corpus")
    ap.add_argument("--dict")
    ap.add_argument("--seeds", nargs="+", default=[])
    ap.add_argument("--raw-seeds", nargs="+", default=[])
    ap.add_argument("--max-len", type=int, default=4096)
    args = ap.parse_args()

    corpus = pathlib.Path(args.corpus)
    corpus.mkdir(parents=True, exist_ok=True)
    for seed_dir in args.seeds:
        for path in pathlib.Path(seed_dir).rglob("*.loom"):
            # Test files are split-file bundles; each part is a good seed too.
            text = path.read_bytes()
            parts = text.split(b"\n#--- ")
            for i, part in enumerate(parts):
                name = f"seed-{path.stem}-{i}.loom"
                (corpus / name).write_bytes(part if i == 0 else part.split(b"\n", 1)[-1])
    for seed_dir in args.raw_seeds:
        for path in sorted(pathlib.Path(seed_dir).rglob("*")):
            if path.is_file():
                shutil.copyfile(path, corpus / f"seed-{path.name}")
    artifacts = corpus.parent / (corpus.name + "-findings")
    artifacts.mkdir(exist_ok=True)
    cmd = [args.fuzzer, str(corpus), f"-max_total_time={args.seconds}",
           "-timeout=20", "-rss_limit_mb=4096", f"-max_len={args.max_len}",
           "-seed=1", "-print_final_stats=1", f"-artifact_prefix={artifacts}/"]
    if args.dict:
        cmd.append(f"-dict={args.dict}")
    print(" ".join(cmd), flush=True)
    # allow_user_poisoning=0: see tests/lit.cfg.py (LLVM's allocator poisons
    # slabs that the uninstrumented libMLIR.so then allocates from).
    env = dict(os.environ,
               ASAN_OPTIONS="detect_leaks=1:allocator_may_return_null=1:"
                            "allow_user_poisoning=0",
               UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1")
    proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = proc.stdout.decode(errors="replace")
    lines = out.splitlines()
    # The fuzzer's own log is long; show its statistics and any report.
    print("\n".join(lines[-40:]))
    if proc.returncode != 0:
        print(f"fuzz: finding (exit {proc.returncode}); reproduce with: "
              f"{args.fuzzer} {artifacts}/<crash-file>", file=sys.stderr)
    else:
        print("fuzz: no findings")
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main())
