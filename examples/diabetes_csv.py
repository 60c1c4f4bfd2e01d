"""Writes scikit-learn's diabetes data, as Debian's python3-sklearn ships it
(two gzipped, space-separated files without a header), as the two CSV files
examples/regression.loom trains and tests on: data/diabetes-train.csv (the
first 80% of a seeded shuffle, 354 rows) and data/diabetes-test.csv (the
other 88). The columns: age, sex, bmi, bp, s1, ..., s6 (the raw, unscaled
measurements) and target (disease progression one year later).

    python3 examples/diabetes_csv.py [OUT_DIR]   (default: data)
"""
import gzip
import os
import random
import sys

SRC = "/usr/lib/python3/dist-packages/sklearn/datasets/data"
COLUMNS = ["age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"]

out = sys.argv[1] if len(sys.argv) > 1 else "data"
with gzip.open(os.path.join(SRC, "diabetes_data_raw.csv.gz"), "rt") as f:
    features = [line.split() for line in f if line.strip()]
with gzip.open(os.path.join(SRC, "diabetes_target.csv.gz"), "rt") as f:
    targets = [float(line) for line in f if line.strip()]
assert len(features) == len(targets) == 442, (len(features), len(targets))
rows = [x + ["%g" % t] for x, t in zip(features, targets)]
random.Random(0).shuffle(rows)
cut = round(0.8 * len(rows))
os.makedirs(out, exist_ok=True)
for name, part in (("diabetes-train.csv", rows[:cut]), ("diabetes-test.csv", rows[cut:])):
    with open(os.path.join(out, name), "w") as f:
        f.write(",".join(COLUMNS + ["target"]) + "\n")
        for r in part:
            f.write(",".join(r) + "\n")
    print(f"wrote {os.path.join(out, name)}: {len(part)} rows")
