"""Interrupts `loom train` with a real signal and checks what it leaves.

  interrupt.py MODE ARTIFACT OUT

MODE is one of
  SIGINT, SIGTERM  the signal once, after some logged steps: the run stops
                   after its current step, writes a checkpoint and the
                   summary, says where they are and how to resume, and
                   exits with 128 + the signal; the printed command resumes
                   it from that step.
  double           SIGINT, and once the process has taken it (its handler
                   is reset), SIGINT again: the process ends at once,
                   killed by the signal.
  final-eval       SIGINT during the final evaluation (ARTIFACT trains a
                   few steps and evaluates long): the evaluation stops, no
                   partial result is logged, the checkpoint and the summary
                   are written.
Prints one line per check that passed; exits non-zero at the first that
fails.
"""
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time

mode, artifact, out = sys.argv[1:4]
HUGE = 100000000


def fail(why):
    sys.exit(f"{mode}: {why}")


def caught(pid, sig):
    """Whether process `pid` has a handler installed for `sig`."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("SigCgt:"):
                    return bool(int(line.split()[1], 16) >> (sig - 1) & 1)
    except OSError:
        pass
    return False


def train_records(path):
    try:
        with open(path, "rb") as f:
            return f.read().count(b'"kind":"train"')
    except OSError:
        return 0


def records(path):
    with open(path) as f:
        return [json.loads(line) for line in f]


def wait_until(what, test, timeout=120):
    deadline = time.monotonic() + timeout
    while not test():
        if time.monotonic() > deadline:
            fail("timed out waiting for " + what)
        time.sleep(0.001)


metrics = os.path.join(out, "metrics.jsonl")
ckpts = os.path.join(out, "checkpoints")

if mode == "final-eval":
    p = subprocess.Popen(["loom", "train", artifact, "--out", out],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
    for line in p.stdout:
        if line.startswith("final eval at step") and line.endswith("...\n"):
            break
    else:
        fail("no final evaluation started")
    p.send_signal(signal.SIGINT)
    rest, err = p.communicate(timeout=120)
    if p.returncode != 130:
        fail(f"exit code {p.returncode}, not 130: {err}")
    if re.search(r"^final eval at step \d+ on val \(", rest, re.M):
        fail("the interrupted evaluation printed a result:\n" + rest)
    log = records(metrics)
    if any(r["kind"] == "eval" for r in log):
        fail("the interrupted evaluation was logged")
    step = log[-1]["step"]
    ckpt = os.path.join(ckpts, f"ckpt-{step:08d}.safetensors")
    if not os.path.isfile(ckpt) or log[-1].get("interrupted") != "SIGINT":
        fail("no checkpoint or no interrupted summary")
    print(f"final evaluation stopped at step {step}: checkpoint and summary "
          "written, no partial evaluation logged")
    sys.exit(0)

p = subprocess.Popen(["loom", "train", artifact, "--out", out, "--quiet",
                      "--steps", str(HUGE)],
                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
wait_until("logged steps and the handler",
           lambda: train_records(metrics) >= 5 and caught(p.pid, signal.SIGINT))

if mode == "double":
    p.send_signal(signal.SIGINT)
    wait_until("the first SIGINT to be taken",
               lambda: not caught(p.pid, signal.SIGINT) or p.poll() is not None)
    p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=120)
    if p.returncode != -signal.SIGINT:
        fail(f"exit code {p.returncode}, not killed by SIGINT: {err}")
    if "interrupted at step" in err:
        fail("the second SIGINT did not stop it at once:\n" + err)
    print("the second SIGINT ended the process at once")
    sys.exit(0)

sig = getattr(signal, mode)
p.send_signal(sig)
_, err = p.communicate(timeout=120)
if p.returncode != 128 + sig:
    fail(f"exit code {p.returncode}, not {128 + sig}: {err}")
lines = err.splitlines()
m = re.fullmatch(rf"loom train: {mode}: stopping at step (\d+) to save a "
                 r"checkpoint and the summary \(a second one stops at once\)",
                 lines[0] if lines else "")
if not m:
    fail("first line: " + err)
step = int(m.group(1))
ckpt = os.path.join(ckpts, f"ckpt-{step:08d}.safetensors")
want = (f"loom train: interrupted at step {step}: checkpoint {ckpt}; resume "
        f"with `loom train {artifact} --steps {HUGE} --out {out} --resume "
        f"{ckpts}`")
if lines[1:] != [want]:
    fail(f"expected\n{want}\ngot\n" + "\n".join(lines[1:]))
print(f"{mode}: exit {128 + sig}, stopped at step {step}, says where the "
      "checkpoint is and how to resume")

with open(os.path.join(ckpts, "latest")) as f:
    if f.read() != os.path.basename(ckpt) + "\n":
        fail("latest does not name " + ckpt)
with open(os.path.join(out, "summary.json")) as f:
    summary = json.load(f)
if summary.get("interrupted") != mode or summary.get("step") != step:
    fail("summary.json: " + json.dumps(summary))
log = records(metrics)
if [r["step"] for r in log if r["kind"] == "train"] != list(range(1, step + 1)) \
        or log[-1]["kind"] != "summary":
    fail("metrics.jsonl does not end with steps 1..N and the summary")
print("the checkpoint is latest; summary.json and metrics.jsonl say so")

# The printed command resumes it (a few steps more instead of HUGE).
cmd = shlex.split(want.split("`")[1].replace(str(HUGE), str(step + 3)))
r = subprocess.run(cmd, capture_output=True, text=True)
if r.returncode != 0 or f"resuming from {ckpt} at step {step}" not in r.stdout:
    fail("resume failed: " + r.stdout + r.stderr)
log = records(metrics)
if [x["step"] for x in log if x["kind"] == "train"] != \
        list(range(1, step + 4)):
    fail("the resumed run did not go on from the checkpoint")
print(f"the printed command resumes it from step {step}")
