"""numpy/scipy reference values for the probes' solvers, written to
Tests/Fixtures/probe_reference.json (committed).

    .venv/bin/python Tests/Fixtures/make_probe_reference.py

For a fixed train/test split: ridge predictions at fixed strengths (closed form) and
least-squares coefficients. The choice of strength has its own scikit-learn reference
(make_probe_cv_reference.py).
"""
import json
import os

import numpy as np
import scipy.linalg

rng = np.random.default_rng(2024)


def ridge_case(n_train, n_test, d):
    x = rng.standard_normal((n_train + n_test, d))
    y = x @ rng.standard_normal(d) + 0.5 * rng.standard_normal(n_train + n_test)
    train, test = x[:n_train], x[n_train:]
    mean = train.mean(axis=0)
    xc, tc = train - mean, test - mean
    yc = y[:n_train] - y[:n_train].mean()
    eig = np.linalg.eigvalsh(xc @ xc.T if n_train <= d else xc.T @ xc).clip(min=0)
    grid = eig.mean() * 10 ** (-6 + 0.25 * np.arange(37))
    predictions = {}
    for lam in (grid[8], grid[20]):
        beta = np.linalg.solve(xc.T @ xc + lam * np.eye(d), xc.T @ yc)
        predictions[repr(float(lam))] = (tc @ beta).tolist()
    return {"n_train": n_train, "d": d, "x": x.ravel().tolist(), "y": y.tolist(),
            "lambdas": [float(l) for l in (grid[8], grid[20])],
            "predictions": [predictions[repr(float(l))] for l in (grid[8], grid[20])]}


a = rng.standard_normal((25, 4))
b = rng.standard_normal((25, 3))
solution = scipy.linalg.lstsq(a, b)[0]
reference = {
    "ridge": [ridge_case(20, 10, 40), ridge_case(60, 15, 8)],
    "lstsq": {"a": a.ravel().tolist(), "b": b.ravel().tolist(), "x": solution.ravel().tolist()},
}
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "probe_reference.json")
with open(out, "w") as f:
    json.dump(reference, f, indent=1)
    f.write("\n")
print(f"wrote {out}")
