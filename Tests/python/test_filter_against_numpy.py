"""`fourierlens filter` against numpy: the removed subspace's rank, the norm kept, the band shares
before and after, the filtered activations; and the refusal of a removed rank that reaches d_model."""
import csv
import subprocess

import h5py
import numpy as np
import pytest

from report_helpers import DEMO, fourierlens, tool


def band(removed, tau, p):
    return list(range(1, tau)) if removed == "low" else list(range(tau, p // 2 + 1))


def basis_rows(p, ks):
    """The real orthonormal Fourier basis over p points at the frequencies ks."""
    x = np.arange(p)
    rows = []
    for k in ks:
        if 2 * k == p:
            rows.append((-1.0) ** x / np.sqrt(p))
        else:
            rows += [np.sqrt(2 / p) * np.cos(2 * np.pi * k * x / p), np.sqrt(2 / p) * np.sin(2 * np.pi * k * x / p)]
    return np.array(rows)


def energies(logits):
    """Per-k energy of each centred row in the orthonormal basis, summed over rows."""
    p = logits.shape[1]
    power = (np.abs(np.fft.rfft(logits - logits.mean(axis=1, keepdims=True), axis=1)) ** 2).sum(axis=0)
    weights = np.full(len(power), 2.0 / p)
    weights[0] = 1.0 / p
    if p % 2 == 0:
        weights[-1] = 1.0 / p
    return power * weights


def numpy_filter(w_num, acts, removed, tau, ks=None):
    p = w_num.shape[1]
    ks = band(removed, tau, p) if ks is None else ks
    m = basis_rows(p, ks) @ w_num.T
    eigenvalues, vectors = np.linalg.eigh(m.T @ m)
    q = vectors[:, eigenvalues > 1e-10 * eigenvalues.max()]
    filtered = acts - (acts @ q) @ q.T
    before, after = acts @ w_num, filtered @ w_num
    e_before, e_after = energies(before), energies(after)
    total = e_before[1:].sum()
    return {
        "rank": q.shape[1], "filtered": filtered,
        "norm_kept": np.linalg.norm(filtered) / np.linalg.norm(acts),
        "band_share_before": e_before[ks].sum() / total, "band_share_after": e_after[ks].sum() / total,
        "logit_energy_ratio": e_after[1:].sum() / total,
    }


def read_effects(out):
    with open(out / "filter_effect.csv", newline="") as f:
        return list(csv.DictReader(f))


@pytest.mark.parametrize("removed,tau", [("high", 50), ("low", 30)])
def test_demo_filter_equals_numpy(tmp_path, removed, tau):
    out = tmp_path / "f"
    fourierlens("filter", DEMO, "--remove", removed, "--tau", str(tau), "--layers", "0,3", "--out", str(out), "--quiet")
    with h5py.File(DEMO) as f:
        w_u = f["weights/W_U"][...].astype(np.float64)
        column = {int(t): c for c, t in enumerate(f["weights/vocab_ids"][...])}
        ids, values = f["tokens/ids"][...], f["tokens/values"][...]
        w_num = w_u[:, [column[int(t)] for t in ids[np.argsort(values)]]]
        acts = {layer: f[f"acts/blocks.{layer}.hook_resid_post"][...].astype(np.float64) for layer in (0, 3)}
    rows = read_effects(out)
    assert [int(r["layer"]) for r in rows] == [0, 3]
    with h5py.File(out / "filtered.h5") as filtered:
        for row in rows:
            layer = int(row["layer"])
            want = numpy_filter(w_num, acts[layer], removed, tau)
            assert int(row["rank"]) == want["rank"] and int(row["d_model"]) == 384
            for key in ("norm_kept", "band_share_before", "logit_energy_ratio"):
                assert float(row[key]) == pytest.approx(want[key], rel=1e-4), key
            assert abs(float(row["band_share_after"]) - want["band_share_after"]) < 1e-7
            got = filtered[f"acts/blocks.{layer}.hook_resid_post"][...]
            np.testing.assert_allclose(got, want["filtered"], atol=2e-3 * np.abs(want["filtered"]).max())


def small_dump(path, d=8, p=40, n=20):
    rng = np.random.default_rng(4)
    with h5py.File(path, "w") as f:
        f.attrs["schema"] = "fourierlens/1"
        f.attrs["d_model"] = d
        f["tokens/ids"] = np.arange(p)
        f["tokens/values"] = np.arange(p)
        f["weights/W_U"] = rng.standard_normal((d, p)).astype(np.float32)
        f["prompts/answer"] = rng.integers(0, p, n)
        f["acts/blocks.0.hook_mlp_out"] = rng.standard_normal((n, d)).astype(np.float32)
    return path


def test_full_rank_removal_is_refused_unless_allowed(tmp_path):
    dump = str(small_dump(tmp_path / "d8.h5"))
    out = tmp_path / "never"
    refused = subprocess.run([tool(), "filter", dump, "--remove", "high", "--tau", "5", "--out", str(out)],
                             capture_output=True, text=True)
    assert refused.returncode == 2 and not out.exists()
    assert len(refused.stderr.strip().splitlines()) == 1
    assert "rank below d_model = 8, found rank 8" in refused.stderr and "--allow-full-rank" in refused.stderr
    allowed = tmp_path / "allowed"
    fourierlens("filter", dump, "--remove", "high", "--tau", "5", "--allow-full-rank", "--out", str(allowed), "--quiet")
    [row] = read_effects(allowed)
    assert int(row["rank"]) == 8 and float(row["norm_kept"]) < 1e-6
    assert float(row["logit_energy_ratio"]) < 1e-10 and float(row["band_share_after"]) < 1e-10
    assert 0.5 < float(row["band_share_before"]) < 1


def test_high_and_low_split_at_the_same_tau(tmp_path):
    """--remove high takes τ ≤ k ≤ p/2 and --remove low 1 ≤ k < τ: the spectrum's split."""
    dump = str(small_dump(tmp_path / "d40.h5", d=40))
    shares = {}
    for removed in ("low", "high"):
        out = tmp_path / removed
        fourierlens("filter", dump, "--remove", removed, "--tau", "7", "--out", str(out), "--quiet")
        [row] = read_effects(out)
        shares[removed] = float(row["band_share_before"])
    assert shares["low"] + shares["high"] == pytest.approx(1, abs=1e-9)


def demo_inputs(layers):
    with h5py.File(DEMO) as f:
        w_u = f["weights/W_U"][...].astype(np.float64)
        column = {int(t): c for c, t in enumerate(f["weights/vocab_ids"][...])}
        ids, values = f["tokens/ids"][...], f["tokens/values"][...]
        w_num = w_u[:, [column[int(t)] for t in ids[np.argsort(values)]]]
        acts = {layer: f[f"acts/blocks.{layer}.hook_resid_post"][...].astype(np.float64) for layer in layers}
    return w_num, acts


KEY = [30, 60, 120, 150]  # periods 10, 5, 2.5 and 2 over the demo's p = 300 numbers


@pytest.mark.parametrize("option", ["--remove", "--keep"])
def test_a_set_of_frequencies_is_removed_or_kept_as_numpy_does(tmp_path, option):
    """Nanda et al.'s excluded (--remove SET) and restricted (--keep SET) ablations."""
    out = tmp_path / "f"
    fourierlens("filter", DEMO, option, ",".join(map(str, KEY)), "--layers", "1", "--out", str(out), "--quiet")
    w_num, acts = demo_inputs([1])
    removed = KEY if option == "--remove" else [k for k in range(1, 151) if k not in KEY]
    want = numpy_filter(w_num, acts[1], None, None, ks=removed)
    [row] = read_effects(out)
    assert row["removed"] == option[2:] and row["tau"] == ""
    assert int(row["rank"]) == want["rank"]
    for key in ("norm_kept", "band_share_before", "logit_energy_ratio"):
        assert float(row[key]) == pytest.approx(want[key], rel=1e-4), key
    assert abs(float(row["band_share_after"]) - want["band_share_after"]) < 1e-7
    with h5py.File(out / "filtered.h5") as filtered:
        got = filtered["acts/blocks.1.hook_resid_post"][...]
        assert option[2:] in filtered.attrs["filter_removed"]
    np.testing.assert_allclose(got, want["filtered"], atol=2e-3 * np.abs(want["filtered"]).max())


def test_keep_and_remove_of_one_set_split_the_energy(tmp_path):
    shares = {}
    for option in ("--remove", "--keep"):
        out = tmp_path / option[2:]
        fourierlens("filter", DEMO, option, ",".join(map(str, KEY)), "--layers", "0", "--out", str(out), "--quiet")
        [row] = read_effects(out)
        shares[option] = float(row["band_share_before"])
    assert shares["--remove"] + shares["--keep"] == pytest.approx(1, abs=1e-9)


@pytest.mark.parametrize("args,fragment", [
    (["--remove", "0,5"], "frequencies k within 1–150"),
    (["--keep", "151"], "frequencies k within 1–150"),
    (["--remove", "5,5"], "each frequency once"),
    (["--remove", "5,x"], "found \"x\""),
    (["--remove", "5", "--tau", "3"], "--tau and --tau-period go with --remove low or high"),
    (["--remove", "high"], "--tau K or as --tau-period T"),
    (["--remove", "5", "--keep", "6"], "--remove low|high|K,K,… or as --keep"),
])
def test_bad_frequency_sets_are_one_line(tmp_path, args, fragment):
    out = tmp_path / "never"
    result = subprocess.run([tool(), "filter", DEMO, *args, "--out", str(out)], capture_output=True, text=True)
    assert result.returncode == 2 and not out.exists(), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and fragment in result.stderr, result.stderr


def test_the_logit_energy_ratio_can_exceed_one(tmp_path):
    """x = u + v with u in the removed subspace cancelling v's logits: filtering takes u away and
    the logit energy grows, E(L′)/E ≫ 1. The column is named a ratio, and equals numpy's."""
    d, p, n, tau = 40, 40, 20, 15
    rng = np.random.default_rng(9)
    w = rng.standard_normal((d, p))
    m = basis_rows(p, band("low", tau, p)) @ w.T
    q = np.linalg.qr(m.T)[0]  # an orthonormal basis of the removed subspace
    v = rng.standard_normal((n, d))
    v -= (v @ q) @ q.T
    coefficients = np.linalg.lstsq((q.T @ w).T, -(v @ w).T, rcond=None)[0].T  # u = q c with u·W ≈ −v·W
    acts = (coefficients @ q.T + v).astype(np.float32)
    path = str(tmp_path / "cancel.h5")
    with h5py.File(path, "w") as f:
        f.attrs["schema"] = "fourierlens/1"
        f.attrs["d_model"] = d
        f["tokens/ids"] = np.arange(p)
        f["tokens/values"] = np.arange(p)
        f["weights/W_U"] = w.astype(np.float32)
        f["prompts/answer"] = rng.integers(0, p, n)
        f["acts/blocks.0.hook_mlp_out"] = acts
    out = tmp_path / "f"
    fourierlens("filter", path, "--remove", "low", "--tau", str(tau), "--out", str(out), "--quiet")
    [row] = read_effects(out)
    want = numpy_filter(w.astype(np.float32).astype(np.float64), acts.astype(np.float64), "low", tau)
    assert want["logit_energy_ratio"] > 2
    assert float(row["logit_energy_ratio"]) == pytest.approx(want["logit_energy_ratio"], rel=1e-3)
    assert "can exceed 1" in (out / "index.html").read_text(encoding="utf-8")
