"""End to end: `fourierlens lens` on the MiniLM demo dump equals numpy on the same file."""
import csv
import json

import h5py
import numpy as np
import pytest
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


def standing_out(magnitude, p, trend_period=20.0, window=10, threshold=5.0, limit=3):
    """The documented rule: k ≥ ⌈p/20⌉; residual from the running median over k ± 10 (within
    those k); z = (r − median) / (1.4826 MAD) of the residuals; z ≥ 5; strongest three."""
    first, count = int(np.ceil(p / trend_period)), len(magnitude)
    residual = np.array([magnitude[k] - np.median(magnitude[max(first, k - window):min(count, k + window + 1)])
                         for k in range(first, count)])
    centre = np.median(residual)
    z = (residual - centre) / (1.4826 * np.median(np.abs(residual - centre)))
    order = [i for i in np.argsort(-z, kind="stable") if z[i] >= threshold][:limit]
    return [p / (first + i) for i in order]


def test_lens_top_periods_stand_out_and_are_never_the_trend(tmp_path):
    out = tmp_path / "lens"
    fourierlens("lens", DEMO, "--out", str(out), "--quiet")
    summary = json.loads((out / "summary.json").read_text())
    with h5py.File(DEMO) as f:
        w_u = f["weights/W_U"][...].astype(np.float64)
        columns = {int(t): c for c, t in enumerate(f["weights/vocab_ids"][...])}
        ids, values = f["tokens/ids"][...], f["tokens/values"][...]
        w_num = w_u[:, [columns[int(t)] for t in ids[np.argsort(values)]]]
        acts = [f[f"acts/blocks.{l}.hook_resid_post"][...].astype(np.float64) for l in range(6)]
    p = w_num.shape[1]
    for layer, row in enumerate(summary["rows"]):
        logits = acts[layer] @ w_num
        magnitude = np.abs(np.fft.rfft(logits - logits.mean(axis=1, keepdims=True), axis=1)).mean(axis=0)
        want = standing_out(magnitude, p)
        assert row["top_periods"] == pytest.approx(want, rel=1e-9), layer
        assert all(t <= 20 for t in row["top_periods"]) and len(row["top_periods"]) >= 1
    assert any(5.0 in row["top_periods"] for row in summary["rows"])
