"""scikit-learn reference for the probes' choice of ridge strength (docs/METHODS.md, "Choosing λ").

    .venv/bin/python Tests/Fixtures/make_probe_cv_reference.py OUT_DIR            # the cases (fast)
    .venv/bin/python Tests/Fixtures/make_probe_cv_reference.py OUT_DIR --reference

Writes OUT_DIR/probe_cv_cases.h5 (each case's matrix, as float32, and its numbers; `make
fixtures` writes it) and, with --reference, Tests/Fixtures/probe_cv_reference.json (committed:
scikit-learn takes about ten minutes for it): for the value probe and the mod 2/5/10 probes, and their
shuffled-label controls, the λ that scikit-learn's GridSearchCV(Ridge / RidgeClassifier) chooses
in every outer fold and the held-out score of the refitted model, with FourierLens's outer and
inner folds and grid; and, as a second reference, LogisticRegressionCV's mean accuracy.

The folds are FourierLens's own (xoshiro256** seeded by SplitMix64, Fisher-Yates, Lemire's
bounded draw), re-implemented here so both sides cut the rows identically.
"""
import json
import os
import sys
import warnings

import h5py
import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegressionCV, Ridge, RidgeClassifier
from sklearn.model_selection import GridSearchCV

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from seeded_random import MASK, SeededRandom  # noqa: E402


def folds(rows, k, seed, strata=None):
    """FourierLens's Folds: shuffle once; cut into k groups whose sizes differ by at most one, or
    with strata, sort stably by stratum and deal the rows to the folds in turn."""
    order = SeededRandom(seed).permutation(rows)
    tests = [[] for _ in range(k)]
    if strata is not None:
        for position, row in enumerate(sorted(order, key=lambda r: strata[r])):
            tests[position % k].append(row)
    else:
        start = 0
        for f in range(k):
            size = rows // k + (1 if f < rows % k else 0)
            tests[f] = order[start:start + size]
            start += size
    tests = [sorted(t) for t in tests]
    trains = [[r for r in range(rows) if r not in set(t)] for t in tests]
    return list(zip(trains, tests))


def strata(numbers, k, modulus=10):
    """The folds' strata: residues mod lcm(2, 5, 10), when every class has at least k rows."""
    residues = np.mod(numbers, modulus)
    counts = np.bincount(residues, minlength=modulus)
    return [int(r) for r in residues] if counts[counts > 0].min() >= k else None


def grid(centred):
    """λ_i = ē·10^(3 − i/4), i = 0…36, largest first; ē = ‖X_c‖²_F / min(n, d)."""
    scale = float(np.sum(centred * centred)) / min(centred.shape)
    return [scale * 10 ** (3 - 0.25 * i) for i in range(37)]


def probe_case(x, numbers, k=5, inner=5, seed=0, controls=True, logistic=False):
    n = x.shape[0]
    shuffled = numbers[SeededRandom((seed + 0xC04701) & MASK).permutation(n)]
    numberings = [("", numbers)] + ([("control:", shuffled)] if controls else [])
    result = {}
    for tag, a in numberings:
        outer = folds(n, k, seed, strata(a, k))
        if tag == "":
            result["outer_test"] = [test for _, test in outer]
        for name in ["value", "mod2", "mod5", "mod10"]:
            lambdas, scores = [], []
            for f, (train, test) in enumerate(outer):
                xt = x[train]
                alphas = grid(xt - xt.mean(axis=0))
                inner_splits = folds(len(train), inner, (seed + 0x5EED0000 + f) & MASK, strata(a[train], inner))
                if name == "value":
                    estimator, y = Ridge(), a.astype(np.float64)
                else:
                    estimator, y = RidgeClassifier(), np.mod(a, int(name[3:]))
                search = GridSearchCV(estimator, {"alpha": alphas}, cv=inner_splits, refit=True)
                search.fit(xt, y[train])
                lambdas.append(float(search.best_params_["alpha"]))
                scores.append(float(search.best_estimator_.score(x[test], y[test])))
            result[tag + name] = {"lambdas": lambdas, "scores": scores}
    if logistic:
        outer = folds(n, k, seed, strata(numbers, k))
        for m in [2, 5, 10]:
            accuracies = []
            for f, (train, test) in enumerate(outer):
                inner_splits = folds(len(train), inner, (seed + 0x5EED0000 + f) & MASK, strata(numbers[train], inner))
                model = LogisticRegressionCV(Cs=10, cv=inner_splits, max_iter=3000, scoring="accuracy",
                                             use_legacy_attributes=False)
                model.fit(x[train], np.mod(numbers[train], m))
                accuracies.append(float(model.score(x[test], np.mod(numbers[test], m))))
            result[f"logistic:mod{m}"] = {"mean": float(np.mean(accuracies))}
    return result


