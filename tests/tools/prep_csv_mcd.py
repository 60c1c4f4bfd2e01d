"""Compares the robust covariance of `outliers(mahalanobis > T, ...)` with
scikit-learn's MinCovDet on the same data.

    prep_csv_mcd.py DATA.csv REPORT.json

The MCD estimate is the covariance of the h = (n + p + 1) / 2 rows with the
smallest determinant. The h rows nearest under Loom's (reweighted) estimate
must have a covariance determinant no larger than that of scikit-learn's raw
MCD support (random_state=0), up to 1e-6 in the log: Loom's FAST-MCD finds
as good a minimum. Prints both log determinants.
"""
import csv
import json
import sys

import numpy as np
from sklearn.covariance import MinCovDet

data, report = sys.argv[1:]
rows = list(csv.reader(open(data)))[1:]  # scikit-learn's header
X = np.array([[float(v) for v in r[:-1]] for r in rows])
n, p = X.shape
h = (n + p + 1) // 2
steps = json.load(open(report))["fitted"]["steps"]
robust = [s["robust"] for s in steps if "robust" in s][0]
center = np.array(robust["center"])
scatter = np.array(robust["scatter"]).reshape(p, p)
diff = X - center
d2 = np.einsum("ij,jk,ik->i", diff, np.linalg.inv(scatter), diff)
nearest = np.argsort(d2, kind="stable")[:h]
loom = np.linalg.slogdet(np.cov(X[nearest].T, bias=True))[1]
mcd = MinCovDet(random_state=0).fit(X)
sk = np.linalg.slogdet(np.cov(X[mcd.raw_support_].T, bias=True))[1]
print(f"{data.rsplit('/', 1)[-1]}: log det loom {loom:.4f}, scikit-learn {sk:.4f}")
if loom > sk + 1e-6:
    sys.exit(f"Loom's MCD subset has a larger determinant than scikit-learn's")
