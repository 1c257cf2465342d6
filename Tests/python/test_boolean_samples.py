"""Samples of the cube: the estimators' 95% intervals cover the exact values (from the full
Hadamard transform) in repeated seeded trials at their stated rate, within binomial tolerance."""
import math

import numpy as np

from boolean_helpers import cube_bits, degree_energy, function, run_boolean, spectrum, write_dump

TRIALS = 200


def coverage_bounds(trials, rate=0.95, sds=3):
    """The counts correct 95% intervals give in `trials` independent trials, within 3 binomial sds."""
    mean, sd = trials * rate, math.sqrt(trials * rate * (1 - rate))
    return math.floor(mean - sds * sd), math.ceil(mean + sds * sd)


def covers(estimate, truth):
    return estimate["low"] <= truth <= estimate["high"]


def mask(top):
    return sum(1 << i for i in top["set"])


def planted_function(n, rng):
    """A fixed real function with energy at degrees 0 to 3 and a little everywhere."""
    bits = cube_bits(n)
    chi = lambda *s: 1 - 2 * (np.bitwise_xor.reduce(bits[:, list(s)], axis=1))
    return 0.2 + 0.8 * chi(0) + 0.6 * chi(1, 2) + 0.5 * chi(3, 4, 5) + 0.3 * rng.standard_normal(1 << n)


def test_sampled_intervals_cover_the_exact_values(tmp_path):
    n, m = 8, 240
    rng = np.random.default_rng(20)
    bits = cube_bits(n)
    f = planted_function(n, rng)
    coefficients = spectrum(f)
    energy = degree_energy(coefficients)
    checked_sets = [1, 6, 3, 0b10000000]  # {0}, {1, 2}, {0, 1}, {7}
    truth = {"W_0": energy[0], "W_1": energy[1], "W_2": energy[2], "mean square": energy.sum(),
             "as low-degree part": energy[1] + 2 * energy[2],
             "as upper bound": energy[1] + 2 * energy[2] + n * energy[3:].sum()}
    truth.update({f"coefficient {s}": coefficients[s] for s in checked_sets})
    hits = dict.fromkeys(truth, 0)
    for _ in range(TRIALS):
        rows = rng.integers(0, 1 << n, m)  # uniform, with replacement
        dump = write_dump(tmp_path / "s.h5", bits[rows], f[rows], design="sample")
        summary = run_boolean(dump, tmp_path / "r", "--max-degree", "2", "--top", "36")
        assert summary["input"]["design"] == "sample" and not summary["exact"]
        got = function(summary, "outputs")
        estimates = {"W_0": got["degree_energy"][0], "W_1": got["degree_energy"][1], "W_2": got["degree_energy"][2],
                     "mean square": got["mean_square"], "as low-degree part": got["average_sensitivity"],
                     "as upper bound": got["sensitivity_upper_bound"]}
        by_set = {mask(t): {"low": t["low"], "high": t["high"]} for t in got["top"]}
        assert len(by_set) == 36  # every S with 1 ≤ |S| ≤ 2
        estimates.update({f"coefficient {s}": by_set[s] for s in checked_sets})
        for key, value in estimates.items():
            hits[key] += covers(value, truth[key])
    low, high = coverage_bounds(TRIALS)
    for key, count in hits.items():
        assert low <= count <= high, f"{key}: {count} of {TRIALS} intervals cover the exact value {truth[key]}"


def test_flip_pairs_give_the_whole_sensitivity_with_covering_intervals(tmp_path):
    n, pairs = 7, 150
    rng = np.random.default_rng(5)
    bits = cube_bits(n)
    f = planted_function(n, rng)
    exact = (np.arange(n + 1) * degree_energy(spectrum(f))).sum()
    influence_0 = np.mean(((f - f[np.arange(1 << n) ^ 1]) / 2) ** 2)
    hits, influence_hits = 0, 0
    for _ in range(TRIALS):
        base = rng.integers(0, 1 << n, pairs)
        flipped = base ^ (1 << (np.arange(pairs) % n))  # every bit flipped at least twice
        rows = np.concatenate([base, flipped])
        pair_rows = np.stack([np.arange(pairs), pairs + np.arange(pairs)], 1)
        dump = write_dump(tmp_path / "f.h5", bits[rows], f[rows], design="sample", pairs=pair_rows)
        summary = run_boolean(dump, tmp_path / "r", "--top", "0")
        got = function(summary, "outputs")
        assert summary["input"]["flip_pairs"] == pairs and summary["input"]["sample_rows"] == pairs
        hits += covers(got["flip_sensitivity"], exact)
        influence_hits += covers(got["influence"][0], influence_0)
    low, high = coverage_bounds(TRIALS)
    assert low <= hits <= high, f"{hits} of {TRIALS} flip-pair intervals cover as = {exact}"
    assert low <= influence_hits <= high, f"{influence_hits} of {TRIALS} intervals cover Inf_0 = {influence_0}"


def test_activation_intervals_on_a_sample_cover_the_exact_values(tmp_path):
    """An activation dataset's columns summed: energies by degree, E[‖f‖²] and the sensitivity
    bounds; its coefficients per column; and, from flip pairs, its whole sensitivity."""
    n, m, pairs, d = 7, 200, 120, 3
    rng = np.random.default_rng(11)
    bits = cube_bits(n)
    acts = np.stack([planted_function(n, rng), 0.5 * planted_function(n, rng)[::-1], rng.standard_normal(1 << n)], 1)
    energy = sum(degree_energy(spectrum(acts[:, j])) for j in range(d))
    degrees = np.arange(n + 1)
    truth = {"W_0": energy[0], "W_1": energy[1], "W_2": energy[2], "mean square": energy.sum(),
             "as low-degree part": energy[1] + 2 * energy[2],
             "as upper bound": energy[1] + 2 * energy[2] + n * energy[3:].sum(),
             "as from flip pairs": (degrees * energy).sum()}
    coefficient = spectrum(acts[:, 0])[1]  # column 0, S = {0}
    hits = dict.fromkeys(list(truth) + ["coefficient"], 0)
    for _ in range(TRIALS):
        base = rng.integers(0, 1 << n, m)
        flipped = base[:pairs] ^ (1 << (np.arange(pairs) % n))
        rows = np.concatenate([base, flipped])
        pair_rows = np.stack([np.arange(pairs), m + np.arange(pairs)], 1)
        dump = write_dump(tmp_path / "a.h5", bits[rows], np.zeros(len(rows)), design="sample", pairs=pair_rows,
                          acts={"blocks.1.hook_resid_post": acts[rows]})
        summary = run_boolean(dump, tmp_path / "r", "--max-degree", "2", "--top", "84")
        got = function(summary, "blocks.1.hook_resid_post")
        assert got["columns"] == d
        estimates = {"W_0": got["degree_energy"][0], "W_1": got["degree_energy"][1], "W_2": got["degree_energy"][2],
                     "mean square": got["mean_square"], "as low-degree part": got["average_sensitivity"],
                     "as upper bound": got["sensitivity_upper_bound"], "as from flip pairs": got["flip_sensitivity"]}
        for key, value in estimates.items():
            hits[key] += covers(value, truth[key])
        by_column_set = {(t["column"], mask(t)): t for t in got["top"]}
        assert len(by_column_set) == 84  # every column's 28 sets with 1 ≤ |S| ≤ 2
        hits["coefficient"] += covers(by_column_set[(0, 1)], coefficient)
    low, high = coverage_bounds(TRIALS)
    for key, count in hits.items():
        assert low <= count <= high, f"{key}: {count} of {TRIALS} intervals cover the exact value {truth.get(key, coefficient)}"
