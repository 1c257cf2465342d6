"""A small synthetic model for the logit lens, and what numpy says every readout must be.

    .venv/bin/python Tests/Fixtures/make_lens_reference.py OUTDIR

Writes OUTDIR/lens_model.h5 (a dump with known W_U, b_U, final LayerNorm and cached scale, and
per-layer attention and MLP outputs built from planted contributions that promote each prompt's
answer more with depth) and OUTDIR/lens_reference.json (numpy's readouts for the three norm
modes). The vocabulary (1003) is not a multiple of any tile size.
"""
import json
import os
import sys

import h5py
import numpy as np
from scipy.special import log_softmax

out = sys.argv[1] if len(sys.argv) > 1 else "Tests/Fixtures/generated"
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(77)
d, vocab, n, layers, p = 16, 1003, 24, 3, 50
number_ids = np.arange(100, 100 + p)
W_U = rng.standard_normal((d, vocab)).astype(np.float32)
b_U = (0.1 * rng.standard_normal(vocab)).astype(np.float32)
w = (1 + 0.1 * rng.standard_normal(d)).astype(np.float32)
b = (0.1 * rng.standard_normal(d)).astype(np.float32)
eps = 1e-5
answers = rng.integers(0, p, n)
# Direction that promotes each answer's token: its W_U column, normalised.
directions = (W_U[:, number_ids[answers]] / np.linalg.norm(W_U[:, number_ids[answers]], axis=0)).T
resid = rng.standard_normal((n, d)).astype(np.float32)
acts = {}
for layer in range(layers):
    attn = (0.5 * rng.standard_normal((n, d))).astype(np.float32)
    mlp = (1.5 * layer * directions + 0.3 * rng.standard_normal((n, d))).astype(np.float32)
    resid = (resid + attn + mlp).astype(np.float32)
    acts[layer] = {"attn_out": attn, "mlp_out": mlp, "resid_post": resid.copy()}
final = acts[layers - 1]["resid_post"].astype(np.float64)
scale = np.sqrt(final.var(axis=1) + eps).astype(np.float32)

with h5py.File(os.path.join(out, "lens_model.h5"), "w") as f:
    f.attrs["schema"] = "fourierlens/1"
    f.attrs["d_model"] = d
    f.attrs["n_layers"] = layers
    f["tokens/ids"] = number_ids
    f["tokens/values"] = np.arange(p)
    f["tokens/strings"] = np.array([str(v) for v in range(p)], dtype=h5py.string_dtype())
    f["weights/W_U"] = W_U
    f["weights/b_U"] = b_U
    ds = f.create_dataset("weights/ln_final.w", data=w)
    ds.attrs["kind"] = "layernorm"
    ds.attrs["eps"] = eps
    f["weights/ln_final.b"] = b
    f["acts/ln_final.hook_scale"] = scale
    f.create_dataset("prompts/answer", data=answers).attrs["kind"] = "value"
    f["prompts/values"] = np.arange(n)
    for layer in range(layers):
        for site, x in acts[layer].items():
            f[f"acts/blocks.{layer}.hook_{site}"] = x


def normed(x, site, mode):
    x = x.astype(np.float64)
    if mode == "none":
        return x
    mean = x.mean(axis=1, keepdims=True)
    s = scale[:, None] if mode == "cached" else np.sqrt(x.var(axis=1, keepdims=True) + eps)
    y = (x - mean) / s * w
    return y + b if site.startswith("resid") else y


def unembedding_bias(site, mode):
    # b_U, like the norm's bias, belongs to the whole residual: components get neither.
    return b_U if mode != "none" and site.startswith("resid") else 0


reference = {}
for mode in ("none", "cached", "recompute"):
    final_logits = normed(acts[layers - 1]["resid_post"], "resid_post", mode) @ W_U + unembedding_bias("resid_post", mode)
    final_logp = log_softmax(final_logits, axis=1)
    rows = []
    for layer in range(layers):
        for site in ("attn_out", "mlp_out", "resid_post"):
            logits = normed(acts[layer][site], site, mode) @ W_U + unembedding_bias(site, mode)
            logp = log_softmax(logits, axis=1)
            answer_logit = logits[np.arange(n), number_ids[answers]]
            rank = 1 + (logits > answer_logit[:, None]).sum(axis=1)
            entropy = -(np.exp(logp) * logp).sum(axis=1)
            kl = (np.exp(final_logp) * (final_logp - logp)).sum(axis=1)
            top = np.argsort(-logits, axis=1, kind="stable")[:, :5]
            predicted = np.argmax(logits[:, number_ids], axis=1)
            error = np.abs(predicted - answers)
            rows.append({"layer": layer, "site": site, "rank": rank.tolist(), "logprob": logp[np.arange(n), number_ids[answers]].tolist(),
                         "entropy": entropy.tolist(), "kl": kl.tolist(), "top": top.tolist(),
                         "acc_exact": float((error == 0).mean()), "acc_pm2": float((error <= 2).mean()),
                         "acc_pm10": float((error <= 10).mean())})
    reference[mode] = rows
with open(os.path.join(out, "lens_reference.json"), "w") as f:
    json.dump(reference, f)
print(f"wrote {out}/lens_model.h5 and lens_reference.json")
