"""An independent numpy analysis of the causal demo model's key frequencies, written without
FourierLens: the tests compare its answer with `fourierlens spectrum`'s key set.

Three views of one model (p numbers, frequencies k = 1..(p-1)/2, energies in the orthonormal basis):
  - W_E: the number embeddings' energy per k along the number axis (columns centred);
  - W_U: the same for the unembedding's number rows;
  - the logits: over all p² inputs (a, b) and the p number outputs c, the share of the logits'
    variance on cos/sin(2πk(a + b − c)/p) — Nanda et al.'s algorithm — from the 3-D DFT at
    (k, k, −k) and its mirror.
Each view's key set is cut at the largest ratio between consecutive sorted energies among the
strongest half (a gap of at least 2), and the smallest set reaching 90% of the energy.

    .venv/bin/python probes/modular/key_frequencies_numpy.py [--model probes/modular/model] [--json OUT]
"""
import argparse
import json
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def energies_along_numbers(matrix):
    """Energy per k = 0..p//2 of the DFT along axis 0, orthonormal-basis weights (k=0 and p/2: 1/p, else 2/p)."""
    p = matrix.shape[0]
    centred = matrix - matrix.mean(axis=0)
    energy = (np.abs(np.fft.rfft(centred, axis=0)) ** 2).sum(axis=1)
    weights = np.full(len(energy), 2.0 / p)
    weights[0] = 1.0 / p
    if p % 2 == 0:
        weights[-1] = 1.0 / p
    return energy * weights


def key_set_by_gap(energy, minimum_ratio=2.0):
    """energy[k], k = 0..; k = 0 is left out. None when no ratio reaches minimum_ratio."""
    ks = np.arange(1, len(energy))
    order = ks[np.lexsort((ks, -energy[1:]))]  # decreasing energy, ties by lower k
    ratios = [energy[order[j]] / energy[order[j + 1]] if energy[order[j + 1]] > 0 else np.inf
              for j in range(max(1, len(order) // 2))]
    best = int(np.argmax(ratios))
    if ratios[best] < minimum_ratio:
        return None
    return sorted(int(k) for k in order[:best + 1])


def key_set_by_fraction(energy, fraction=0.9):
    ks = np.arange(1, len(energy))
    order = ks[np.lexsort((ks, -energy[1:]))]
    cumulative = np.cumsum(energy[order]) / energy[1:].sum()
    count = int(np.searchsorted(cumulative, fraction - 1e-15) + 1)
    return sorted(int(k) for k in order[:count])


def model_logits(model_dir, p):
    """The number logits [p, p, p] at the "=" position of every "a + b =" (torch, for the forward only)."""
    import torch
    from transformers import GPT2LMHeadModel

    model = GPT2LMHeadModel.from_pretrained(model_dir, local_files_only=True).eval()
    a, b = np.meshgrid(np.arange(p), np.arange(p), indexing="ij")
    tokens = np.stack([a.ravel(), np.full(p * p, p), b.ravel(), np.full(p * p, p + 1)], axis=1)
    with torch.no_grad():
        logits = model(torch.tensor(tokens)).logits[:, -1, :p].double().numpy()
    return logits.reshape(p, p, p)


def logit_energies(logits):
    """Energy per k of the logits' (a + b − c) components: |L̂[k, k, −k]|² + |L̂[−k, −k, k]|², over p³."""
    p = logits.shape[0]
    spectrum = np.fft.fftn(logits - logits.mean())
    energy = np.zeros(p // 2 + 1)
    for k in range(1, p // 2 + 1):
        energy[k] = (abs(spectrum[k, k, -k % p]) ** 2 + abs(spectrum[-k % p, -k % p, k]) ** 2) / p ** 3
    total = ((logits - logits.mean()) ** 2).sum()
    return energy, total


def analyse(model_dir):
    from safetensors.numpy import load_file

    with open(os.path.join(model_dir, "training.json")) as f:
        p = json.load(f)["p"]
    weights = load_file(os.path.join(model_dir, "model.safetensors"))
    w_e = weights["transformer.wte.weight"][:p].astype(np.float64)
    w_u = weights["lm_head.weight"][:p].astype(np.float64)
    result = {"p": p}
    for name, energy in (("W_E", energies_along_numbers(w_e)), ("W_U", energies_along_numbers(w_u))):
        result[name] = {"key_set_gap": key_set_by_gap(energy), "key_set_fraction": key_set_by_fraction(energy),
                        "energy": energy.tolist()}
    energy, total = logit_energies(model_logits(model_dir, p))
    gap = key_set_by_gap(energy)
    result["logits"] = {"key_set_gap": gap, "energy": energy.tolist(),
                        "share_of_variance_in_key_set": float(energy[gap].sum() / total) if gap else None,
                        "share_of_variance_in_all_a_plus_b_minus_c": float(energy.sum() / total)}
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default=os.path.join(HERE, "model"))
    parser.add_argument("--json")
    args = parser.parse_args()
    result = analyse(args.model)
    for view in ("W_E", "W_U", "logits"):
        print(f"{view}: key set by gap {result[view]['key_set_gap']}")
    print(f"logits: share of variance on cos/sin(2πk(a+b−c)/p) for the key set: {result['logits']['share_of_variance_in_key_set']}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
