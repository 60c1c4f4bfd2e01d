"""Stops one rank of a 2-rank `mpirun loom train` mid-run, by SIGKILL (dead)
or SIGSTOP (hung), and checks that the other exits non-zero within 15 s
with a message naming rank 1 and the step it did not reach (the step after
the last one logged, or the checkpoint of the last one); then resumes the
run from its checkpoint directory on 2 ranks and checks that the pieced-
together run logs exactly the losses of an uninterrupted one (the last
complete checkpoint stayed intact, and the resume is bit-exact).

Mode `pause` checks the other side, that a rank slower than the timeout
does not stop the run: with --comm-timeout 1 it stops rank 1 for 1.5 s,
three times; each time rank 0 waits 1 s, asks, and rank 1, running again
within the 2 s rank 0 waits for answers, answers (or arrives): the run
ends normally with the uninterrupted run's losses.

usage: rank_faults.py LOOM PROGRAM WORKDIR MODE... (MODE: kill, stop, pause)
"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time

loom, program, work, modes = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
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


def train(out, *flags, timeout="3"):
    cmd = ["mpirun", "-n", "2", loom, "train", program, "--out", out,
           "--quiet", "--comm-timeout", timeout, *flags]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)


def children(pid):
    """The processes whose parent is `pid`."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(c) for c in f.read().split()]
    except OSError:
        return []


def rank_pid(launcher, rank):
    """The process of rank `rank` among the descendants of mpirun."""
    pending = children(launcher)
    while pending:
        pid = pending.pop()
        try:
            with open(f"/proc/{pid}/environ", "rb") as f:
                env = f.read().split(b"\0")
        except OSError:
            continue
        if f"OMPI_COMM_WORLD_RANK={rank}".encode() in env:
            return pid
        pending += children(pid)
    return None


def logged(out):
    try:
        with open(os.path.join(out, "metrics.jsonl"), "rb") as f:
            return f.read().count(b'"kind":"train"')
    except OSError:
        return 0


a = os.path.join(work, "a")
p = train(a)
_, err = p.communicate()
if p.returncode:
    sys.exit("uninterrupted run failed: " + err.decode())
want = losses(a)

def pause(out):
    p = train(out, timeout="1")
    for target in (20, 50, 80):
        while logged(out) < target and p.poll() is None:
            time.sleep(0.002)
        victim = rank_pid(p.pid, 1)
        if p.poll() is not None or victim is None:
            sys.exit(f"pause: the run ended (or rank 1 was not found) before "
                     f"{target} steps were logged; make it longer")
        os.kill(victim, signal.SIGSTOP)
        time.sleep(1.5)
        os.kill(victim, signal.SIGCONT)
    _, err = p.communicate()
    if p.returncode:
        sys.exit("pause: the run failed: " + err.decode())
    if losses(out) != want:
        sys.exit("pause: the run's losses differ from the uninterrupted one's")
    print("pause: rank 1 stopped 3 times for 1.5 s; the run ended normally "
          "with the uninterrupted run's losses")


for mode in modes:
    out = os.path.join(work, mode)
    if mode == "pause":
        pause(out)
        continue
    p = train(out)
    # Well into the run, past a checkpoint.
    deadline = time.monotonic() + 60
    while logged(out) < 30 and p.poll() is None and time.monotonic() < deadline:
        time.sleep(0.002)
    victim = rank_pid(p.pid, 1)
    if p.poll() is not None or victim is None:
        sys.exit(f"{mode}: the run ended (or rank 1 was not found) before "
                 "30 steps were logged; make it longer")
    os.kill(victim, signal.SIGKILL if mode == "kill" else signal.SIGSTOP)
    hit = time.monotonic()
    try:
        _, err = p.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        os.kill(victim, signal.SIGKILL)
        p.kill()
        sys.exit(f"{mode}: the other rank did not stop within 30 s")
    took = time.monotonic() - hit
    err = err.decode()
    if p.returncode == 0 or took > 15:
        sys.exit(f"{mode}: mpirun exited {p.returncode} {took:.1f} s after "
                 f"rank 1 was stopped:\n{err}")
    m = re.search(r"loom train: error: rank 1 did not reach the "
                  r"(all-reduce|checkpoint) of step (\d+)"
                  r"(?: within 3 s)? and does not answer: dead or stopped"
                  r"[^\n]*; stopping", err)
    if not m:
        sys.exit(f"{mode}: no message naming rank 1 and the step:\n{err}")
    step, last = int(m.group(2)), max(losses(out))
    expect = last + 1 if m.group(1) == "all-reduce" else last
    if step != expect:
        sys.exit(f"{mode}: the message names step {step}, but the last step "
                 f"logged is {last}:\n{err}")
    p = train(out, "--resume", os.path.join(out, "checkpoints"))
    _, err = p.communicate()
    if p.returncode:
        sys.exit(f"{mode}: the resume failed: " + err.decode())
    got = losses(out)
    if got != want:
        diff = [s for s in sorted(set(want) | set(got))
                if want.get(s) != got.get(s)]
        sys.exit(f"{mode}: the resumed run differs from the uninterrupted "
                 f"one at steps {diff[:10]}")
    print(f"{mode}: rank 0 stopped within 15 s of rank 1 ({took:.0f} s), "
          f"the resumed run's {len(got)} losses are the uninterrupted run's")
    print(m.group(0))
