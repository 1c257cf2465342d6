"""`fourierlens boolean` on the full cube equals the brute-force Hadamard-matrix spectrum, and
obeys the closed forms: parity, majority, dictator."""
import csv
import math

import numpy as np
import pytest

from boolean_helpers import (cube_bits, degree_energy, function, indices, run_boolean, spectrum, write_dump)


@pytest.mark.parametrize("n", [1, 3, 7, 12])
def test_random_functions_and_activations_match_the_hadamard_matrix(tmp_path, n):
    rng = np.random.default_rng(n)
    bits = cube_bits(n)
    order = rng.permutation(1 << n)  # any row order
    outputs = rng.standard_normal((1 << n, 2)) + 0.3
    acts = rng.standard_normal((1 << n, 5))
    dump = write_dump(tmp_path / "cube.h5", bits[order], outputs[order], names=["a", "b"],
                      acts={"blocks.2.hook_resid_post": acts[order]})
    summary = run_boolean(dump, tmp_path / "report", "--top", "6", "--rho", "0.3,0.8")
    assert summary["exact"] and summary["input"]["design"] == "cube"
    for c, name in enumerate(["a", "b"]):
        coefficients = spectrum(outputs[:, c])
        energy = degree_energy(coefficients)
        got = function(summary, name)
        np.testing.assert_allclose([e["value"] for e in got["degree_energy"]], energy, rtol=1e-10, atol=1e-12)
        degrees = np.arange(n + 1)
        assert got["average_sensitivity"]["value"] == pytest.approx((degrees * energy).sum(), rel=1e-10)
        for rho, value in zip([0.3, 0.8], got["noise_stability"]):
            assert value == pytest.approx((rho ** degrees * energy).sum(), rel=1e-10)
        # The largest coefficients over S ≠ ∅, with their sets.
        expected = np.argsort(-np.abs(coefficients[1:]), kind="stable")[:6] + 1
        assert [sum(1 << i for i in t["set"]) for t in got["top"]] == list(expected)
        np.testing.assert_allclose([t["coefficient"] for t in got["top"]], coefficients[expected], rtol=1e-10)
    layer = function(summary, "blocks.2.hook_resid_post")
    total = sum(degree_energy(spectrum(acts[:, j])) for j in range(5))
    np.testing.assert_allclose([e["value"] for e in layer["degree_energy"]], total, rtol=1e-10)
    assert layer["columns"] == 5


