"""`fourierlens lens` against the numpy pipeline that does the same (h5py + matmul +
log-softmax + argpartition), side by side in one run, at GPT-2 small's sizes: L = 12 layers,
3 sites, N = 512 prompts, d = 768, V = 50257, float16 activations.

    .venv/bin/python benchmarks/lens_benchmark.py [--layers 12 --prompts 512 --vocab 50257]

Prints the wall time and peak memory of both, and the lens's sgemm rate against OpenBLAS's raw
rate on this machine (`fourierlens benchmark-sgemm`).
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

import h5py
import numpy as np

from bench_common import numpy_environment, run

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
TOOL = os.environ.get("FOURIERLENS_BIN", os.path.join(REPO, ".build", "release", "fourierlens"))

PIPELINE = r'''
import sys, h5py, numpy as np
from scipy.special import log_softmax
path, layers, k = sys.argv[1], int(sys.argv[2]), 10
with h5py.File(path) as f:
    w_u = f["weights/W_U"][...].astype(np.float32)
    ids, values = f["tokens/ids"][...], f["tokens/values"][...]
    answers = f["prompts/answer"][...]
    token_of = dict(zip(values, ids))
    answer_ids = np.array([token_of[a] for a in answers])
    number_ids = ids[np.argsort(values)]
    n = len(answers)
    final = log_softmax(f[f"acts/blocks.{layers - 1}.hook_resid_post"][...].astype(np.float32) @ w_u, axis=1)
    final_p = np.exp(final)
    rows = []
    for layer in range(layers):
        for site in ("attn_out", "mlp_out", "resid_post"):
            h = f[f"acts/blocks.{layer}.hook_{site}"][...].astype(np.float32)
            logits = h @ w_u
            logp = log_softmax(logits, axis=1)
            answer_logit = logits[np.arange(n), answer_ids]
            rank = 1 + (logits > answer_logit[:, None]).sum(axis=1)
            entropy = -(np.exp(logp) * logp).sum(axis=1)
            kl = (final_p * (final - logp)).sum(axis=1)
            top = np.argpartition(-logits, k, axis=1)[:, :k]
            predicted = np.sort(values)[np.argmax(logits[:, number_ids], axis=1)]
            rows.append((rank.mean(), entropy.mean(), kl.mean(), (predicted == answers).mean(), top[0, 0]))
print(len(rows))
'''


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--layers", type=int, default=12)
    parser.add_argument("--prompts", type=int, default=512)
    parser.add_argument("--d", type=int, default=768)
    parser.add_argument("--vocab", type=int, default=50257)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="fourierlens-lens-bench-")
    dump = os.path.join(work, "bench.h5")
    rng = np.random.default_rng(5)
    numbers = 1000
    with h5py.File(dump, "w") as f:
        f.attrs["schema"] = "fourierlens/1"
        f["weights/W_U"] = (rng.standard_normal((args.d, args.vocab)) * 0.05).astype(np.float16)
        f["tokens/ids"] = np.arange(numbers) + 200
        f["tokens/values"] = np.arange(numbers)
        f.create_dataset("prompts/answer", data=rng.integers(0, numbers, args.prompts)).attrs["kind"] = "value"
        for layer in range(args.layers):
            for site in ("attn_out", "mlp_out", "resid_post"):
                f[f"acts/blocks.{layer}.hook_{site}"] = rng.standard_normal((args.prompts, args.d)).astype(np.float16)
    env = numpy_environment()
    reference = [sys.executable, "-c", PIPELINE, dump, str(args.layers)]
    t_ref, m_ref = run(reference, env)
    out = os.path.join(work, "report")
    ours = subprocess.run(["/usr/bin/time", "-f", "%e %M", TOOL, "lens", dump, "--out", out, "--force"],
                          capture_output=True, text=True)
    if ours.returncode != 0:
        sys.exit(ours.stderr)
    rate = float(re.search(r"\(([\d.]+) GFLOP/s\)", ours.stderr).group(1))
    seconds, kib = ours.stderr.strip().splitlines()[-1].split()
    # The same run without the charts' print copies (PNG, PDF): the lens and its page, SVG and CSV.
    svg_only = subprocess.run(["/usr/bin/time", "-f", "%e %M", TOOL, "lens", dump, "--no-figures", "--out", out, "--force"],
                              capture_output=True, text=True)
    if svg_only.returncode != 0:
        sys.exit(svg_only.stderr)
    svg_seconds = float(svg_only.stderr.strip().splitlines()[-1].split()[0])
    raw = float(subprocess.run([TOOL, "benchmark-sgemm", "--m", str(64 * 3 * args.layers + 64), "--n", "4096", "--k", str(args.d)],
                               capture_output=True, text=True).stdout)
    print(f"logit lens, L={args.layers} x 3 sites, N={args.prompts}, d={args.d}, V={args.vocab}, float16 activations")
    print(f"  numpy pipeline  {t_ref:8.2f} s   peak RSS {m_ref:8.1f} MiB")
    print(f"  fourierlens     {float(seconds):8.2f} s   peak RSS {int(kib) / 1024:8.1f} MiB")
    print(f"  --no-figures    {svg_seconds:8.2f} s")
    print(f"  time ratio (ours / numpy): {float(seconds) / t_ref:.3f}x, {svg_seconds / t_ref:.3f}x with --no-figures; "
          f"memory ratio (ours / numpy): {int(kib) / 1024 / m_ref:.2f}")
    flops = 2.0 * args.prompts * 3 * args.layers * args.d * args.vocab
    print(f"  sgemm floor at the raw rate: {flops / (raw * 1e9):.2f} s = {flops / (raw * 1e9) / t_ref:.3f}x numpy's time")
    print(f"  sgemm inside the lens: {rate:.1f} GFLOP/s; raw OpenBLAS sgemm: {raw:.1f} GFLOP/s ({100 * rate / raw:.0f}%)")


if __name__ == "__main__":
    main()
