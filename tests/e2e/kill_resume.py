"""SIGKILLs `loom train` at random moments (checkpointing every step, so
most kills land in or near a checkpoint write), resumes each time from the
checkpoint directory, and checks that the pieced-together run logs exactly
the losses of an uninterrupted one: nothing lost, nothing corrupted, resume
bit-exact.

usage: kill_resume.py LOOM ARTIFACT WORKDIR KILLS SEED
"""
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time

loom, artifact, work, kills, seed = sys.argv[1:6]
kills, rng = int(kills), random.Random(int(seed))
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)


def losses(out):
    """The train records of OUT/metrics.jsonl: {step: loss text}."""
    got = {}
    with open(os.path.join(out, "metrics.jsonl")) as f:
        for line in f:
            r = json.loads(line)
            if r["kind"] == "train":
                if r["step"] in got:
                    sys.exit(f"{out}: step {r['step']} logged twice")
                got[r["step"]] = repr(r["loss"])
    return got


def train(out, resume, quiet=True):
    cmd = [loom, "train", artifact, "--out", out, "--quiet"]
    # A run killed before its first checkpoint is started over.
    cmd += (["--resume", os.path.join(out, "checkpoints")] if resume
            else ["--overwrite"])
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)


# The uninterrupted run.
a = os.path.join(work, "a")
p = train(a, False)
_, err = p.communicate()
if p.returncode:
    sys.exit("uninterrupted run failed: " + err.decode())
want = losses(a)


def logged(out):
    """How many train records OUT/metrics.jsonl holds now."""
    try:
        with open(os.path.join(out, "metrics.jsonl"), "rb") as f:
            return f.read().count(b'"kind":"train"')
    except OSError:
        return 0


# Each run is killed a random number of steps (1 to 20) after it starts
# logging, and a random fraction of a step later: the checkpoint of every
# step is written right after its record, so the kills land in and around
# the writes whatever the machine's speed.
b = os.path.join(work, "b")
latest = os.path.join(b, "checkpoints", "latest")
killed = 0
for i in range(kills):
    start = logged(b)
    p = train(b, os.path.exists(latest))
    target = start + rng.randint(1, 20)
    deadline = time.monotonic() + 120
    while p.poll() is None and time.monotonic() < deadline:
        if logged(b) >= target:
            time.sleep(rng.uniform(0, 0.005))
            break
        time.sleep(0.001)
    if p.poll() is None:
        p.send_signal(signal.SIGKILL)
        killed += 1
    _, err = p.communicate()
    if p.returncode not in (0, -signal.SIGKILL):
        sys.exit(f"kill {i}: loom train failed ({p.returncode}): "
                 + err.decode())
    if p.returncode == 0:
        break
# Finish the run.
p = train(b, os.path.exists(latest))
_, err = p.communicate()
if p.returncode:
    sys.exit("final resume failed: " + err.decode())
got = losses(b)
if got != want:
    diff = [s for s in sorted(set(want) | set(got)) if want.get(s) != got.get(s)]
    sys.exit(f"resumed run differs from the uninterrupted one at steps "
             f"{diff[:10]}: {[(want.get(s), got.get(s)) for s in diff[:3]]}")
if killed < kills:
    sys.exit(f"only {killed} of {kills} runs were killed before they ended; "
             "make the run longer")
print(f"{killed} kills, {len(want)} steps, every loss identical")
