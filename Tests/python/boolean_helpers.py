"""Dumps with a boolean/ group, and the brute-force Fourier reference: the Hadamard matrix."""
import json
import subprocess

import h5py
import numpy as np
import scipy.linalg

from report_helpers import tool


def cube_bits(n):
    """All 2^n strings, row i = the bits of i (bit j in column j)."""
    index = np.arange(1 << n)
    return ((index[:, None] >> np.arange(n)) & 1).astype(np.uint8)


def indices(bits):
    return (bits.astype(np.int64) << np.arange(bits.shape[1])).sum(axis=1)


def write_dump(path, bits, outputs, names=None, acts=None, design=None, pairs=None):
    with h5py.File(path, "w") as f:
        f["boolean/inputs"] = bits
        if design:
            f["boolean/inputs"].attrs["design"] = design
        f["boolean/outputs"] = outputs
        if names is not None:
            f["boolean/output_names"] = names
        for name, values in (acts or {}).items():
            f[f"boolean/acts/{name}"] = values
        if pairs is not None:
            f["boolean/flip_pairs"] = pairs
    return str(path)


def spectrum(values_in_cube_order):
    """f̂(S) for every S by the Hadamard matrix: f̂ = H f / 2^n, H[S, x] = (−1)^{|S ∧ x|}."""
    n = int(np.log2(len(values_in_cube_order)))
    return scipy.linalg.hadamard(1 << n) @ values_in_cube_order / (1 << n)


def degree_energy(coefficients):
    n = int(np.log2(len(coefficients)))
    degrees = np.array([bin(s).count("1") for s in range(1 << n)])
    return np.bincount(degrees, weights=coefficients ** 2, minlength=n + 1)


def run_boolean(dump, out, *args):
    """The summary of `fourierlens boolean` (--json), SVG only."""
    result = subprocess.run([tool(), "boolean", dump, "--out", str(out), "--force", "--no-figures", "--json", *args],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def function(summary, name):
    return next(f for f in summary["functions"] + summary["activations"] if f["name"] == name)
