"""Permutation p-values of `fourierlens spectrum` equal a brute-force numpy reference: every
ordering enumerated when p! is at most the number of draws, the documented pooled rule otherwise."""
import csv
import json

import h5py
import numpy as np
import pytest

from permutation_reference import permutation_p_values
from report_helpers import fourierlens


def write_dump(path, x):
    with h5py.File(path, "w") as f:
        f.attrs["schema"] = "fourierlens/1"
        f["tokens/values"] = np.arange(x.shape[0], dtype=np.int64)
        f["weights/W_E"] = x.astype(np.float32)


def spectrum(tmp_path, x, *args):
    dump = tmp_path / "m.h5"
    write_dump(dump, x)
    out = tmp_path / "out"
    fourierlens("spectrum", str(dump), "--out", str(out), "--quiet", *args)
    with open(out / "spectrum.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    return rows, json.loads((out / "summary.json").read_text())


def alternating(p, d, seed):
    """Rows a, −a, a, −a, …: the largest period-2 component p rows can give, tied by many orderings."""
    a = np.random.default_rng(seed).standard_normal(d).astype(np.float32)
    return np.array([a if x % 2 == 0 else -a for x in range(p)])


@pytest.mark.parametrize("seed", [0, 1, 3, 5])
def test_four_by_sixteen_period_two_is_exactly_one_third(tmp_path, seed):
    x = alternating(4, 16, seed)
    rows, summary = spectrum(tmp_path, x)
    reference = permutation_p_values(x)
    assert reference[2] == pytest.approx(1 / 3)  # 8 of the 24 orderings alternate
    got = [float(r["p_value"]) for r in rows[1:]]
    np.testing.assert_allclose(got, reference[1:], rtol=1e-12)
    assert float(rows[2]["p_value"]) == pytest.approx(1 / 3, rel=1e-12)
    assert summary["outliers"] == [] and summary["null_exact"] is True and summary["null_draws"] == 24


@pytest.mark.parametrize("p,d,draws", [(5, 7, 200), (4, 3, 30)])
def test_every_ordering_is_enumerated_when_p_factorial_fits(tmp_path, p, d, draws):
    x = np.random.default_rng(p * d).standard_normal((p, d)).astype(np.float32)
    rows, summary = spectrum(tmp_path, x, "--permutations", str(draws))
    np.testing.assert_allclose([float(r["p_value"]) for r in rows[1:]], permutation_p_values(x, draws)[1:], rtol=1e-12)
    assert summary["null_exact"] is True and summary["null_draws"] == np.prod(range(1, p + 1))


def test_drawn_permutations_with_ties_follow_the_documented_rule(tmp_path):
    # 6! = 720 orderings > 200 draws: about 72 of 720 orderings alternate, so p ≈ 0.1, never 1/601.
    x = alternating(6, 8, 2)
    rows, summary = spectrum(tmp_path, x, "--seed", "3")
    reference = permutation_p_values(x, 200, seed=3)
    np.testing.assert_allclose([float(r["p_value"]) for r in rows[1:]], reference[1:], rtol=1e-9)
    assert float(rows[3]["p_value"]) > 0.05 and summary["outliers"] == [] and summary["null_exact"] is False


def test_drawn_permutations_find_a_planted_period(tmp_path):
    rng = np.random.default_rng(5)
    p, d = 40, 24
    t = np.arange(p)[:, None]
    x = (0.3 * rng.standard_normal((p, d)) + np.cos(2 * np.pi * t / 5 + rng.uniform(0, 6.3, d))).astype(np.float32)
    rows, summary = spectrum(tmp_path, x, "--seed", "9")
    reference = permutation_p_values(x, 200, seed=9)
    np.testing.assert_allclose([float(r["p_value"]) for r in rows[1:]], reference[1:], rtol=1e-9)
    assert [o["k"] for o in summary["outliers"]] == [8]
