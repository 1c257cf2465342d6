"""End to end: what `fourierlens spectrum` writes equals numpy on the same float16 file."""
import csv
import json

import h5py
import numpy as np
import pytest

from report_helpers import DEMO, fourierlens


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def test_spectrum_csv_equals_numpy_rfft(tmp_path):
    out = tmp_path / "spectrum"
    fourierlens("spectrum", DEMO, "--center", "--out", str(out), "--quiet")
    rows = read_csv(out / "spectrum.csv")
    with h5py.File(DEMO) as f:
        values = f["tokens/values"][...]
        embeddings = f["weights/W_E"][...].astype(np.float64)[np.argsort(values)]
    centred = embeddings - embeddings.mean(axis=0)
    magnitude = np.linalg.norm(np.fft.rfft(centred, axis=0), axis=1)
    got = np.array([float(r["magnitude"]) for r in rows])
    np.testing.assert_allclose(got[1:], magnitude[1:], rtol=1e-5)
    assert [int(r["k"]) for r in rows] == list(range(151))
    assert rows[0]["energy_fraction"] == "" and abs(sum(float(r["energy_fraction"]) for r in rows[1:]) - 1) < 1e-9
    outliers = {round(float(r["period"]), 6) for r in rows if r["outlier"] == "true"}
    assert {2.0, 2.5, 5.0, 10.0} <= outliers


def test_layer_spectrum_equals_numpy(tmp_path):
    out = tmp_path / "layer"
    fourierlens("spectrum", DEMO, "--dataset", "/acts/blocks.3.hook_resid_post", "--null", "none", "--out", str(out), "--quiet")
    rows = read_csv(out / "spectrum.csv")
    with h5py.File(DEMO) as f:
        x = f["acts/blocks.3.hook_resid_post"][...].astype(np.float64)[np.argsort(f["prompts/values"][...])]
    magnitude = np.linalg.norm(np.fft.rfft(x, axis=0), axis=1)
    np.testing.assert_allclose([float(r["magnitude"]) for r in rows], magnitude, rtol=1e-5)
    assert all(r["z"] == "" and r["outlier"] == "false" for r in rows)


def test_key_share_and_split_are_sums_of_the_table(tmp_path):
    """One definition: every share is of the energy at k ≥ 1, in the table and the summary alike."""
    out = tmp_path / "shares"
    fourierlens("spectrum", DEMO, "--null", "none", "--out", str(out), "--quiet")
    rows = read_csv(out / "spectrum.csv")
    summary = json.loads((out / "summary.json").read_text())
    with h5py.File(DEMO) as f:
        x = f["weights/W_E"][...].astype(np.float64)[np.argsort(f["tokens/values"][...])]
    p = x.shape[0]
    energy = (np.abs(np.fft.rfft(x, axis=0)) ** 2).sum(axis=1) * np.r_[1, np.full(p // 2 - 1, 2), 1] / p
    share = energy[1:] / energy[1:].sum()
    table = np.array([float(r["energy_fraction"]) for r in rows[1:]])
    np.testing.assert_allclose(table, share, rtol=1e-4, atol=1e-9)
    keys = summary["key_frequencies"]
    assert keys == [30, 60, 120, 150]
    assert summary["key_energy_fraction"] == pytest.approx(table[np.array(keys) - 1].sum(), rel=1e-9)
    assert summary["key_energy_fraction"] == pytest.approx(share[np.array(keys) - 1].sum(), rel=1e-4)
    tau = summary["tau"]
    assert summary["low_fraction"] == pytest.approx(table[: tau - 1].sum(), rel=1e-9)
    assert summary["high_fraction"] == pytest.approx(table[tau - 1:].sum(), rel=1e-6)
    assert summary["constant_fraction"] == pytest.approx(energy[0] / energy.sum(), rel=1e-4)


def test_unembedding_spectrum_reads_the_number_columns(tmp_path):
    """--dataset /weights/W_U: the number tokens' columns of W_U [d × V], as rows, in number order."""
    out = tmp_path / "unembedding"
    fourierlens("spectrum", DEMO, "--dataset", "/weights/W_U", "--null", "none", "--out", str(out), "--quiet")
    rows = read_csv(out / "spectrum.csv")
    with h5py.File(DEMO) as f:
        values, ids = f["tokens/values"][...], f["tokens/ids"][...]
        w_u = f["weights/W_U"][...]
        # The demo keeps only the number tokens' columns, in /tokens order.
        columns = (w_u if w_u.shape[1] == len(ids) else w_u[:, ids]).T.astype(np.float64)[np.argsort(values)]
    magnitude = np.linalg.norm(np.fft.rfft(columns, axis=0), axis=1)
    np.testing.assert_allclose([float(r["magnitude"]) for r in rows], magnitude, rtol=1e-5)
