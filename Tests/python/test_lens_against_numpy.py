"""End to end: `fourierlens lens` on the MiniLM demo dump equals numpy on the same file."""
import csv

import h5py
import numpy as np
from scipy.special import log_softmax

from report_helpers import DEMO, fourierlens


def test_lens_layers_equal_numpy(tmp_path):
    out = tmp_path / "lens"
    fourierlens("lens", DEMO, "--out", str(out), "--quiet")
    with open(out / "lens_layers.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    with h5py.File(DEMO) as f:
        w_u = f["weights/W_U"][...].astype(np.float64)
        columns = {int(t): c for c, t in enumerate(f["weights/vocab_ids"][...])}
        ids, values = f["tokens/ids"][...], f["tokens/values"][...]
        answers = f["prompts/answer"][...]
        token_of = dict(zip(values, ids))
        acts = [f[f"acts/blocks.{l}.hook_resid_post"][...].astype(np.float64) for l in range(6)]
    answer_columns = np.array([columns[token_of[a]] for a in answers])
    number_columns = np.array([columns[t] for t in ids[np.argsort(values)]])
    final = log_softmax(acts[5] @ w_u, axis=1)
    n = len(answers)
    for layer, row in enumerate(rows):
        logits = acts[layer] @ w_u
        logp = log_softmax(logits, axis=1)
        answer_logit = logits[np.arange(n), answer_columns]
        rank = 1 + (logits > answer_logit[:, None]).sum(axis=1)
        entropy = -(np.exp(logp) * logp).sum(axis=1)
        kl = (np.exp(final) * (final - logp)).sum(axis=1)
        predicted = np.sort(values)[np.argmax(logits[:, number_columns], axis=1)]
        assert int(row["layer"]) == layer and row["site"] == "resid_post"
        assert float(row["acc_exact"]) == (predicted == answers).mean()
        assert float(row["acc_pm10"]) == (np.abs(predicted - answers) <= 10).mean()
        assert abs(float(row["mean_answer_rank"]) - rank.mean()) < 1e-9
        np.testing.assert_allclose(float(row["mean_answer_logprob"]), logp[np.arange(n), answer_columns].mean(), rtol=1e-4)
        np.testing.assert_allclose(float(row["mean_entropy"]), entropy.mean(), rtol=1e-4)
        np.testing.assert_allclose(float(row["mean_kl_to_final"]), kl.mean(), rtol=1e-3, atol=1e-6)
