"""Writes the fuzzer's seed corpus: a few tiny dumps (a few KB each) that reach most of the
reader and the validator: every role, stacked and per-layer activations, float16, chunked and
gzip storage, strings, attributes, soft and external links.

Usage: python Tests/Fuzz/make_seed_corpus.py Tests/Fuzz/corpus
"""
import os
import sys

import h5py
import numpy as np

rng = np.random.default_rng(7)
p, d, n, vocab = 6, 4, 5, 10


def roles(f, dtype="f4"):
    f.attrs["schema"] = "fourierlens/1"
    f.attrs["d_model"] = d
    f.attrs["n_layers"] = 2
    f["weights/W_E"] = rng.standard_normal((p, d)).astype(dtype)
    f["weights/W_U"] = rng.standard_normal((d, vocab)).astype(dtype)
    f["tokens/ids"] = np.arange(p, dtype=np.int64)
    f["tokens/values"] = np.arange(p, dtype=np.int64)
    f["tokens/strings"] = [str(i) for i in range(p)]
    f["prompts/answer"] = np.arange(n, dtype=np.int64) % p
    f["prompts/values"] = np.arange(n, dtype=np.int64)
    f["prompts/text"] = [f"{i}+0=" for i in range(n)]


def write_corpus(out):
    with h5py.File(os.path.join(out, "per_layer.h5"), "w") as f:
        roles(f)
        for layer in range(2):
            f[f"acts/blocks.{layer}.hook_resid_post"] = rng.standard_normal((n, d)).astype("f4")
        w = f.create_dataset("weights/ln_final.w", data=np.ones(d, "f4"))
        w.attrs["kind"] = "layernorm"
        w.attrs["eps"] = 1e-5
        f["acts/ln_final.hook_scale"] = np.ones(n, "f4")

    with h5py.File(os.path.join(out, "stacked_f16_gzip.h5"), "w") as f:
        roles(f, "f2")
        f.create_dataset("acts/mlp_out", data=rng.standard_normal((2, n, 3, d)).astype("f2"),
                         chunks=(1, n, 3, d), compression="gzip", shuffle=True)
        f["prompts/position"] = np.full(n, 2, dtype=np.int64)

    with h5py.File(os.path.join(out, "links.h5"), "w") as f:
        roles(f, ">f8")
        f["acts/blocks.0.hook_attn_out"] = rng.standard_normal((n, d))
        f["alias"] = h5py.SoftLink("/weights")
        f["outside"] = h5py.ExternalLink("links.h5", "/tokens")
        f["dangling"] = h5py.SoftLink("/nowhere")

    with h5py.File(os.path.join(out, "nonfinite.h5"), "w") as f:
        roles(f)
        e = f["weights/W_E"][...]
        e[1, 2], e[3, 0] = np.nan, np.inf
        del f["weights/W_E"]
        f["weights/W_E"] = e
        f["extra/empty"] = np.zeros((0, d), "f4")
        f["extra/scalar"] = np.float64(1e300)


if __name__ == "__main__":
    os.makedirs(sys.argv[1], exist_ok=True)
    write_corpus(sys.argv[1])
