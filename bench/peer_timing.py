"""What every peer of bench/run.py reports, measured the same way: the first
step's time (compilation included, for the peers that compile on first use),
then the minimum and median of the timed steps after the warm-up steps, and
the process's max RSS (getrusage's ru_maxrss, the peak over the whole run:
the framework's import, compilation and every step)."""
import json
import resource
import statistics
import time


def time_steps(step, warmup, steps):
    """Runs `step()` warmup + steps times (the first call is one of the
    warm-up steps when warmup > 0); `step` returns only when the step's work
    is done. Returns the timing fields of the peer's report."""
    times = []
    first = None
    for i in range(max(warmup, 1) + steps):
        t0 = time.perf_counter()
        step()
        dt = time.perf_counter() - t0
        if first is None:
            first = dt
        if i >= max(warmup, 1):
            times.append(dt)
    return {"first_step_s": first, "min_s": min(times),
            "median_s": statistics.median(times), "steps": steps,
            "max_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}


def report(fields):
    """Prints the peer's report: one JSON object on the last line."""
    print(json.dumps(fields), flush=True)
