"""End to end: what `fourierlens spectrum` writes equals numpy on the same float16 file."""
import csv

import h5py
import numpy as np

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
    assert abs(sum(float(r["energy_fraction"]) for r in rows) - 1) < 1e-9
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
