"""What a boolean page's numbers mean: a function that learned the negated target is said to
(agreement with the target and with its negation, ⟨f, target⟩), and a sample's coefficients are
called significant only after correcting for how many were estimated (Bonferroni)."""
import os
import subprocess

import numpy as np
import scipy.stats

from boolean_helpers import cube_bits, function, run_boolean, write_dump
from report_helpers import tool


def chi(bits, *coordinates):
    """χ_S(x) = Π (−1)^bit_i."""
    return 1 - 2 * (np.bitwise_xor.reduce(bits[:, list(coordinates)], axis=1).astype(np.int64))


def test_a_negated_target_is_named_with_its_correlation(tmp_path):
    n = 8
    bits = cube_bits(n)
    rng = np.random.default_rng(3)
    f = 0.8 * chi(bits, 1, 4, 7) + 0.1 * chi(bits, 0) + 0.05 * rng.standard_normal(1 << n)
    target = 2 * (bits[:, [1, 4, 7]].astype(np.int64).sum(axis=1) % 2) - 1  # parity:1,4,7 as ±1, "true" = +1: −χ_S
    outputs = np.stack([f, -f], axis=1)
    dump = write_dump(tmp_path / "cube.h5", bits, outputs, names=["f", "minus_f"])
    summary = run_boolean(dump, tmp_path / "r", "--target", "parity:1,4,7")
    by_output = {c["output"]: c for c in summary["comparisons"]}
    negated, plain = by_output["f"], by_output["minus_f"]
    assert negated["agreement"]["value"] == 0 and negated["negated_agreement"]["value"] == 1
    assert abs(negated["correlation"]["value"] - np.mean(f * target)) < 1e-12
    assert abs(negated["correlation"]["value"] + np.mean(f * chi(bits, 1, 4, 7))) < 1e-12  # ⟨f, −χ_S⟩ = −f̂(S) ≈ −0.8
    assert abs(negated["correlation"]["value"] + 0.8) < 0.01
    assert negated["follows"] == "negation" and plain["follows"] == "target"
    assert abs(plain["correlation"]["value"] - 0.8) < 0.01
    page = open(os.path.join(tmp_path / "r", "index.html"), encoding="utf-8").read()
    assert "follows the negated target" in page


def test_a_sample_agreement_near_half_follows_neither(tmp_path):
    n, m = 12, 4000
    rng = np.random.default_rng(4)
    bits = rng.integers(0, 2, (m, n)).astype(np.uint8)
    noise = rng.standard_normal(m)  # unrelated to the target
    dump = write_dump(tmp_path / "s.h5", bits, noise[:, None], names=["noise"], design="sample")
    summary = run_boolean(dump, tmp_path / "r", "--target", "parity:1,4,7", "--max-degree", "1")
    c = summary["comparisons"][0]
    assert c["follows"] == "neither"
    assert c["correlation"]["low"] < 0 < c["correlation"]["high"]
    assert abs(c["agreement"]["value"] + c["negated_agreement"]["value"] - 1) < 1e-12


def planted_sample(tmp_path, seed):
    """The issue's input: n = 30, 40 000 strings, f = x0x1 + 0.5·x5 + noise."""
    n, m = 30, 40_000
    rng = np.random.default_rng(seed)
    bits = rng.integers(0, 2, (m, n)).astype(np.uint8)
    f = chi(bits, 0, 1) + 0.5 * chi(bits, 5) + rng.standard_normal(m)
    return write_dump(tmp_path / f"s{seed}.h5", bits, f[:, None], names=["f"], design="sample")


def test_sampled_coefficients_are_significant_only_after_correction(tmp_path):
    m_family = 30 + 30 * 29 // 2  # every S with 1 ≤ |S| ≤ 2
    z_family, z_one = scipy.stats.norm.ppf(1 - 0.05 / (2 * m_family)), scipy.stats.norm.ppf(0.975)
    naive_false = 0
    for seed in range(3):
        summary = run_boolean(planted_sample(tmp_path, seed), tmp_path / f"r{seed}", "--max-degree", "2", "--top", str(m_family))
        top = function(summary, "f")["top"]
        assert len(top) == m_family
        significant = sorted(tuple(t["set"]) for t in top if t["significant"])
        assert significant == [(0, 1), (5,)], significant
        for t in top:
            own, joint = t["high"] - t["low"], t["simultaneous_high"] - t["simultaneous_low"]
            assert abs(joint / own - z_family / z_one) < 1e-6
            assert t["significant"] == (not t["simultaneous_low"] <= 0 <= t["simultaneous_high"])
        naive_false += sum(1 for t in top if tuple(t["set"]) not in {(0, 1), (5,)} and not t["low"] <= 0 <= t["high"])
    assert naive_false > 3  # per-coefficient intervals do flag null coefficients: what the correction is for
    page = open(os.path.join(tmp_path / "r0", "index.html"), encoding="utf-8").read()
    assert "significant after correction" in page and "{0, 1} {5}" in page


def test_sampled_degree_shares_are_printed_clipped(tmp_path):
    """A share whose unbiased estimate is below 0 prints as 0 with its clipped interval."""
    n, m = 10, 400
    for seed in range(20):
        rng = np.random.default_rng(100 + seed)
        bits = rng.integers(0, 2, (m, n)).astype(np.uint8)
        f = chi(bits, 2, 3) + 0.5 * rng.standard_normal(m)  # no energy at degree 1
        dump = write_dump(tmp_path / "d.h5", bits, f[:, None], names=["f"], design="sample")
        summary = run_boolean(dump, tmp_path / "r", "--max-degree", "2")
        if function(summary, "f")["share_of_variance"][0] < 0:
            break
    else:
        raise AssertionError("no seed gave a negative unbiased share")
    out = subprocess.run([tool(), "boolean", dump, "--out", str(tmp_path / "p"), "--no-figures", "--max-degree", "2"],
                         capture_output=True, text=True, check=True).stdout
    line = next(l for l in out.splitlines() if l.strip().startswith("f "))
    shares = line.split("|")[-1] if "|" in line else line
    assert "-0." not in line and "[0, " in line, line
