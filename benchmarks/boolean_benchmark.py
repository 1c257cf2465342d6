"""`fourierlens boolean` against the h5py + numpy pipeline a researcher would write, side by side
in one run: the exact Walsh–Hadamard transform of one output column on the full cube of n = 24
bits (16.8 M values; inputs [2^24 × 24] uint8 in a shuffled row order), with energy by degree,
the top coefficients, the average sensitivity and the noise stability.

    make bench        (or: .venv/bin/python benchmarks/boolean_benchmark.py [--bits 24])

Prints wall time (best of --repeats) and peak resident memory of each, and their ratios.
"""
import argparse
import json
import os
import shutil
import sys
import tempfile

import h5py
import numpy as np

from bench_common import numpy_environment, print_best, run

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
TOOL = os.environ.get("FOURIERLENS_BIN", os.path.join(REPO, ".build", "release", "fourierlens"))

# The reference pipeline: read the bits, compute each row's cube index column by column, put the
# outputs in cube order, a reshape-based vectorised butterfly, then the summaries.
PIPELINE = r'''
import sys, json, h5py, numpy as np
path, out = sys.argv[1], sys.argv[2]
with h5py.File(path) as f:
    bits = f["boolean/inputs"][...]
    y = f["boolean/outputs"][...].astype(np.float64)
n = bits.shape[1]
index = np.zeros(len(bits), dtype=np.int64)
for i in range(n):
    index |= bits[:, i].astype(np.int64) << i
del bits
a = np.empty(1 << n)
a[index] = y
del index, y
h = 1
while h < a.size:
    a = a.reshape(-1, 2, h)
    a = np.stack((a[:, 0] + a[:, 1], a[:, 0] - a[:, 1]), axis=1)
    h *= 2
coefficients = a.reshape(-1) / a.size
degree = np.zeros(coefficients.size, dtype=np.uint8)
for i in range(n):
    degree += ((np.arange(coefficients.size) >> i) & 1).astype(np.uint8)
energy = np.bincount(degree, weights=coefficients ** 2, minlength=n + 1)
top = np.argpartition(-np.abs(coefficients[1:]), 20)[:20] + 1
sensitivity = float((np.arange(n + 1) * energy).sum())
stability = [float((rho ** np.arange(n + 1) * energy).sum()) for rho in (0.5, 0.9)]
json.dump({"energy": energy.tolist(), "average_sensitivity": sensitivity, "stability": stability,
           "top": sorted(top.tolist())}, open(out, "w"))
'''


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bits", type=int, default=24)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    n = args.bits
    work = tempfile.mkdtemp(prefix="fourierlens-bench-")
    dump = os.path.join(work, "cube.h5")
    rng = np.random.default_rng(3)
    order = rng.permutation(1 << n)
    with h5py.File(dump, "w") as f:
        inputs = f.create_dataset("boolean/inputs", shape=(1 << n, n), dtype=np.uint8, chunks=(1 << 16, n))
        outputs = f.create_dataset("boolean/outputs", shape=(1 << n,), dtype=np.float32, chunks=(1 << 16,))
        block = 1 << 20
        for start in range(0, 1 << n, block):
            index = order[start:start + block]
            inputs[start:start + block] = (index[:, None] >> np.arange(n)) & 1
            parity = (-1.0) ** (((index >> 1) ^ (index >> 5) ^ (index >> 9)) & 1)
            outputs[start:start + block] = parity + 0.5 * (1 - 2 * (index & 1)) + 0.1 * rng.standard_normal(index.size)

    reference_out = os.path.join(work, "ref.json")
    reference = [sys.executable, "-c", PIPELINE, dump, reference_out]
    ours = [TOOL, "boolean", dump, "--out", os.path.join(work, "report"), "--force", "--quiet", "--no-figures"]
    results = {"numpy pipeline": [], "fourierlens": []}
    for _ in range(args.repeats):
        results["numpy pipeline"].append(run(reference, numpy_environment()))
        results["fourierlens"].append(run(ours))
    # The same answers: energy by degree and the sensitivity.
    with open(reference_out) as f:
        expected = json.load(f)
    with open(os.path.join(work, "report", "summary.json")) as f:
        got = json.load(f)["functions"][0]
    np.testing.assert_allclose([e["value"] for e in got["degree_energy"]], expected["energy"], rtol=1e-9, atol=1e-15)
    assert abs(got["average_sensitivity"]["value"] - expected["average_sensitivity"]) < 1e-9 * expected["average_sensitivity"]
    shutil.rmtree(work)  # the dump alone is 470 MB at n = 24
    print(f"boolean: exact transform of one column on the full cube, n = {n} ({1 << n} values), best of {args.repeats}")
    print_best(results, "numpy pipeline")


if __name__ == "__main__":
    main()