def test_tables_hold_the_same_numbers_and_sets_read_as_braces(tmp_path):
    n = 5
    bits = cube_bits(n)
    f = np.where(bits[:, [1, 4]].sum(axis=1) % 2 == 1, 1.0, -1.0) * 0.5 + 0.1 * bits[:, 0]
    dump = write_dump(tmp_path / "c.h5", bits, f)
    run_boolean(dump, tmp_path / "r")
    with open(tmp_path / "r" / "coefficients.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows[0]["set"] == "{1, 4}" and float(rows[0]["coefficient"]) == pytest.approx(-0.5)
    assert rows[1]["set"] == "{0}" and float(rows[1]["coefficient"]) == pytest.approx(-0.05)
    html = (tmp_path / "r" / "index.html").read_text()
    assert "{1, 4}" in html and "<svg" in html and 'href="degrees.csv"' in html


@pytest.mark.parametrize("k", [1, 2, 3, 5])
def test_parity_of_k_bits_has_all_energy_at_degree_k(tmp_path, k):
    n = 8
    bits = cube_bits(n)
    chosen = [0, 2, 3, 5, 7][:k]
    parity = np.where(bits[:, chosen].sum(axis=1) % 2 == 1, 1.0, -1.0)
    summary = run_boolean(write_dump(tmp_path / "p.h5", bits, parity), tmp_path / "r",
                          "--target", "parity:" + ",".join(map(str, chosen)))
    for name in ["outputs", "sign(outputs)", summary["target"]]:
        f = function(summary, name)
        energy = [e["value"] for e in f["degree_energy"]]
        assert energy[k] == pytest.approx(1) and sum(energy) == pytest.approx(1)
        assert f["average_sensitivity"]["value"] == pytest.approx(k)
    assert summary["comparisons"][0]["agreement"]["value"] == 1


def test_majority_sensitivity_follows_the_closed_form(tmp_path):
    n = 11
    bits = cube_bits(n)
    majority = np.where(bits.sum(axis=1) > n / 2, 1.0, -1.0)
    summary = run_boolean(write_dump(tmp_path / "m.h5", bits, majority), tmp_path / "r", "--target", "majority")
    exact = n * math.comb(n - 1, (n - 1) // 2) / 2 ** (n - 1)  # n·Pr[the other n − 1 bits tie]
    for name in ["outputs", "majority of {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}"]:
        sensitivity = function(summary, name)["average_sensitivity"]["value"]
        assert sensitivity == pytest.approx(exact, rel=1e-12)
        assert sensitivity == pytest.approx(math.sqrt(2 * n / math.pi), rel=0.03)
    energy = [e["value"] for e in function(summary, "outputs")["degree_energy"]]
    assert all(energy[k] == pytest.approx(0, abs=1e-12) for k in range(0, n + 1, 2))  # odd function
    assert energy[1] == pytest.approx(n * (math.comb(n - 1, (n - 1) // 2) / 2 ** (n - 1)) ** 2, rel=1e-12)


@pytest.mark.parametrize("target", ["dictator:4", "and:0-3", "or:1,2", "junta:0,5:0110"])
def test_named_targets_match_their_definitions(tmp_path, target):
    n = 6
    bits = cube_bits(n)
    expected = {"dictator:4": bits[:, 4] == 1, "and:0-3": bits[:, :4].all(axis=1), "or:1,2": bits[:, [1, 2]].any(axis=1),
                "junta:0,5:0110": (bits[:, 0] ^ bits[:, 5]) == 1}[target]
    g = np.where(expected, 1.0, -1.0)
    summary = run_boolean(write_dump(tmp_path / "t.h5", bits, g), tmp_path / "r", "--target", target)
    assert summary["comparisons"][0]["agreement"]["value"] == 1
    got = function(summary, summary["target"])
    np.testing.assert_allclose([e["value"] for e in got["degree_energy"]], degree_energy(spectrum(g)), atol=1e-12)
    if target == "dictator:4":
        assert got["average_sensitivity"]["value"] == pytest.approx(1)


def test_a_column_target_and_a_threshold(tmp_path):
    n = 6
    bits = cube_bits(n)
    probability = 1 / (1 + np.exp(-3 * (bits.sum(axis=1) - 3.5)))
    label = np.where(bits.sum(axis=1) >= 4, 1.0, -1.0)
    label[0] = 1  # one disagreement
    dump = write_dump(tmp_path / "c.h5", bits, np.stack([probability, label], 1), names=["p", "label"])
    summary = run_boolean(dump, tmp_path / "r", "--target", "column:label", "--threshold", "0.5")
    [comparison] = summary["comparisons"]
    assert comparison["output"] == "p" and comparison["agreement"] == {"value": 63 / 64}
    assert comparison["negated_agreement"] == {"value": 1 / 64} and comparison["follows"] == "target"
    assert comparison["correlation"]["value"] == pytest.approx(np.mean(probability * label), abs=1e-12)


def test_the_report_loads_back_with_typed_columns(tmp_path):
    from fourierlens import reports

    n = 4
    bits = cube_bits(n)
    run_boolean(write_dump(tmp_path / "l.h5", bits, bits[:, 0] * 2.0 - 1), tmp_path / "r", "--target", "dictator:0")
    report = reports.load(str(tmp_path / "r"))
    assert str(report["degrees"]["degree"].dtype) == "Int64" and str(report["functions"]["stability_rho_0.9"].dtype) == "float64"
    assert list(report["coefficients"]["set"])[:1] == [(0,)]  # sets of bits come back as tuples
    assert report["functions"].set_index("function").loc["dictator {0}", "average_sensitivity"] == pytest.approx(1)
