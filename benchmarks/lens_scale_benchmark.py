"""`fourierlens lens` at scale against the loop a researcher writes with h5py + numpy (one layer at a
time), side by side in one run: L = 48 layers of resid_post, d = 1600, V = 2000, float16
activations, p = 200 number tokens, at N = 2048, 8192 and 32768 prompts. Both compute the same
per-prompt readouts (answer rank and log-prob, entropy, KL to the last layer, the argmax number,
top-10 tokens, the number logits) and write them to an HDF5 file.

    .venv/bin/python benchmarks/lens_scale_benchmark.py [--prompts 2048 8192 32768] [--keep]

Prints wall time and peak resident memory of both per N, their ratios, and how our peak grows
with N. Needs about 7 GB of free disk for N = 32768 (the dump and both outputs).
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

import h5py
import numpy as np

from bench_common import numpy_environment, run

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
TOOL = os.environ.get("FOURIERLENS_BIN", os.path.join(REPO, ".build", "release", "fourierlens"))
LAYERS, D, VOCAB, NUMBERS, TOP = 48, 1600, 2000, 200, 10

LOOP = r'''
import sys, h5py, numpy as np
from scipy.special import log_softmax
path, out, layers, k = sys.argv[1], sys.argv[2], int(sys.argv[3]), 10
with h5py.File(path) as f, h5py.File(out, "w") as o:
    w_u = f["weights/W_U"][...].astype(np.float32)
    ids, values = f["tokens/ids"][...], f["tokens/values"][...]
    answers = f["prompts/answer"][...]
    token_of = dict(zip(values, ids))
    answer_ids = np.array([token_of[a] for a in answers])
    order = np.argsort(values)
    number_ids, number_values = ids[order], values[order]
    n = len(answers)
    final = log_softmax(f[f"acts/blocks.{layers - 1}.hook_resid_post"][...].astype(np.float32) @ w_u, axis=1)
    final_p = np.exp(final)
    for layer in range(layers):
        h = f[f"acts/blocks.{layer}.hook_resid_post"][...].astype(np.float32)
        logits = h @ w_u
        logp = log_softmax(logits, axis=1)
        answer_logit = logits[np.arange(n), answer_ids]
        g = o.create_group(f"layer{layer}")
        g["rank"] = 1 + (logits > answer_logit[:, None]).sum(axis=1)
        g["logprob"] = logp[np.arange(n), answer_ids]
        g["entropy"] = -(np.exp(logp) * logp).sum(axis=1)
        g["kl"] = (final_p * (final - logp)).sum(axis=1)
        top = np.argpartition(-logits, k, axis=1)[:, :k]
        top_logit = np.take_along_axis(logits, top, axis=1)
        sort = np.argsort(-top_logit, axis=1)
        g["top_token"], g["top_logit"] = np.take_along_axis(top, sort, axis=1), np.take_along_axis(top_logit, sort, axis=1)
        numbers = logits[:, number_ids]
        g["predicted"] = number_values[np.argmax(numbers, axis=1)]
        g["number_logits"] = numbers
        g["spectrum"] = np.abs(np.fft.rfft(numbers - numbers.mean(axis=1, keepdims=True), axis=1)).mean(axis=0)
'''


def make_dump(path, prompts):
    rng = np.random.default_rng(5)
    with h5py.File(path, "w") as f:
        f.attrs["schema"] = "fourierlens/1"
        f["weights/W_U"] = (rng.standard_normal((D, VOCAB)) * 0.05).astype(np.float16)
        f["tokens/ids"] = np.arange(NUMBERS) + 300
        f["tokens/values"] = np.arange(NUMBERS)
        f.create_dataset("prompts/answer", data=rng.integers(0, NUMBERS, prompts)).attrs["kind"] = "value"
        for layer in range(LAYERS):
            dataset = f.create_dataset(f"acts/blocks.{layer}.hook_resid_post", (prompts, D), dtype=np.float16)
            for start in range(0, prompts, 4096):
                rows = min(4096, prompts - start)
                dataset[start:start + rows] = rng.standard_normal((rows, D), dtype=np.float32).astype(np.float16)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--prompts", type=int, nargs="+", default=[2048, 8192, 32768])
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="fourierlens-lens-scale-", dir=os.environ.get("BENCH_DIR"))
    env = numpy_environment()
    ours = {}
    print(f"logit lens at scale: L={LAYERS} resid_post, d={D}, V={VOCAB}, p={NUMBERS}, float16 activations")
    print(f"  {'N':>6}  {'numpy s':>8} {'numpy MiB':>10}  {'ours s':>8} {'ours MiB':>9}  {'time ratio':>10} {'memory ratio':>12}")
    try:
        for n in args.prompts:
            dump = os.path.join(work, f"dump{n}.h5")
            make_dump(dump, n)
            t_ref, m_ref = run([sys.executable, "-c", LOOP, dump, os.path.join(work, f"numpy{n}.h5"), str(LAYERS)], env)
            t_ours, m_ours = run([TOOL, "lens", dump, "--out", os.path.join(work, f"ours{n}"), "--force", "--quiet"])
            ours[n] = m_ours
            print(f"  {n:>6}  {t_ref:8.2f} {m_ref:10.1f}  {t_ours:8.2f} {m_ours:9.1f}  {t_ours / t_ref:10.2f} {m_ours / m_ref:12.2f}",
                  flush=True)
            for name in (dump, os.path.join(work, f"numpy{n}.h5"), os.path.join(work, f"ours{n}")):
                if not args.keep:
                    shutil.rmtree(name, ignore_errors=True) if os.path.isdir(name) else os.remove(name)
        smallest = min(ours)
        for n in sorted(ours):
            print(f"  our peak at N={n}: {100 * (ours[n] / ours[smallest] - 1):+.1f}% against N={smallest}")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
