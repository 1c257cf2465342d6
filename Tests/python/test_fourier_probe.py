"""The Fourier probe reads the Fourier features of a, [cos(2πa/T), sin(2πa/T)], out of the
representation by ridge regression with cross-validated λ: a planted representation scores high
(and equals a scikit-learn ridge at the λ it chose), a matched Gaussian scores at most chance,
and then the page says "none above chance" instead of naming a best."""
import json
import os

import h5py
import numpy as np

from report_helpers import fourierlens

P, D = 300, 64
PERIODS = [2, 2.5, 5, 10]


def features(a):
    return np.concatenate([np.stack([np.cos(2 * np.pi * a / t), np.sin(2 * np.pi * a / t)], axis=1) for t in PERIODS], axis=1)


def write(path, matrix):
    with h5py.File(path, "w") as f:
        f.attrs["schema"] = "fourierlens/1"
        f["weights/W_E"] = matrix.astype(np.float32)
        f["tokens/ids"] = np.arange(P)
        f["tokens/values"] = np.arange(P)
    return str(path)


def fourier_score(dump, out):
    fourierlens("probe", dump, "--probes", "fourier", "--out", str(out), "--quiet", "--no-figures")
    summary = json.load(open(os.path.join(out, "summary.json")))
    [score] = summary["sources"][0]["scores"]
    return score, open(os.path.join(out, "index.html"), encoding="utf-8").read()


def test_a_planted_fourier_representation_scores_high(tmp_path):
    rng = np.random.default_rng(5)
    a = np.arange(P)
    planted = features(a) @ rng.standard_normal((8, D)) + 0.5 * rng.standard_normal((P, D))
    score, page = fourier_score(write(tmp_path / "planted.h5", planted), tmp_path / "p")
    assert score["probe"] == "fourier" and score["metric"] == "r2"
    assert score["mean"] > 0.8, score["mean"]
    assert score["control_mean"] < 0.05  # shuffled numbers: nothing to read
    assert len(score["lambdas"]) == 5  # λ chosen per fold
    assert "none above chance" not in page


def test_a_matched_gaussian_is_none_above_chance(tmp_path):
    rng = np.random.default_rng(6)
    score, page = fourier_score(write(tmp_path / "noise.h5", rng.standard_normal((P, D))), tmp_path / "n")
    assert score["mean"] < 0.05
    if score["mean"] <= 0:
        assert "none above chance" in page
