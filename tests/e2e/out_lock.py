"""Two `loom train` runs with the same --out, as real processes.

  out_lock.py ARTIFACT PROGRAM OUT FRESH

A run of ARTIFACT is started in the background into OUT and left running
until it has written a checkpoint. A second run into OUT is then refused,
naming the first one's process id, with or without --resume and
--overwrite, and writes nothing. The first run is SIGKILLed, which releases
the lock: a --resume continues it, and metrics.jsonl holds only whole JSON
lines. Then this script holds the lock of the empty directory FRESH itself
(as a run would, its process id in the lock file): a run of the .loom
PROGRAM into FRESH is refused before it compiles or writes anything.
Prints one line per check that passed; exits non-zero at the first that
fails.
"""
import fcntl
import json
import os
import signal
import subprocess
import sys
import time

artifact, program, out, fresh = sys.argv[1:5]
HUGE = 100000000


def fail(why):
    sys.exit("out_lock: " + why)


def wait_until(what, test, timeout=120):
    deadline = time.monotonic() + timeout
    while not test():
        if time.monotonic() > deadline:
            fail("timed out waiting for " + what)
        time.sleep(0.01)


def train(*args):
    return subprocess.run(["loom", "train", *args], capture_output=True,
                          text=True, timeout=300)


def listing(d):
    return sorted(os.listdir(d))


first = subprocess.Popen(["loom", "train", artifact, "--out", out, "--quiet",
                          "--steps", str(HUGE)],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                         text=True)
latest = os.path.join(out, "checkpoints", "latest")
wait_until("the first run's checkpoint",
           lambda: os.path.exists(latest) or first.poll() is not None)
if first.poll() is not None:
    fail("the first run ended: " + first.stderr.read())

want = (f"loom train: error: {out} is in use by another loom train or loom sweep "
        f"(process {first.pid})\n")
before = listing(out)
for extra in ([], ["--overwrite"],
              ["--resume", os.path.join(out, "checkpoints")]):
    r = train(artifact, "--out", out, "--steps", "3", *extra)
    if r.returncode != 1 or r.stderr != want or r.stdout:
        fail(f"second run {extra}: exit {r.returncode}\n"
             f"stdout: {r.stdout}\nstderr: {r.stderr}\nwanted: {want}")
    if first.poll() is not None:
        fail("the first run ended while the second was refused")
if listing(out) != before:
    fail(f"the refused runs changed {out}: {before} -> {listing(out)}")
print("a second run is refused with the first one's process id, also with "
      "--overwrite or --resume, and writes nothing")

first.send_signal(signal.SIGKILL)
first.wait(timeout=60)
with open(latest) as f:
    ckpt = f.read().strip()
step = int(ckpt[len("ckpt-"):-len(".safetensors")])
r = train(artifact, "--out", out, "--quiet", "--steps", str(step + 3),
          "--resume", os.path.join(out, "checkpoints"))
if r.returncode != 0:
    fail(f"resume after SIGKILL: exit {r.returncode}: {r.stderr}")
with open(os.path.join(out, "metrics.jsonl")) as f:
    log = [json.loads(line) for line in f]  # every line whole
steps = [rec["step"] for rec in log if rec["kind"] == "train"]
if steps != sorted(steps) or len(steps) != len(set(steps)) or \
        steps[-1] != step + 3:
    fail(f"metrics.jsonl train steps: {steps}")
print("after SIGKILL the lock is free: --resume continues from the "
      "checkpoint, and metrics.jsonl holds one run's whole lines")

os.makedirs(fresh)
fd = os.open(os.path.join(fresh, ".loom-train.lock"),
             os.O_RDWR | os.O_CREAT, 0o666)
fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
os.write(fd, f"{os.getpid()}\n".encode())
r = train(program, "--out", fresh)
want = (f"loom train: error: {fresh} is in use by another loom train or loom sweep "
        f"(process {os.getpid()})\n")
if r.returncode != 1 or r.stderr != want:
    fail(f"fresh: exit {r.returncode}\nstderr: {r.stderr}\nwanted: {want}")
if listing(fresh) != [".loom-train.lock"]:
    fail(f"the refused run wrote into {fresh}: {listing(fresh)}")
print("a run is refused before it compiles or writes anything")
