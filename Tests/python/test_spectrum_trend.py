"""The slow trend apart from periodic features: a period-10 feature on a strong linear trend over
p = 300 numbers is the periodic outlier and the key set by gap ({k = 30}), while the trend's low k
(periods 300, 150, …) are listed as trend; both stay in spectrum.csv with a `trend` flag, and
--trend-period 0 gives the old, trend-dominated key set ({k = 1})."""
import csv
import json
import os

import h5py
import numpy as np

from report_helpers import fourierlens

P, D = 300, 32


def trend_dump(path):
    rng = np.random.default_rng(1)
    x = np.arange(P)
    matrix = (np.outer((x - P / 2) / P * 6, rng.standard_normal(D))
              + 0.7 * np.outer(np.cos(2 * np.pi * x / 10), rng.standard_normal(D)) + 0.3 * rng.standard_normal((P, D)))
    with h5py.File(path, "w") as f:
        f.attrs["schema"] = "fourierlens/1"
        f["weights/W_E"] = matrix.astype(np.float32)
        f["tokens/ids"] = x
        f["tokens/values"] = x
    return str(path)


def spectrum(dump, out, *flags):
    fourierlens("spectrum", dump, "--permutations", "100", "--out", str(out), "--quiet", "--no-figures", *flags)
    with open(os.path.join(out, "summary.json")) as f:
        return json.load(f)


def test_the_trend_is_listed_apart_from_periodic_outliers(tmp_path):
    dump = trend_dump(tmp_path / "trend.h5")
    summary = spectrum(dump, tmp_path / "s")
    assert summary["options"]["trend_period"] == 20 and summary["first_periodic"] == 15
    assert [o["k"] for o in summary["outliers"]][:1] == [30] and all(o["k"] >= 15 for o in summary["outliers"])
    assert 1 in [o["k"] for o in summary["trend_outliers"]] and all(o["k"] < 15 for o in summary["trend_outliers"])
    assert summary["outlier_periods"][0] == 10
    assert summary["key_set_gap"]["frequencies"] == [30]
    with open(tmp_path / "s" / "spectrum.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["trend"] for r in rows[1:16]] == ["true"] * 14 + ["false"]
    assert rows[1]["outlier"] == "true"  # the trend's outliers are still in the CSV
    page = (tmp_path / "s" / "index.html").read_text(encoding="utf-8")
    assert "Periodic outlier frequencies" in page and "Slow-trend outliers" in page


def test_no_trend_cut_keeps_every_frequency_periodic(tmp_path):
    dump = trend_dump(tmp_path / "trend.h5")
    summary = spectrum(dump, tmp_path / "s", "--trend-period", "0")
    assert summary["first_periodic"] == 1 and summary["trend_outliers"] == []
    assert summary["key_set_gap"]["frequencies"] == [1]  # what the trend does to an uncut key set
    assert 1 in [o["k"] for o in summary["outliers"]]


def test_compare_separates_the_trend_on_both_sides(tmp_path):
    dump = trend_dump(tmp_path / "trend.h5")
    out = tmp_path / "c"
    fourierlens("compare", dump, "--random", "gaussian", "--permutations", "50", "--out", str(out), "--quiet", "--no-figures")
    summary = json.load(open(out / "summary.json"))
    assert summary["a"]["key_set_gap"]["frequencies"] == [30]
    assert all(o["k"] >= 15 for o in summary["a"]["outliers"])
    with open(out / "compare.csv", newline="") as f:
        assert "trend" in next(csv.reader(f))
