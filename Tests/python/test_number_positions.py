"""spectrum, probe and compare on [N, pos, d] activations (lens --every-position, the exporter's
position="all"): --position takes an index, a negative index from the end, or `prompt` (each
prompt's /prompts/position), and reads exactly the rows a 2-D dataset of those vectors gives."""
import csv
import json
import os
import subprocess

import h5py
import numpy as np

from report_helpers import fourierlens, tool

N, POS, D = 120, 4, 24
ACTS = "/acts/blocks.0.hook_resid_post"


def make_dump(path):
    rng = np.random.default_rng(2)
    a = np.arange(N)
    acts = rng.standard_normal((N, POS, D))
    signal = np.outer(np.cos(2 * np.pi * a / 10), rng.standard_normal(D)) * 2
    acts[:, 2, :] += signal
    own = rng.integers(0, POS, N)
    with h5py.File(path, "w") as f:
        f.attrs["schema"] = "fourierlens/1"
        f.attrs["d_model"] = D
        f["acts/blocks.0.hook_resid_post"] = acts.astype(np.float32)
        f["prompts/values"] = a
        f["prompts/position"] = own
        f["flat/at2"] = acts[:, 2, :].astype(np.float32)
        f["flat/own"] = acts[a, own, :].astype(np.float32)
    return str(path)


def csv_rows(path):
    with open(path, newline="") as f:
        return list(csv.reader(f))


def spectrum(dump, out, *flags):
    fourierlens("spectrum", dump, "--out", str(out), "--quiet", "--no-figures", *flags)
    return csv_rows(os.path.join(out, "spectrum.csv")), json.load(open(os.path.join(out, "summary.json")))


def test_spectrum_reads_one_position(tmp_path):
    dump = make_dump(tmp_path / "d.h5")
    flat, _ = spectrum(dump, tmp_path / "flat", "--dataset", "/flat/at2", "--values", "/prompts/values")
    for position in ("2", "=-2"):
        rows, summary = spectrum(dump, tmp_path / f"p{position}", "--dataset", ACTS, "--position" + (position if position.startswith("=") else "=" + position))
        assert rows == flat, position
        assert [o["k"] for o in summary["outliers"]] == [12]  # period 10 over 120 numbers
    own_flat, _ = spectrum(dump, tmp_path / "own_flat", "--dataset", "/flat/own", "--values", "/prompts/values")
    own, _ = spectrum(dump, tmp_path / "own", "--dataset", ACTS, "--position", "prompt")
    assert own == own_flat


def scores(out):
    summary = json.load(open(os.path.join(out, "summary.json")))
    return {s["probe"]: s["folds"] for s in summary["sources"][0]["scores"]}


def test_probe_and_compare_read_one_position(tmp_path):
    dump = make_dump(tmp_path / "d.h5")
    probes = ["--probes", "value,mod10,fourier"]
    fourierlens("probe", dump, "--dataset", "/flat/at2", "--values", "/prompts/values", *probes, "--out", str(tmp_path / "flat"), "--quiet", "--no-figures")
    fourierlens("probe", dump, "--dataset", ACTS, "--position=-2", *probes, "--out", str(tmp_path / "pos"), "--quiet", "--no-figures")
    assert scores(tmp_path / "pos") == scores(tmp_path / "flat")
    out = tmp_path / "compare"
    fourierlens("compare", dump + ":" + ACTS, "--position", "2", "--random", "gaussian",
                "--out", str(out), "--quiet", "--no-figures")
    summary = json.load(open(out / "summary.json"))
    assert [o["k"] for o in summary["a"]["outliers"]] == [12]


def refused(*args):
    result = subprocess.run([tool(), *args], capture_output=True, text=True)
    assert result.returncode == 2, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    return result.stderr


def test_bad_positions_are_refused_with_one_line(tmp_path):
    dump = make_dump(tmp_path / "d.h5")
    out = str(tmp_path / "never")
    assert "--position within 0…3" in refused("spectrum", dump, "--dataset", ACTS, "--position", "4", "--out", out) or \
        "--position within" in refused("spectrum", dump, "--dataset", ACTS, "--position", "4", "--out", out)
    assert "2-D" in refused("spectrum", dump, "--dataset", "/flat/at2", "--values", "/prompts/values", "--position", "1", "--out", out)
    assert "--position" in refused("probe", dump, "--dataset", ACTS, "--position", "middle", "--out", out)
    assert not os.path.exists(out)
