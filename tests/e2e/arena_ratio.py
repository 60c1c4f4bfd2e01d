"""Prints the memory that a multi-rank run's rank 0 holds against one
process's, from the summary.json of each (parameter_bytes and
optimizer_state_bytes: what the runtime's arena holds), as fractions with
two decimals.

usage: arena_ratio.py ONE_PROCESS/summary.json RANKS/summary.json"""
import json
import sys

one, ranks = (json.load(open(p)) for p in sys.argv[1:3])
params = ranks["parameter_bytes"] / one["parameter_bytes"]
state = ranks["optimizer_state_bytes"] / one["optimizer_state_bytes"]
print(f"parameters per rank {params:.2f} of one process's, "
      f"optimizer state {state:.2f}")
