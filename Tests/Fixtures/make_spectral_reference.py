"""Computes the numpy/scipy reference values the Swift spectral tests compare against, and
writes them to Tests/Fixtures/spectral_reference.json (committed).

    .venv/bin/python Tests/Fixtures/make_spectral_reference.py

Inputs are stored as float32 values (exact in JSON), so both sides see the same matrices.
"""
import json
import os

import numpy as np
from scipy import stats

rng = np.random.default_rng(521)
cases = []
for p, d, center in ((37, 5, False), (37, 5, True), (64, 7, False), (64, 7, True), (300, 3, True)):
    x = (rng.standard_normal((p, d)) + np.arange(d)).astype(np.float32)
    y = x.astype(np.float64)
    if center:
        y = y - y.mean(axis=0)
    coefficients = np.fft.rfft(y, axis=0)
    energy = (np.abs(coefficients) ** 2).sum(axis=1)
    weights = np.full(len(energy), 2.0 / p)
    weights[0] = 1.0 / p
    if p % 2 == 0:
        weights[-1] = 1.0 / p
    basis = energy * weights
    cases.append({
        "p": p, "d": d, "center": center, "matrix": x.ravel().tolist(),
        "magnitude": np.sqrt(energy).tolist(),
        "energy_fraction": (basis / basis.sum()).tolist(),
        "cos_fraction": ((coefficients.real ** 2).sum(axis=1) * weights / basis.sum()).tolist(),
        "frobenius_squared": float((y ** 2).sum()),
    })

rows = (rng.standard_normal((6, 50)) + np.sin(2 * np.pi * 5 * np.arange(50) / 50)).astype(np.float32)
row_coefficients = np.fft.rfft(rows.astype(np.float64), axis=1)
row_case = {
    "rows": 6, "p": 50, "matrix": rows.ravel().tolist(),
    "mean_magnitude": np.abs(row_coefficients).mean(axis=0).tolist(),
    "magnitude_of_mean": np.abs(row_coefficients.mean(axis=0)).tolist(),
}

p_values = [0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459, 0.3240, 0.4262, 0.5719, 0.6528, 0.7590, 1.0]
by_case = {"p_values": p_values, "q_values": stats.false_discovery_control(p_values, method="by").tolist()}

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "spectral_reference.json")
with open(out, "w") as f:
    json.dump({"spectra": cases, "row_spectra": row_case, "benjamini_yekutieli": by_case}, f, indent=1)
    f.write("\n")
print(f"wrote {out}")
