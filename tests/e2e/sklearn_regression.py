"""Fits scikit-learn's LinearRegression on DATA/diabetes-train.csv, scores
it on DATA/diabetes-test.csv, and checks that the R² in loom train's
SUMMARY.json (its final evaluation on the test file) is at most 0.05 below.

usage: sklearn_regression.py DATA SUMMARY.json"""
import json
import os
import sys

import numpy as np
from sklearn.linear_model import LinearRegression
from sklearn.metrics import r2_score

data, summary = sys.argv[1], json.load(open(sys.argv[2]))


def load(name):
    a = np.loadtxt(os.path.join(data, name), delimiter=",", skiprows=1)
    return a[:, :-1], a[:, -1]


(xt, yt), (xv, yv) = load("diabetes-train.csv"), load("diabetes-test.csv")
theirs = r2_score(yv, LinearRegression().fit(xt, yt).predict(xv))
ours = summary["r2"]
assert ours >= theirs - 0.05, f"R² {ours:.4f} is more than 0.05 below scikit-learn's {theirs:.4f}"
print(f"R² {ours:.4f}, scikit-learn's LinearRegression {theirs:.4f}: within 0.05 or better")
