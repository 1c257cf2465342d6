"""Helix against its like-for-like baseline (Kantamneni & Tegmark): the polynomial in a with as
many columns, fitted to the same principal components on the same folds. A planted helix beats
it on every fold; a matched Gaussian (the same per-column mean and sd) does not. The top-q
principal components are a ceiling, not a baseline: they see the held-out rows themselves."""
import json
import os

import h5py
import numpy as np

from report_helpers import fourierlens

P, D = 300, 64
PERIODS = [2, 5, 10, 100]


def helix_basis(a):
    columns = [a / max(PERIODS)]
    for t in PERIODS:
        columns += [np.cos(2 * np.pi * a / t), np.sin(2 * np.pi * a / t)]
    return np.stack(columns, axis=1)


def scores(tmp_path, name, matrix):
    path = str(tmp_path / f"{name}.h5")
    with h5py.File(path, "w") as f:
        f.attrs["schema"] = "fourierlens/1"
        f["weights/W_E"] = matrix.astype(np.float32)
        f["tokens/ids"] = np.arange(P)
        f["tokens/values"] = np.arange(P)
    out = tmp_path / name
    fourierlens("probe", path, "--probes", "helix", "--pca-dimensions", "20", "--out", str(out), "--quiet", "--no-figures")
    summary = json.load(open(os.path.join(out, "summary.json")))
    return {s["probe"]: s for s in summary["sources"][0]["scores"]}


def planted_helix(rng):
    return helix_basis(np.arange(P)) @ rng.standard_normal((9, D)) + 0.7 * rng.standard_normal((P, D))


def test_a_planted_helix_beats_its_baseline_on_every_fold(tmp_path):
    got = scores(tmp_path, "helix", planted_helix(np.random.default_rng(3)))
    assert [name for name in got] == ["helix", "helix_gain", "helix_baseline_poly", "helix_ceiling_pca"]
    helix, poly, gain = got["helix"], got["helix_baseline_poly"], got["helix_gain"]
    np.testing.assert_allclose(gain["folds"], np.subtract(helix["folds"], poly["folds"]), atol=1e-12)
    assert min(gain["folds"]) > 0.1, gain["folds"]
    assert gain["control_mean"] < 0.05
    assert got["helix_ceiling_pca"].get("control_mean") is None
    assert helix["mean"] <= got["helix_ceiling_pca"]["mean"] + 0.02  # the ceiling bounds any q-column fit


def test_a_matched_gaussian_does_not_beat_the_baseline(tmp_path):
    rng = np.random.default_rng(4)
    helix = planted_helix(rng)
    gaussian = helix.mean(axis=0) + helix.std(axis=0) * rng.standard_normal((P, D))
    gain = scores(tmp_path, "gaussian", gaussian)["helix_gain"]
    assert gain["mean"] < 0.02, gain
    assert gain["mean"] < 2 * gain["std"] / np.sqrt(len(gain["folds"])) + 0.005
