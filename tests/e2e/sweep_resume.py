"""Stops a `loom sweep` with SIGINT once 2 trials finished, then runs the
same command again and checks that only the unfinished trials ran again.

Usage: sweep_resume.py LOOM FILE.loom OUT_DIR

The sweep: 5 seeds, one trial at a time, 1500 steps each. The first run
must exit 130 with 2 records in sweep.jsonl; the second must exit 0, say
"2 finished earlier", leave the finished trials' files untouched (their
metrics.jsonl byte for byte and its modification time) and finish the
other 3 (the interrupted one from scratch: its metrics start at step 1).
"""
import json
import os
import signal
import subprocess
import sys
import time


def records(out):
    path = os.path.join(out, "sweep.jsonl")
    if not os.path.exists(path):
        return []
    return [json.loads(l) for l in open(path) if l.strip()]


def main():
    loom, program, out = sys.argv[1:4]
    cmd = [loom, "sweep", program, "--grid", "seed=1,2,3,4,5", "--steps", "1500", "--out", out]
    first = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.time() + 120
    while len(records(out)) < 2:
        if first.poll() is not None or time.time() > deadline:
            sys.exit("the sweep ended before 2 trials finished:\n" + first.communicate()[0])
        time.sleep(0.02)
    first.send_signal(signal.SIGINT)
    text = first.communicate(timeout=60)[0]
    if first.returncode != 130:
        sys.exit("the stopped sweep exited %d, not 130:\n%s" % (first.returncode, text))
    done = sorted(r["trial"] for r in records(out))
    if len(done) < 2 or len(done) >= 5:
        sys.exit("%d trials finished before the signal took effect: %s" % (len(done), done))
    print(text.strip().splitlines()[-1])
    kept = {}
    for t in done:
        path = os.path.join(out, t, "metrics.jsonl")
        kept[t] = (open(path, "rb").read(), os.stat(path).st_mtime_ns)

    second = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if second.returncode != 0:
        sys.exit("the resumed sweep exited %d:\n%s" % (second.returncode, second.stdout))
    if "5 trials, %d finished earlier" % len(done) not in second.stdout:
        sys.exit("the resumed sweep did not say what finished earlier:\n" + second.stdout)
    for t, (data, mtime) in kept.items():
        path = os.path.join(out, t, "metrics.jsonl")
        if open(path, "rb").read() != data or os.stat(path).st_mtime_ns != mtime:
            sys.exit(t + " finished before the signal but ran again")
    final = records(out)
    names = [r["trial"] for r in final]
    if sorted(names) != ["trial-%03d" % i for i in range(5)]:
        sys.exit("sweep.jsonl holds %s" % names)
    rerun = sorted(set(names) - set(done))
    for t in rerun:
        with open(os.path.join(out, t, "metrics.jsonl")) as f:
            firstStep = json.loads(f.readline())["step"]
        if firstStep != 1:
            sys.exit(t + " did not start over: its first record is step %d" % firstStep)
        ran = "%s  seed=" % t
        if ran not in second.stdout:
            sys.exit(t + " is not in the resumed sweep's lines")
    for t in done:
        if "%s  seed=" % t in second.stdout:
            sys.exit(t + " ran again")
    print("kept: " + " ".join(done))
    print("rerun: " + " ".join(rerun))


main()