def demo(path, dataset):
    with h5py.File(os.path.join(ROOT, "probes/data/minilm_demo.h5"), "r") as f:
        values = "/tokens/values" if dataset.startswith("/weights") else "/prompts/values"
        return f[dataset][...].astype(np.float32), f[values][...].astype(np.int64)


def planted(rng, n, d, noise):
    """A random linear map of the helix basis (periods 2, 5, 10, 100) plus noise."""
    a = np.arange(n)
    basis = [a / 100] + [f(2 * np.pi * a / t) for t in (2, 5, 10, 100) for f in (np.cos, np.sin)]
    signal = np.stack(basis, axis=1) @ rng.standard_normal((len(basis), d))
    return (signal + noise * rng.standard_normal((n, d))).astype(np.float32), a.astype(np.int64)


def main(out_dir, with_reference):
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    rng = np.random.default_rng(11)
    cases = {
        "demo_W_E": (*demo(ROOT, "/weights/W_E"), dict(controls=True, logistic=True)),
        "demo_layer2": (*demo(ROOT, "/acts/blocks.2.hook_resid_post"), dict(controls=False)),
        "planted_helix": (*planted(rng, 200, 32, 1.0), dict(controls=True, logistic=True)),
        "random_wide": (rng.standard_normal((60, 500)).astype(np.float32), np.arange(60, dtype=np.int64),
                        dict(controls=True)),
        "random_tall": (rng.standard_normal((300, 8)).astype(np.float32), np.arange(300, dtype=np.int64),
                        dict(controls=True)),
        "planted_wide_seed7": (*planted(rng, 90, 400, 3.0), dict(controls=False, seed=7)),
    }
    os.makedirs(out_dir, exist_ok=True)
    reference = {}
    with h5py.File(os.path.join(out_dir, "probe_cv_cases.h5"), "w") as f:
        for name, (x, numbers, options) in cases.items():
            f[f"{name}/x"] = x
            f[f"{name}/values"] = numbers
            if not with_reference:
                continue
            seed = options.get("seed", 0)
            probes = probe_case(x.astype(np.float64), numbers, seed=seed, controls=options["controls"],
                                logistic=options.get("logistic", False))
            reference[name] = {"seed": seed, "folds": 5, "inner_folds": 5,
                               "checksum": float(np.sum(x.astype(np.float64))),
                               "outer_test": probes.pop("outer_test"), "probes": probes}
    print(f"wrote {out_dir}/probe_cv_cases.h5")
    if with_reference:
        path = os.path.join(ROOT, "Tests/Fixtures/probe_cv_reference.json")
        with open(path, "w") as f:
            json.dump(reference, f, indent=1)
            f.write("\n")
        print(f"wrote {path}")


if __name__ == "__main__":
    arguments = [a for a in sys.argv[1:] if a != "--reference"]
    main(arguments[0] if arguments else os.path.join(ROOT, "Tests/Fixtures/generated"), "--reference" in sys.argv)
