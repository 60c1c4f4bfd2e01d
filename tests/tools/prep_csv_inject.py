"""Makes a dirty copy of scikit-learn's wine data (as python3-sklearn ships
it) with known damage, and checks what `loom prep csv` reported about it.

    prep_csv_inject.py inject WINE.csv DIRTY.csv META.json
    prep_csv_inject.py check META.json REPORT.json CLEAN.csv
    prep_csv_inject.py recipe DATA.csv OUT.loom
    prep_csv_inject.py prep-recipe DATA.csv OUT.loom
    prep_csv_inject.py check-train META.json PREP.json

inject: 7 rows repeated (each copy placed after its original), 11 cells
emptied (one in each of 11 rows), 3 outliers (one in each of 3 rows, each in
its own column, 30 standard deviations above the column's mean). The rows
each kind of damage touches are disjoint. The header names the 13 features as
scikit-learn does, then `target`.

check: the report found exactly the injected damage: 7 duplicates, the 11
missing cells, in their columns, each filled with the median Python computes
of the deduplicated column, 3 outlier rows in the right columns, dropped;
and the cleaned file has 175 rows, no empty cell, and standardized features.

recipe: a small recipe that trains a classifier on DATA.csv for 2 epochs.

prep-recipe: the same with the cleaning steps as its `prep = ...` and no
split; check-train META.json PREP.json checks what loom train's prep.json
says fitting them on the training rows found: exactly the injected damage.
"""
import csv
import json
import math
import random
import statistics
import sys

FEATURES = [
    "alcohol", "malic_acid", "ash", "alcalinity_of_ash", "magnesium",
    "total_phenols", "flavanoids", "nonflavanoid_phenols", "proanthocyanins",
    "color_intensity", "hue", "od280/od315_of_diluted_wines", "proline",
]
DUPLICATES, MISSING, OUTLIERS = 7, 11, 3


