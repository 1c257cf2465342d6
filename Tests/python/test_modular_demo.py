"""The causal demo (probes/modular): a committed one-layer GPT-2 trained on (a + b) mod p.

- its key frequencies found by `fourierlens spectrum` equal those an independent numpy analysis of
  the weights finds (probes/modular/key_frequencies_numpy.py), and the model's own logits use them;
- the lens at the last resid_post gives the model's own accuracy in every norm mode that applies
  the final norm;
- `filter --keep key` / `--remove key` use that same set.
The patching of filtered activations back into the model is the notebook's (test_notebook.py)."""
import csv
import importlib.util
import json
import os
import re
import subprocess
import sys

import numpy as np
import pytest

from report_helpers import REPO, fourierlens

MODEL = os.path.join(REPO, "probes", "modular", "model")


def load_script(name):
    spec = importlib.util.spec_from_file_location(name, os.path.join(REPO, "probes", "modular", f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def dump(modular_dump):
    return modular_dump


@pytest.fixture(scope="module")
def numpy_analysis():
    return load_script("key_frequencies_numpy").analyse(MODEL)


def summary(out):
    with open(os.path.join(out, "summary.json")) as f:
        return json.load(f)


def test_key_set_equals_the_numpy_analysis(dump, numpy_analysis, tmp_path):
    out = str(tmp_path / "spectrum")
    fourierlens("spectrum", dump, "--null", "none", "--trend-period", "0", "--out", out, "--quiet")
    found = summary(out)
    reference = numpy_analysis["W_E"]
    assert reference["key_set_gap"], "the committed model's W_E has no key set by gap"
    assert found["key_set_gap"]["frequencies"] == reference["key_set_gap"]
    assert found["key_set_fraction"]["frequencies"] == reference["key_set_fraction"]
    # The model's computation uses these frequencies: its logits' cos(2πk(a+b−c)/p) terms carry
    # most of their variance, at the set that 90% of W_E's energy needs; W_E's gap set adds a few
    # minor frequencies (a LayerNorm model is free to keep them: its norm undoes any scale).
    logits = numpy_analysis["logits"]
    assert logits["share_of_variance_in_key_set"] > 0.8
    assert logits["key_set_gap"] == reference["key_set_fraction"]
    assert set(logits["key_set_gap"]) <= set(reference["key_set_gap"])
    with open(os.path.join(out, "spectrum.csv"), newline="") as f:
        flagged = [int(r["k"]) for r in csv.DictReader(f) if r["in_gap_set"] == "true"]
    assert flagged == reference["key_set_gap"]


def test_unembedding_key_set_equals_the_numpy_analysis(dump, numpy_analysis, tmp_path):
    """W_U [d × V] read along its number tokens' columns (the full vocabulary: "+", "=" and the
    end token are left out by /tokens/ids)."""
    out = str(tmp_path / "unembedding")
    fourierlens("spectrum", dump, "--dataset", "/weights/W_U", "--null", "none", "--trend-period", "0", "--out", out, "--quiet")
    found, reference = summary(out), numpy_analysis["W_U"]
    assert (found["key_set_gap"] or {}).get("frequencies") == reference["key_set_gap"]
    assert found["key_set_fraction"]["frequencies"] == reference["key_set_fraction"]
    assert reference["key_set_gap"] == numpy_analysis["logits"]["key_set_gap"]


def model_accuracy(p):
    """The model's own accuracy over all p² prompts: argmax over the number tokens at "="."""
    logits = np.asarray(load_script("key_frequencies_numpy").model_logits(MODEL, p))
    a, b = np.meshgrid(np.arange(p), np.arange(p), indexing="ij")
    return float((logits.argmax(axis=2) == (a + b) % p).mean())


@pytest.mark.parametrize("norm", ["cached", "recompute"])
def test_lens_at_the_last_resid_post_is_the_models_accuracy(dump, numpy_analysis, tmp_path, norm):
    out = str(tmp_path / norm)
    fourierlens("lens", dump, "--norm", norm, "--out", out, "--quiet")
    with open(os.path.join(out, "lens_layers.csv"), newline="") as f:
        rows = {(r["site"], int(r["layer"])): r for r in csv.DictReader(f)}
    expected = model_accuracy(numpy_analysis["p"])
    assert expected > 0.99
    assert float(rows[("resid_post", 0)]["acc_exact"]) == pytest.approx(expected, abs=1e-12)


def test_filter_key_uses_the_unembeddings_key_set(dump, numpy_analysis, tmp_path):
    key = numpy_analysis["W_U"]["key_set_gap"]
    assert key, "the committed model's W_U has no key set by gap"
    p = numpy_analysis["p"]
    for flag, removed in (("--keep", [k for k in range(1, p // 2 + 1) if k not in key]), ("--remove", key)):
        out = str(tmp_path / flag.strip("-"))
        fourierlens("filter", dump, "--sites", "resid_post", flag, "key", "--trend-period", "0", "--out", out, "--quiet")
        assert summary(out)["removed_frequencies"] == removed, flag


def test_filter_folded_into_the_final_norm_equals_numpy(dump, tmp_path):
    """--fold-final-norm: the basis is diag(w)·W_num centred over d_model (a LayerNorm); the key
    set is that matrix's, and the filtered activations are numpy's projection onto the null
    space of B·F·W_effᵀ."""
    import h5py

    analysis = load_script("key_frequencies_numpy")
    with h5py.File(dump) as f:
        ids, w_u = f["tokens/ids"][...], f["weights/W_U"][...].astype(np.float64)
        weight = f["weights/ln_final.w"][...].astype(np.float64)
        x = f["acts/blocks.0.hook_resid_post"][...].astype(np.float64)
    folded = weight[:, None] * w_u[:, ids]
    folded -= folded.mean(axis=0)
    p = folded.shape[1]
    key = analysis.key_set_by_gap(analysis.energies_along_numbers(folded.T))
    out = str(tmp_path / "folded")
    fourierlens("filter", dump, "--sites", "resid_post", "--remove", "key", "--trend-period", "0", "--fold-final-norm", "--out", out, "--quiet")
    found = summary(out)
    assert found["removed_frequencies"] == key and found["fold_final_norm"] is True
    numbers = np.arange(p)
    rows = [np.cos(2 * np.pi * k * numbers / p) for k in key] + [np.sin(2 * np.pi * k * numbers / p) for k in key]
    m = np.array(rows) @ folded.T                      # [2|Γ| × d]
    q, _ = np.linalg.qr(m.T)                            # an orthonormal basis of M's row space
    expected = x - (x @ q) @ q.T
    with h5py.File(os.path.join(out, "filtered.h5")) as f:
        got = f["acts/blocks.0.hook_resid_post"][...].astype(np.float64)
        assert f.attrs["filter_fold_final_norm"] == 1
    np.testing.assert_allclose(got, expected, atol=2e-4 * np.abs(x).max())


def test_a_restricted_unembedding_is_read_through_its_vocab_ids(dump, tmp_path):
    """W_U keeping only the p number columns, shuffled (/weights/vocab_ids): the spectrum of its
    number columns is the full W_U's (columns are found by id, never taken in stored order)."""
    import shutil

    import h5py

    restricted = str(tmp_path / "restricted.h5")
    shutil.copy(dump, restricted)
    with h5py.File(restricted, "r+") as f:
        ids = f["tokens/ids"][...]
        order = np.random.default_rng(0).permutation(ids)  # exactly the p number columns, shuffled
        w_u = f["weights/W_U"][...][:, order]
        del f["weights/W_U"]
        f["weights/W_U"] = w_u
        f["weights/W_U"].attrs["restricted"] = 1
        f["weights/vocab_ids"] = order
    spectra = []
    for name, path in (("full", dump), ("restricted", restricted)):
        out = str(tmp_path / name)
        fourierlens("spectrum", path, "--dataset", "/weights/W_U", "--null", "none", "--out", out, "--quiet")
        with open(os.path.join(out, "spectrum.csv"), newline="") as f:
            spectra.append([float(r["magnitude"]) for r in csv.DictReader(f)])
    np.testing.assert_allclose(spectra[1], spectra[0], rtol=1e-6)


@pytest.mark.parametrize("arguments, fragment", [
    (["spectrum", "{dump}", "--key-fraction", "0"], "--key-fraction must lie in (0, 1]"),
    (["spectrum", "{dump}", "--key-fraction", "nan"], "--key-fraction must lie in (0, 1]"),
    (["spectrum", "{dump}", "--key-min-gap", "1"], "--key-min-gap must be a ratio greater than 1"),
    (["filter", "{dump}", "--keep", "key", "--key-min-gap", "inf"], "--key-min-gap must be a ratio greater than 1"),
    (["filter", "{dump}", "--keep", "key", "--key-min-gap", "50"], "/weights/W_U: expected number columns whose spectrum has a key set"),
    (["filter", "{demo}", "--remove", "key", "--fold-final-norm"], "/weights/ln_final.w: expected the final norm's weight"),
])
def test_bad_key_set_options_exit_2_with_one_line(dump, tmp_path, arguments, fragment):
    from report_helpers import DEMO, tool

    command = [a.format(dump=dump, demo=DEMO) for a in arguments]
    result = subprocess.run([tool(), *command, "--out", str(tmp_path / "out")], capture_output=True, text=True)
    assert result.returncode == 2 and fragment in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and not (tmp_path / "out").exists()


def test_the_one_layer_demo_pages_draw_every_chart_clear(dump, tmp_path):
    """`make demo`'s modular pages (one layer): every chart draws its data (markers or bars, never
    an empty frame), no two of its labels overlap, accuracies sit on a 0–1 axis."""
    from svg_boxes import collisions
    runs = {"lens": ["lens", dump, "--norm", "cached"], "keep-key": ["filter", dump, "--keep", "key", "--fold-final-norm"],
            "remove-key": ["filter", dump, "--remove", "key", "--fold-final-norm"], "spectrum": ["spectrum", dump]}
    for name, arguments in runs.items():
        out = str(tmp_path / name)
        fourierlens(*arguments, "--out", out, "--quiet", "--no-figures")
        for chart in (n for n in os.listdir(out) if n.endswith(".svg")):
            svg = open(os.path.join(out, chart)).read()
            drawn = re.findall(r'<(?:circle class="(?:point|hover)"|rect class="(?:bar|cell)"|path class="stems")', svg)
            assert drawn, f"{name}/{chart} is an empty frame"
            assert not collisions(svg), (name, chart, collisions(svg))
            if chart.startswith("lens_accuracy_"):
                assert ">1.0</text>" in svg and ">0.0</text>" in svg, chart
