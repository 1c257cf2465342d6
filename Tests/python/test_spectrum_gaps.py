"""Numbers with gaps (--allow-gaps): the spectrum is a non-uniform DFT at the numbers' own values,
frequencies k/P over their full range P = max − min + 1, equal to numpy's direct sum; a planted
period-10 feature on numbers 5..188 with 143 of them present is found at k = P/10, not at the
row-index frequency 143/10; the page says so and summary.json records allow_gaps and the transform."""
import csv
import json
import os

import h5py
import numpy as np

from report_helpers import fourierlens

D = 32


def gap_dump(path, seed=0):
    rng = np.random.default_rng(seed)
    values = np.sort(rng.choice(np.arange(5, 189), 143, replace=False))
    values[0], values[-1] = 5, 188
    values = np.unique(values)
    while len(values) < 143:  # keep 143 distinct numbers with both ends
        values = np.unique(np.append(values, rng.integers(6, 188)))
    signal = np.outer(np.cos(2 * np.pi * values / 10), rng.standard_normal(D)) * 1.5
    matrix = signal + rng.standard_normal((len(values), D))
    order = rng.permutation(len(values))  # rows stored out of order
    with h5py.File(path, "w") as f:
        f.attrs["schema"] = "fourierlens/1"
        f["weights/W_E"] = matrix[order].astype(np.float32)
        f["tokens/ids"] = np.arange(len(values))
        f["tokens/values"] = values[order]
    return str(path), values, matrix.astype(np.float32).astype(np.float64)


def test_the_spectrum_over_gaps_is_the_direct_sum_at_the_values(tmp_path):
    dump, values, matrix = gap_dump(tmp_path / "gaps.h5")
    assert len(values) == 143 and values.min() == 5 and values.max() == 188
    out = tmp_path / "s"
    fourierlens("spectrum", dump, "--allow-gaps", "--out", str(out), "--quiet", "--no-figures")
    summary = json.load(open(out / "summary.json"))
    big_p = 188 - 5 + 1
    assert summary["transform"] == "nonuniform_dft" and summary["options"]["allow_gaps"] is True
    assert summary["input"]["p"] == big_p and summary["input"]["numbers"] == 143
    ks = np.arange(big_p // 2 + 1)
    direct = np.exp(-2j * np.pi * np.outer(ks, values - values.min()) / big_p) @ matrix
    magnitude = np.sqrt((np.abs(direct) ** 2).sum(axis=1))
    with open(out / "spectrum.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == big_p // 2 + 1
    np.testing.assert_allclose([float(r["magnitude"]) for r in rows], magnitude, rtol=1e-4)
    # Period 10 lands at k = 184/10 = 18.4 on the full range (rows re-indexed would put it at 143/10 ≈ 14).
    strongest = max(summary["outliers"], key=lambda o: o["magnitude"])
    assert strongest["k"] == 18 and {o["k"] for o in summary["outliers"]} <= {18, 19}
    assert abs(strongest["period"] - 10) < 0.3
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "non-uniform DFT" in page and "143 numbers" in page


def test_contiguous_numbers_are_unchanged_by_the_flag(tmp_path):
    path = str(tmp_path / "c.h5")
    rng = np.random.default_rng(3)
    with h5py.File(path, "w") as f:
        f.attrs["schema"] = "fourierlens/1"
        f["weights/W_E"] = rng.standard_normal((60, 8)).astype(np.float32)
        f["tokens/ids"] = np.arange(60)
        f["tokens/values"] = np.arange(60)
    for name, flags in (("plain", []), ("gaps", ["--allow-gaps"])):
        fourierlens("spectrum", path, *flags, "--out", str(tmp_path / name), "--quiet", "--no-figures")
    for name in ("spectrum.csv", "spectrum_columns.csv"):
        assert (tmp_path / "plain" / name).read_bytes() == (tmp_path / "gaps" / name).read_bytes()
    assert json.load(open(tmp_path / "gaps" / "summary.json"))["transform"] == "dft"
