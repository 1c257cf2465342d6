"""Activations with five prompts per number (the paper's five templates), written by h5py:
spectrum, compare and probe average the rows of each number by default and say so; inspect
agrees (every analysis it calls ready runs); answers that are not number tokens are skipped and
counted by lens and filter."""
import csv
import json
import subprocess

import h5py
import numpy as np
import pytest

from report_helpers import fourierlens, tool

P, D, TEMPLATES, OUTSIDE = 40, 16, 5, 7


@pytest.fixture(scope="module")
def dump(tmp_path_factory):
    rng = np.random.default_rng(12)
    path = tmp_path_factory.mktemp("repeated") / "five_templates.h5"
    numbers = rng.permutation(np.repeat(np.arange(P), TEMPLATES))
    phase = rng.uniform(0, 2 * np.pi, D)
    signal = np.cos(2 * np.pi * np.arange(P)[:, None] / 5 + phase)  # period 5: k = 8
    answers = numbers.copy()
    answers[:OUTSIDE] = 1000 + np.arange(OUTSIDE)  # not number tokens
    with h5py.File(path, "w") as f:
        f.attrs["schema"] = "fourierlens/1"
        f.attrs["d_model"] = D
        f.attrs["n_layers"] = 2
        f["tokens/ids"] = np.arange(100, 100 + P)
        f["tokens/values"] = np.arange(P)
        f["weights/W_E"] = (signal + 0.5 * rng.standard_normal((P, D))).astype(np.float32)
        f["weights/W_U"] = rng.standard_normal((D, 200)).astype(np.float32)
        f.create_dataset("prompts/answer", data=answers).attrs["kind"] = "value"
        f["prompts/values"] = numbers
        for layer in range(2):
            acts = signal[numbers] + 0.8 * rng.standard_normal((len(numbers), D))
            f[f"acts/blocks.{layer}.hook_resid_post"] = acts.astype(np.float32)
    return str(path)


def run(*args):
    return subprocess.run([tool(), *args], capture_output=True, text=True)


def summary(out):
    return json.loads((out / "summary.json").read_text())


def test_spectrum_averages_each_numbers_rows_and_says_so(dump, tmp_path):
    out = tmp_path / "s"
    result = run("spectrum", dump, "--dataset", "/acts/blocks.0.hook_resid_post", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "note: /prompts/values repeats numbers" in result.stderr and "5 rows per number (200 rows → 40 numbers)" in result.stderr
    s = summary(out)
    assert s["rows_per_number"] == [TEMPLATES] * P and s["input"]["p"] == P
    assert "rows averaged" in (out / "index.html").read_text()
    with h5py.File(dump) as f:
        acts = f["acts/blocks.0.hook_resid_post"][...].astype(np.float64)
        numbers = f["prompts/values"][...]
    means = np.array([acts[numbers == v].mean(axis=0) for v in range(P)])
    with open(out / "spectrum.csv", newline="") as f:
        got = [float(r["magnitude"]) for r in csv.DictReader(f)]
    np.testing.assert_allclose(got, np.linalg.norm(np.fft.rfft(means, axis=0), axis=1), rtol=1e-5)
    assert [o["k"] for o in s["outliers"]] == [8]


def test_no_average_refuses_repeated_numbers_in_one_line(dump, tmp_path):
    result = run("spectrum", dump, "--dataset", "/acts/blocks.0.hook_resid_post", "--no-average", "--out", str(tmp_path / "n"))
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1
    assert "/prompts/values: expected unique numbers" in result.stderr and "--average" in result.stderr


def test_probe_and_compare_average_too(dump, tmp_path):
    out = tmp_path / "p"
    result = run("probe", dump, "--site", "resid_post", "--probes", "value,mod5", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "rows per number" in result.stderr
    for source in summary(out)["sources"]:
        assert source["rows"] == P and source["rows_per_number"] == [TEMPLATES] * P
    kept = tmp_path / "k"
    fourierlens("probe", dump, "--site", "resid_post", "--probes", "value", "--no-average", "--out", str(kept), "--quiet")
    assert summary(kept)["sources"][0]["rows"] == P * TEMPLATES and summary(kept)["sources"][0].get("rows_per_number") is None
    out = tmp_path / "c"
    result = run("compare", dump + ":/acts/blocks.1.hook_resid_post", "--random", "gaussian", "--probes", "value", "--out", str(out))
    assert result.returncode == 0, result.stderr
    s = summary(out)
    assert s["a"]["rows_per_number"] == [TEMPLATES] * P and s["probes_a"]["sources"][0]["rows"] == P


COMMANDS = {
    "spectrum": ["spectrum"],
    "spectrum --dataset /acts/...": ["spectrum", "--dataset", "/acts/blocks.0.hook_resid_post"],
    "compare": ["compare", "--random", "gaussian"],
    "lens": ["lens"],
    "lens --norm cached": ["lens", "--norm", "cached"],
    "lens --norm recompute": ["lens", "--norm", "recompute"],
    "filter": ["filter", "--remove", "high", "--tau", "18"],
    "probe": ["probe"],
    "probe --site": ["probe", "--site", "resid_post"],
}


def test_every_analysis_inspect_calls_ready_runs(dump, tmp_path):
    inspect = run("inspect", dump, "--json")
    assert inspect.returncode == 0, inspect.stderr
    report = json.loads(inspect.stdout)
    ready = [a for a in report["analyses"] if a["ready"]]
    assert {a["analysis"] for a in ready} >= {"spectrum --dataset /acts/...", "probe --site", "lens", "filter"}
    notes = {a["analysis"]: a.get("note") for a in ready}
    assert "averaged" in notes["spectrum --dataset /acts/..."] and "averaged" in notes["probe --site"]
    assert any(f"{OUTSIDE} of {P * TEMPLATES} answers are not among /tokens/values" in w for w in report["warnings"])
    for i, analysis in enumerate(ready):
        command = COMMANDS[analysis["analysis"]]
        result = run(command[0], dump, *command[1:], "--out", str(tmp_path / f"run{i}"))
        assert result.returncode == 0, f"inspect calls {analysis['analysis']} ready, but: {result.stderr}"


@pytest.mark.parametrize("command", [["lens"], ["filter", "--remove", "high", "--tau", "18"]])
def test_answers_that_are_not_numbers_are_skipped_and_counted(dump, tmp_path, command):
    out = tmp_path / "o"
    result = run(command[0], dump, *command[1:], "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert f"note: {OUTSIDE} of {P * TEMPLATES} prompts have an answer that is not a number token" in result.stderr
    assert summary(out)["answers_not_numbers"] == OUTSIDE
    assert "not a number token" in (out / "index.html").read_text()


def test_inspect_says_when_a_ready_spectrum_needs_allow_gaps(tmp_path):
    path = str(tmp_path / "gaps.h5")
    with h5py.File(path, "w") as f:
        f["tokens/values"] = np.array([0, 1, 2, 3, 5, 6, 7, 8])
        f["weights/W_E"] = np.random.default_rng(0).standard_normal((8, 4)).astype(np.float32)
    report = json.loads(run("inspect", path, "--json").stdout)
    spectrum = next(a for a in report["analyses"] if a["analysis"] == "spectrum")
    assert spectrum["ready"] and "--allow-gaps" in spectrum["note"]
    assert run("spectrum", path, "--out", str(tmp_path / "refused")).returncode == 2
    assert run("spectrum", path, "--allow-gaps", "--out", str(tmp_path / "ran")).returncode == 0
