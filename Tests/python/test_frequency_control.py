"""`spectrum|compare --control-frequency` and `compare --random frequency-matched` (docs/METHODS.md,
"Frequency control"): the spline regression against an independent scipy construction of the same
natural-spline space, and planted truth: periods made by frequency vanish after the control,
periods independent of frequency survive it, a frequency-matched null stays quiet."""
import csv
import json
import subprocess

import h5py
import numpy as np
import pytest
from scipy.interpolate import CubicSpline

from report_helpers import fourierlens, tool

KEYS = (2, 2.5, 5, 10)


def write_dump(path, x, counts=None, values=None):
    with h5py.File(path, "w") as f:
        f.attrs["schema"] = "fourierlens/1"
        f["tokens/values"] = np.arange(x.shape[0], dtype=np.int64) if values is None else values
        f["weights/W_E"] = x.astype(np.float32)
        if counts is not None:
            f["tokens/counts"] = counts
            f["tokens/counts"].attrs["corpus"] = "planted"


def run(tmp_path, command, x, counts, *args, name="out"):
    dump = tmp_path / f"{name}.h5"
    write_dump(dump, x, counts)
    out = tmp_path / name
    fourierlens(command, str(dump), "--control-frequency", "--out", str(out), "--quiet", "--no-figures", *args)
    return out, json.loads((out / "summary.json").read_text())


# --- the reference: natural cubic splines built from scipy's interpolating splines -------------

def quantile_knots(z, count):
    if count < 3:
        return []
    knots = []
    for q in np.quantile(z, np.linspace(0.05, 0.95, count)):
        if not knots or q > knots[-1]:
            knots.append(q)
    return knots if len(knots) >= 3 else []


def natural_spline_basis(z, knots):
    """The cardinal natural cubic splines through the knots (scipy, bc 'natural'), continued as
    straight lines beyond the outer knots: a basis of the same space as ESL's truncated powers."""
    if not knots:
        return np.column_stack([np.ones_like(z), z])
    columns = []
    for i in range(len(knots)):
        spline = CubicSpline(knots, np.eye(len(knots))[i], bc_type="natural")
        f = spline(z)
        low, high = z < knots[0], z > knots[-1]
        f[low] = spline(knots[0]) + spline(knots[0], 1) * (z[low] - knots[0])
        f[high] = spline(knots[-1]) + spline(knots[-1], 1) * (z[high] - knots[-1])
        columns.append(f)
    return np.column_stack(columns)


def reference_fit(x, z):
    """PRESS of every candidate knot count and the residual of the best, by numpy least squares."""
    x = x.astype(np.float64)
    results, seen = [], []
    for count in (2, 3, 4, 5, 6, 7):
        knots = quantile_knots(z, count)
        if knots in seen:
            continue
        seen.append(knots)
        basis = natural_spline_basis(z, knots)
        q, _ = np.linalg.qr(basis)
        residual = x - q @ (q.T @ x)
        h = np.sum(q * q, axis=1)
        press = np.sum((residual / (1 - h)[:, None]) ** 2)
        results.append((max(len(knots), 2), press, residual, knots))
    return results, min(results, key=lambda r: r[1])


