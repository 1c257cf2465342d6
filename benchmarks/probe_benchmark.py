"""`fourierlens probe` against the scikit-learn pipeline a researcher would write for the same
probes under the same protocol (RidgeCV and RidgeClassifierCV for mod 2, 5, 10, each choosing
among the same 37 strengths by an inner 5-fold cross-validation; PCA + LinearRegression for
the helix and its baselines; LinearRegression for the Fourier basis; every probe again on
shuffled labels), side by side in one run, on a float16 [600 × 1024] matrix with 5 folds.

    .venv/bin/python benchmarks/probe_benchmark.py [--rows 600 --cols 1024]
"""
import argparse
import os
import sys
import tempfile

import h5py
import numpy as np

from bench_common import numpy_environment, run

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
TOOL = os.environ.get("FOURIERLENS_BIN", os.path.join(REPO, ".build", "release", "fourierlens"))

PIPELINE = r'''
import sys, h5py, numpy as np
from sklearn.decomposition import PCA
from sklearn.linear_model import LinearRegression, RidgeClassifierCV, RidgeCV
from sklearn.model_selection import KFold
path = sys.argv[1]
with h5py.File(path) as f:
    x = f["weights/W_E"][...].astype(np.float32)
    a = f["tokens/values"][...].astype(np.float64)
def helix(v, periods=(2, 5, 10, 100)):
    return np.column_stack([v / 100] + [f(2 * np.pi * v / t) for t in periods for f in (np.cos, np.sin)])
def fourier(v, periods=(2, 2.5, 5, 10)):
    return np.column_stack([f(2 * np.pi * v / t) for t in periods for f in (np.cos, np.sin)])
shuffled = np.random.default_rng(0).permutation(a)
scores = []
for train, test in KFold(5, shuffle=True, random_state=0).split(x):
    xc = x[train] - x[train].mean(axis=0)
    alphas = np.sum(xc.astype(np.float64) ** 2) / min(xc.shape) * 10.0 ** (3 - 0.25 * np.arange(37))
    inner = KFold(5, shuffle=True, random_state=1)
    for numbers in (a, shuffled):
        ytr, yte = numbers[train], numbers[test]
        scores.append(RidgeCV(alphas=alphas, cv=inner).fit(x[train], ytr).score(x[test], yte))
        for m in (2, 5, 10):
            clf = RidgeClassifierCV(alphas=alphas, cv=inner).fit(x[train], ytr.astype(int) % m)
            scores.append(clf.score(x[test], yte.astype(int) % m))
        pca = PCA(100).fit(x[train])
        ztr, zte = pca.transform(x[train]), pca.transform(x[test])
        scores.append(LinearRegression().fit(helix(ytr), ztr).score(helix(yte), zte))
        t = (ytr.mean(), ytr.std())
        poly = lambda v: np.column_stack([((v - t[0]) / t[1]) ** p for p in range(1, 10)])
        scores.append(LinearRegression().fit(poly(ytr), ztr).score(poly(yte), zte))
        scores.append(LinearRegression().fit(fourier(ytr), x[train]).score(fourier(yte), x[test]))
print(np.mean(scores))
'''


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=600)
    parser.add_argument("--cols", type=int, default=1024)
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="fourierlens-probe-bench-")
    dump = os.path.join(work, "bench.h5")
    rng = np.random.default_rng(3)
    a = np.arange(args.rows)
    basis = np.column_stack([a / 100] + [f(2 * np.pi * a / t) for t in (2, 5, 10, 100) for f in (np.cos, np.sin)])
    x = basis @ rng.standard_normal((basis.shape[1], args.cols)) + rng.standard_normal((args.rows, args.cols))
    with h5py.File(dump, "w") as f:
        f.attrs["schema"] = "fourierlens/1"
        f["weights/W_E"] = x.astype(np.float16)
        f["tokens/values"] = a
    env = numpy_environment()
    reference = [sys.executable, "-c", PIPELINE, dump]
    ours = [TOOL, "probe", dump, "--out", os.path.join(work, "report"), "--force", "--quiet"]
    results = {"scikit-learn": [], "fourierlens": []}
    for _ in range(args.repeats):
        results["fourierlens"].append(run(ours))
        results["scikit-learn"].append(run(reference, env))
    print(f"probes (value, mod2, mod5, mod10, helix + 2 baselines, fourier, each with a shuffled control) "
          f"on float16 [{args.rows} x {args.cols}], 5 folds, best of {args.repeats}")
    best = {name: (min(t for t, _ in r), max(m for _, m in r)) for name, r in results.items()}
    for name, (seconds, memory) in best.items():
        print(f"  {name:13s} {seconds:8.2f} s   peak RSS {memory:8.1f} MiB")
    print(f"  speed-up: {best['scikit-learn'][0] / best['fourierlens'][0]:.1f}x")


if __name__ == "__main__":
    main()