def inject(wine, dirty, meta):
    with open(wine) as f:
        rows = list(csv.reader(f))[1:]  # scikit-learn's header: counts, class names
    assert len(rows) == 178 and all(len(r) == 14 for r in rows)
    assert len({tuple(r) for r in rows}) == len(rows), "wine has duplicate rows"
    rng = random.Random(18)
    picked = rng.sample(range(len(rows)), DUPLICATES + MISSING + OUTLIERS)
    dup_rows = picked[:DUPLICATES]
    miss_rows = picked[DUPLICATES:DUPLICATES + MISSING]
    out_rows = picked[DUPLICATES + MISSING:]
    missing = {}  # column -> count
    for r in miss_rows:
        c = rng.randrange(len(FEATURES))
        rows[r][c] = ""
        missing[FEATURES[c]] = missing.get(FEATURES[c], 0) + 1
    out_cols = rng.sample(range(len(FEATURES)), OUTLIERS)
    for r, c in zip(out_rows, out_cols):
        values = [float(x[c]) for x in rows if x[c] != ""]
        mean, sd = statistics.fmean(values), statistics.pstdev(values)
        rows[r][c] = "%.6g" % (mean + 30 * sd)
    # The medians impute must find: over the deduplicated rows (the 178),
    # outliers included, missing cells left out.
    medians = {
        name: statistics.median(float(x[FEATURES.index(name)]) for x in rows
                                if x[FEATURES.index(name)] != "")
        for name in missing
    }
    out = []
    for i, r in enumerate(rows):
        out.append(r)
        if i in dup_rows:
            out.append(list(r))
    with open(dirty, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(FEATURES + ["target"])
        w.writerows(out)
    with open(meta, "w") as f:
        json.dump({"missing": missing, "medians": medians,
                   "outlier_columns": sorted(FEATURES[c] for c in out_cols)}, f)


def check_steps(meta, steps, errors):
    """The report's steps found exactly the injected damage."""

    def expect(what, got, want):
        if got != want:
            errors.append(f"{what}: got {got!r}, expected {want!r}")

    dedup, impute, outliers, scale = steps
    expect("duplicates", dedup["duplicates"], DUPLICATES)
    expect("rows after dedup", dedup["rows_out"], 178)
    filled = {c: v["missing"] for c, v in impute["columns"].items() if v["missing"]}
    expect("missing cells by column", filled, meta["missing"])
    for c, m in meta["medians"].items():
        got = impute["columns"][c]["value"]
        if not math.isclose(got, m, rel_tol=1e-12):
            errors.append(f"median of {c}: got {got}, expected {m}")
    found = sorted(c for c, v in outliers["columns"].items() if v["outliers"])
    expect("outlier columns", found, meta["outlier_columns"])
    expect("outlier rows", outliers["outlier_rows"], OUTLIERS)
    expect("rows after outliers", outliers["rows_out"], 178 - OUTLIERS)


def check(meta, report, clean):
    meta = json.load(open(meta))
    errors = []

    def expect(what, got, want):
        if got != want:
            errors.append(f"{what}: got {got!r}, expected {want!r}")

    check_steps(meta, json.load(open(report))["report"], errors)
    with open(clean) as f:
        rows = list(csv.reader(f))
    expect("header", rows[0], FEATURES + ["target"])
    rows = rows[1:]
    expect("clean rows", len(rows), 178 - OUTLIERS)
    expect("empty cells", sum(v == "" for r in rows for v in r), 0)
    for c, name in enumerate(FEATURES):
        col = [float(r[c]) for r in rows]
        if abs(statistics.fmean(col)) > 1e-6 or abs(statistics.pstdev(col) - 1) > 1e-6:
            errors.append(f"{name} is not standardized")
    expect("targets", sorted({r[13] for r in rows}), ["0", "1", "2"])
    if errors:
        sys.exit("\n".join(errors))


RECIPE = """import std.nn

model WineNet(features: int, hidden: int, classes: int) {
  fc1 = Linear(features, hidden)
  fc2 = Linear(hidden, classes)

  forward(x: f32[B, features]) -> f32[B, classes] {
    return fc2(relu(fc1(x)))
  }
}

train wine {
  model     = WineNet(features = 13, hidden = 16, classes = 3)
  data      = csv("%s", label = "target")
  batch     = 16
  split     = 0.8 seed 1
  loss      = cross_entropy(model(x), y)
  optimizer = adam(lr = 1e-2)
  epochs    = 2
  eval      = every 1 epochs on val: loss, accuracy
}
"""


def recipe(data, out):
    with open(out, "w") as f:
        f.write(RECIPE % data)


def prep_recipe(data, out):
    """The recipe with the cleaning steps as its `prep`, training on every
    row (no split, so dedup sees all the rows) and evaluating the training
    split."""
    text = RECIPE % data
    text = text.replace("  split     = 0.8 seed 1\n",
                        "  prep      = dedup, impute(median), "
                        "outliers(zscore > 6, drop), standardize\n")
    text = text.replace("on val:", "on train:")
    with open(out, "w") as f:
        f.write(text)


def check_train(meta, prep):
    """loom train's prep.json: fitting on the training rows (all of them)
    found exactly the injected damage."""
    errors = []
    train = json.load(open(prep))["report"]["train"]
    check_steps(json.load(open(meta)), train["report"], errors)
    if train["rows_in"] != 185 or train["rows_out"] != 178 - OUTLIERS:
        errors.append(f"training rows: {train['rows_in']} -> {train['rows_out']}")
    if errors:
        sys.exit("\n".join(errors))
    print(f"prep in the recipe found {DUPLICATES} duplicates, {MISSING} missing "
          f"cells, {OUTLIERS} outliers")


if __name__ == "__main__":
    {"inject": inject, "check": check, "recipe": recipe, "prep-recipe": prep_recipe,
     "check-train": check_train}[sys.argv[1]](*sys.argv[2:])