def basis_energy(x):
    p = x.shape[0]
    f = np.fft.rfft(x, axis=0)
    weight = np.full(f.shape[0], 2 / p)
    weight[0] = 1 / p
    if p % 2 == 0:
        weight[-1] = 1 / p
    return weight * np.sum(np.abs(f) ** 2, axis=1)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_spline_fit_matches_the_scipy_reference(tmp_path, seed):
    rng = np.random.default_rng(seed)
    p, d = 120, 6
    counts = np.round(rng.lognormal(3, 1.5, p)).astype(np.int64)
    z = np.log1p(counts.astype(np.float64))
    x = (np.column_stack([np.sin(z * (j + 1) / 2) for j in range(d)]) + 0.3 * rng.standard_normal((p, d))).astype(np.float32)
    out, summary = run(tmp_path, "spectrum", x, counts)
    control = summary["frequency_control"]
    candidates, best = reference_fit(x, z)
    assert [c["knots"] for c in control["candidates"]] == [c[0] for c in candidates]
    np.testing.assert_allclose([c["press"] for c in control["candidates"]], [c[1] for c in candidates], rtol=1e-5)
    np.testing.assert_allclose(control["knots"], best[3], rtol=1e-12)
    with open(out / "frequency_control.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    np.testing.assert_allclose([float(r["energy_after"]) for r in rows], basis_energy(best[2]), rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose([float(r["energy_before"]) for r in rows], basis_energy(x.astype(np.float64)), rtol=1e-5, atol=1e-6)
    total = np.sum(basis_energy(x.astype(np.float64))[1:])
    assert control["variance_explained"] == pytest.approx(1 - np.sum(basis_energy(best[2])[1:]) / total, rel=1e-4)


# --- planted truth ------------------------------------------------------------------------------

def periodic_counts(p, rng):
    """Round numbers are frequent: multiples of 10, 5 and 2 get more counts, times lognormal noise."""
    n = np.arange(p)
    base = 20 * (1 + 2 * (n % 2 == 0) + 4 * (n % 5 == 0) + 8 * (n % 10 == 0))
    return np.round(base * rng.lognormal(0, 0.3, p)).astype(np.int64)


def frequency_only_embedding(z, d, rng, noise=0.2):
    """Columns that are smooth random functions of log-count alone, plus noise."""
    zs = (z - z.mean()) / z.std()
    a, b, c = rng.standard_normal((3, d))
    return (np.outer(zs, a) + np.outer(np.tanh(zs), b) + np.outer(zs ** 2, c) / 3
            + noise * rng.standard_normal((len(z), d))).astype(np.float32)


def key_outliers(summary_side, after):
    return sorted(k["period"] for k in summary_side["frequency_control"]["key_periods"]
                  if k["outlier_after" if after else "outlier_before"])


@pytest.mark.parametrize("seed", [0, 1])
def test_periods_made_by_frequency_vanish_after_the_control(tmp_path, seed):
    rng = np.random.default_rng(seed)
    p = 200
    counts = periodic_counts(p, rng)
    x = frequency_only_embedding(np.log1p(counts.astype(np.float64)), 32, rng)
    _, summary = run(tmp_path, "spectrum", x, counts, "--seed", str(seed))
    assert {2, 2.5, 5} <= set(key_outliers(summary, after=False))  # (period 10 is weak after the log)
    control = summary["frequency_control"]
    assert control["surviving_periods"] == []
    assert [k for k in control["key_periods"] if k["explained"] < 0.9] == []
    assert control["variance_explained"] > 0.8


@pytest.mark.parametrize("seed", [0, 1])
def test_periods_independent_of_frequency_survive_the_control(tmp_path, seed):
    rng = np.random.default_rng(seed)
    p = 200
    counts = np.round(rng.lognormal(3, 1.2, p)).astype(np.int64)  # no period in the counts
    n = np.arange(p)
    periodic = np.column_stack([np.cos(2 * np.pi * n / 10), np.sin(2 * np.pi * n / 5), (-1.0) ** n])
    planted = 0.5 * periodic @ rng.standard_normal((3, 32))
    x = (frequency_only_embedding(np.log1p(counts.astype(np.float64)), 32, rng) + planted).astype(np.float32)
    _, summary = run(tmp_path, "spectrum", x, counts, "--seed", str(seed))
    control = summary["frequency_control"]
    assert {2, 5, 10} <= set(control["surviving_periods"])
    # What is left at each planted period is the planted energy (the frequency part's share is gone).
    energy = basis_energy(planted)
    for key in control["key_periods"]:
        if key["period"] in (2, 5, 10):
            assert key["energy_after"] == pytest.approx(energy[key["k"]], rel=0.1)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_frequency_matched_null_stays_quiet(tmp_path, seed):
    rng = np.random.default_rng(seed)
    p = 200
    counts = periodic_counts(p, rng)
    x = frequency_only_embedding(np.log1p(counts.astype(np.float64)), 32, rng)
    out, summary = run(tmp_path, "compare", x, counts, "--random", "frequency-matched", "--seed", str(seed), "--probes", "none")
    b = summary["b"]
    assert b["input"]["dataset"].startswith("random frequency-matched to")
    # B is frequency alone at A's strength: the control leaves nothing standing out.
    assert b["frequency_control"]["outlier_periods_after"] == []
    assert b["frequency_control"]["variance_explained"] == pytest.approx(summary["a"]["frequency_control"]["variance_explained"], abs=0.1)
    assert (out / "frequency_control_a.csv").exists() and (out / "frequency_control_b.csv").exists()
    assert "Frequency control (B:" in (out / "index.html").read_text()


def test_without_the_flag_nothing_changes(tmp_path):
    rng = np.random.default_rng(5)
    x = rng.standard_normal((40, 4)).astype(np.float32)
    counts = np.arange(40, dtype=np.int64)
    dump = tmp_path / "m.h5"
    write_dump(dump, x, counts)
    fourierlens("spectrum", str(dump), "--out", str(tmp_path / "a"), "--quiet", "--no-figures")
    summary = json.loads((tmp_path / "a" / "summary.json").read_text())
    assert "frequency_control" not in summary and not (tmp_path / "a" / "frequency_control.csv").exists()


def test_spectrum_of_log_counts_equals_numpy(tmp_path):
    counts = np.array([5, 100, 7, 80, 3, 120, 9, 90, 4, 110, 6, 95], dtype=np.int64)
    dump = tmp_path / "c.h5"
    with h5py.File(dump, "w") as f:
        f.attrs["schema"] = "fourierlens/1"
        f["tokens/values"] = np.arange(len(counts), dtype=np.int64)
        f["tokens/counts"] = counts
    out = tmp_path / "out"
    fourierlens("spectrum", str(dump), "--dataset", "/tokens/counts", "--log", "--out", str(out), "--quiet", "--no-figures")
    with open(out / "spectrum.csv", newline="") as f:
        magnitude = [float(r["magnitude"]) for r in csv.DictReader(f)]
    np.testing.assert_allclose(magnitude, np.abs(np.fft.rfft(np.log1p(counts.astype(np.float32)))), rtol=1e-5)
    assert json.loads((out / "summary.json").read_text())["input"]["dataset"] == "log(1 + /tokens/counts)"


# --- bad input: one line, exit 2 ------------------------------------------------------------------

def fails(*args):
    result = subprocess.run([tool(), *args], capture_output=True, text=True)
    assert result.returncode == 2, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    return result.stderr


def test_bad_counts_exit_2_with_one_line(tmp_path):
    x = np.random.default_rng(0).standard_normal((20, 3)).astype(np.float32)
    write_dump(tmp_path / "none.h5", x)
    assert "/tokens/counts" in fails("spectrum", str(tmp_path / "none.h5"), "--control-frequency", "--out", str(tmp_path / "o1"))
    assert "/tokens/counts" in fails("compare", str(tmp_path / "none.h5"), "--random", "frequency-matched", "--out", str(tmp_path / "o2"))
    write_dump(tmp_path / "neg.h5", x, counts=np.arange(20) - 3)
    assert "≥ 0" in fails("spectrum", str(tmp_path / "neg.h5"), "--control-frequency", "--out", str(tmp_path / "o3"))
    short = tmp_path / "short.h5"
    with h5py.File(short, "w") as f:
        f["tokens/values"] = np.arange(10, dtype=np.int64)
        f["tokens/counts"] = np.ones(10, dtype=np.int64)
    message = fails("spectrum", str(tmp_path / "none.h5"), "--control-frequency", "--counts", str(short), "--out", str(tmp_path / "o4"))
    assert "none for 10 of them (first 10)" in message and str(short) in message
    write_dump(tmp_path / "negx.h5", -np.abs(x))
    assert "values ≥ 0 for --log" in fails("spectrum", str(tmp_path / "negx.h5"), "--log", "--out", str(tmp_path / "o5"))
    assert not any((tmp_path / f"o{i}").exists() for i in range(1, 6))


# --- studies: the counts file goes only to the tasks that read it --------------------------------

def test_a_study_passes_the_counts_only_where_they_are_read(tmp_path):
    rng = np.random.default_rng(0)
    write_dump(tmp_path / "m.h5", rng.standard_normal((30, 4)).astype(np.float32))
    with h5py.File(tmp_path / "c.h5", "w") as f:
        f["tokens/values"] = np.arange(30, dtype=np.int64)
        f["tokens/counts"] = rng.integers(0, 100, 30)
    spec = tmp_path / "s.yaml"
    spec.write_text("title: t\ndumps:\n  m: {path: m.h5, counts: c.h5}\n  f: {random: frequency-matched, of: m}\n"
                    "analyses:\n  - {kind: spectrum, name: plain}\n  - {kind: spectrum, name: control, options: {control-frequency: true}}\n"
                    "  - {kind: compare, name: matched, against: f, options: {probes: none}}\n")
    tasks = json.loads(fourierlens("run", str(spec), "--out", str(tmp_path / "study"), "--tasks-json", "-").stdout)["tasks"]
    lines = {t["id"]: t["command_line"] for t in tasks}
    assert "--counts" not in lines["plain.m.W_E"]
    for task in ("control.m.W_E", "matched.m.W_E"):
        assert lines[task][lines[task].index("--counts") + 1] == str(tmp_path / "c.h5")
    fourierlens("run", str(spec), "--out", str(tmp_path / "study"), "--quiet")
    page = (tmp_path / "study" / "index.html").read_text()
    assert "Which key periods survive the frequency control" in page
    spec.write_text("title: t\ndumps:\n  m: {path: m.h5, counts: missing.h5}\nanalyses:\n  - {kind: spectrum}\n")
    assert "dumps.m.counts" in fails("run", str(spec), "--out", str(tmp_path / "s2"))


def test_counts_of_another_tokenizer_are_refused(tmp_path):
    x = np.random.default_rng(0).standard_normal((20, 3)).astype(np.float32)
    dump = tmp_path / "m.h5"
    write_dump(dump, x)
    with h5py.File(dump, "a") as f:
        f["tokens/ids"] = np.arange(20, dtype=np.int64) + 100
    counts = tmp_path / "c.h5"
    with h5py.File(counts, "w") as f:
        f["tokens/values"] = np.arange(20, dtype=np.int64)
        f["tokens/ids"] = np.arange(20, dtype=np.int64) + 500
        f["tokens/counts"] = np.ones(20, dtype=np.int64)
    message = fails("spectrum", str(dump), "--control-frequency", "--counts", str(counts), "--out", str(tmp_path / "o"))
    assert "found number 0 as token 500 here and 100 in the input" in message
