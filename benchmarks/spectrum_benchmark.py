"""`fourierlens spectrum` against the h5py + scipy.fft pipeline a researcher would write, side
by side in one run, on a float16 [1000 × 4096] matrix with 200 permutations.

    make bench        (or: .venv/bin/python benchmarks/spectrum_benchmark.py [--rows 1000 --cols 4096])

Prints wall time (best of --repeats) and peak resident memory of each, and their ratios.
"""
import argparse
import os
import sys
import tempfile

import h5py
import numpy as np

from bench_common import numpy_environment, print_best, run

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
TOOL = os.environ.get("FOURIERLENS_BIN", os.path.join(REPO, ".build", "release", "fourierlens"))

# The reference pipeline: what one writes in a notebook for the same analysis (read, sort by
# value, rfft along the numbers with both cores, a permutation null, z-scores, pooled p-values
# with the per-frequency floor, Benjamini–Yekutieli), run in its own process so its memory is
# measured alone.
PIPELINE = r'''
import sys, h5py, numpy as np, scipy.fft, scipy.stats
path, out, draws = sys.argv[1], sys.argv[2], int(sys.argv[3])
with h5py.File(path) as f:
    x = f["weights/W_E"][...].astype(np.float32)
    values = f["tokens/values"][...]
x = x[np.argsort(values)]
magnitude = np.linalg.norm(scipy.fft.rfft(x, axis=0, workers=2), axis=1)
rng = np.random.default_rng(0)
null = np.empty((draws, magnitude.size))
for i in range(draws):
    null[i] = np.linalg.norm(scipy.fft.rfft(x[rng.permutation(len(x))], axis=0, workers=2), axis=1)
mean, sd = null.mean(axis=0), null.std(axis=0, ddof=1)
z = (magnitude[1:] - mean[1:]) / sd[1:]
pooled = np.sort(((null[:, 1:] - mean[1:]) / sd[1:]).ravel())
p = (1 + pooled.size - np.searchsorted(pooled, z, side="left")) / (1 + pooled.size)
reach = (null[:, 1:] >= magnitude[1:]).sum(axis=0)  # the per-k floor of docs/METHODS.md
p = np.maximum(p, reach / (1 + draws))
q = scipy.stats.false_discovery_control(p, method="by")
np.savetxt(out, np.column_stack([np.arange(1, magnitude.size), magnitude[1:], z, p, q]), delimiter=",")
'''


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--cols", type=int, default=4096)
    parser.add_argument("--permutations", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="fourierlens-bench-")
    dump = os.path.join(work, "bench.h5")
    rng = np.random.default_rng(1)
    x = rng.standard_normal((args.rows, args.cols))
    n = np.arange(args.rows)[:, None]
    x += 2 * np.cos(2 * np.pi * n / 10 + rng.uniform(0, 2 * np.pi, args.cols))
    with h5py.File(dump, "w") as f:
        f.attrs["schema"] = "fourierlens/1"
        f["weights/W_E"] = x.astype(np.float16)
        f["tokens/values"] = np.arange(args.rows)

    env = numpy_environment()
    reference = [sys.executable, "-c", PIPELINE, dump, os.path.join(work, "ref.csv"), str(args.permutations)]
    ours = [TOOL, "spectrum", dump, "--permutations", str(args.permutations), "--out", os.path.join(work, "report"),
            "--force", "--quiet"]
    # The pipeline writes a CSV; ours also its page, SVG, and the chart as print PNG and PDF
    # (rsvg-convert). Without the PNG/PDF copies (--no-figures) it still writes page and SVG.
    svg_only = [*ours[:-2], "--no-figures", "--force", "--quiet"]
    results = {"scipy pipeline": [], "fourierlens": [], "--no-figures": []}
    for _ in range(args.repeats):
        results["scipy pipeline"].append(run(reference, env))
        results["fourierlens"].append(run(ours))
        results["--no-figures"].append(run(svg_only))
    print(f"spectrum of float16 [{args.rows} x {args.cols}], {args.permutations} permutations, best of {args.repeats}")
    print_best(results, "scipy pipeline")
    t_ref = min(t for t, _ in results["scipy pipeline"])
    for name in ("fourierlens", "--no-figures"):
        print(f"  time ratio {name}: {min(t for t, _ in results[name]) / t_ref:.3f}x the pipeline")


if __name__ == "__main__":
    main()
