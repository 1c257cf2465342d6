"""The notebook API (fourierlens.spectrum, .compare, .probe, .lens, .boolean on numpy arrays) gives
the CLI's own reports on the same data, table for table; reports.load_study and load_prompts
read a study and the per-prompt files back consistently with the reports' own tables."""
import os
import subprocess

import h5py
import numpy as np
import pandas as pd
import pytest

import fourierlens
from fourierlens import reports
from report_helpers import DEMO, FAST_PROBES, REPO, fourierlens as cli, tool

MAJORITY = os.path.join(REPO, "probes", "boolean", "majority10.h5")


@pytest.fixture(autouse=True)
def binary(monkeypatch):
    monkeypatch.setenv("FOURIERLENS_BIN", tool())


def demo(*names):
    with h5py.File(DEMO) as f:
        return [f[name][...] for name in names]


def assert_same_tables(api, report_dir, skip_columns=()):
    """Every CSV of the CLI's report equals the API's table of the same name."""
    expected = reports.load(report_dir)
    assert sorted(api) == sorted(expected)
    for name, frame in expected.items():
        if name == "summary":
            continue
        keep = [c for c in frame.columns if c not in skip_columns]
        pd.testing.assert_frame_equal(api[name][keep], frame[keep], check_exact=True, obj=name)


def test_spectrum_of_an_array_is_the_cli_spectrum(demo_reports):
    W_E, values = demo("weights/W_E", "tokens/values")
    report = fourierlens.spectrum(W_E, values)
    assert_same_tables(report, demo_reports["spectrum"])
    expected = reports.load(demo_reports["spectrum"])["summary"]
    assert report["summary"]["outlier_periods"] == expected["outlier_periods"]
    assert report["summary"]["key_energy_fraction"] == expected["key_energy_fraction"]


def test_compare_against_a_baseline_and_two_arrays(demo_reports, tmp_path):
    W_E, values = demo("weights/W_E", "tokens/values")
    report = fourierlens.compare(W_E, values=values, random="gaussian", probes="value,mod2,mod10,helix", pca_dimensions=16)
    assert_same_tables(report, demo_reports["compare"], skip_columns=("dataset", "label"))
    # Two arrays: B given as a matrix equals the CLI comparing two files.
    noise = np.random.default_rng(3).standard_normal(W_E.shape).astype(np.float32)
    with h5py.File(tmp_path / "b.h5", "w") as f:
        f.attrs["schema"], f.attrs["d_model"] = "fourierlens/1", W_E.shape[1]
        f["tokens/ids"], f["tokens/values"], f["weights/W_E"] = np.arange(len(values)), values, noise
    cli("compare", DEMO, str(tmp_path / "b.h5"), *FAST_PROBES, "--out", str(tmp_path / "two"), "--quiet", "--no-figures")
    two = fourierlens.compare(W_E, noise, values, probes=["value", "mod2", "mod10", "helix"], pca_dimensions=16)
    assert_same_tables(two, str(tmp_path / "two"), skip_columns=("dataset", "label"))


def test_probe_of_an_array_is_the_cli_probe(tmp_path):
    acts, values = demo("acts/blocks.2.hook_resid_post", "prompts/values")
    out = str(tmp_path / "cli")
    cli("probe", DEMO, "--dataset", "/acts/blocks.2.hook_resid_post", *FAST_PROBES, "--out", out, "--quiet", "--no-figures")
    report = fourierlens.probe(acts, values, probes="value,mod2,mod10,helix", pca_dimensions=16)
    assert_same_tables(report, out, skip_columns=("dataset", "site", "layer"))


def test_lens_of_arrays_is_the_cli_lens(demo_reports):
    with h5py.File(DEMO) as f:
        mapping = {"/" + name: f[name][...] for name in ("weights/W_U", "weights/vocab_ids", "tokens/ids", "tokens/values",
                                                          "tokens/strings", "vocabulary/strings", "prompts/answer",
                                                          "prompts/position", "prompts/values", "prompts/text", "prompts/tokens")}
        for layer in range(6):
            mapping[f"/acts/blocks.{layer}.hook_resid_post"] = f[f"acts/blocks.{layer}.hook_resid_post"][...]
        mapping["attrs"] = {"d_model": 384, "n_layers": 6}
    mapping["/prompts/answer"] = (mapping["/prompts/answer"], {"kind": "value"})
    report = fourierlens.lens(mapping)
    assert_same_tables(report, demo_reports["lens"])
    by_path = fourierlens.lens(DEMO)
    assert_same_tables(by_path, demo_reports["lens"])


def test_boolean_of_arrays_is_the_cli_boolean(demo_reports):
    with h5py.File(MAJORITY) as f:
        bits, outputs = f["boolean/inputs"][...], f["boolean/outputs"][...]
        names = [n.decode() for n in f["boolean/output_names"][...]]
        acts = {name: f[f"boolean/acts/{name}"][...] for name in f["boolean/acts"]}
    report = fourierlens.boolean(bits, outputs, names=names, acts=acts, target="majority")
    assert_same_tables(report, demo_reports["boolean"])
    sets = report["coefficients"]["set"]
    assert all(isinstance(s, tuple) and all(isinstance(i, int) for i in s) for s in sets)
    assert fourierlens.boolean.cube(3).shape == (8, 3)  # the module's helpers stay reachable


def test_out_keeps_the_page_and_bad_input_is_one_line(tmp_path):
    W_E, values = demo("weights/W_E", "tokens/values")
    out = tmp_path / "kept"
    fourierlens.spectrum(W_E, values, out=str(out), permutations=20)
    assert (out / "index.html").exists() and (out / "spectrum.svg").exists()
    with pytest.raises(fourierlens.ExportError, match="exists"):  # an existing folder is kept without force
        fourierlens.spectrum(W_E, values, out=str(out), permutations=30)
    assert reports.load(str(out))["summary"]["options"]["permutations"] == 20
    fourierlens.spectrum(W_E, values, out=str(out), permutations=30, force=True)  # an existing report is replaced
    assert reports.load(str(out))["summary"]["options"]["permutations"] == 30
    for call, message in [(lambda: fourierlens.spectrum(np.zeros(5)), "expected a non-empty 2-D array"),
                          (lambda: fourierlens.spectrum(W_E, values[:10]), "expected one per row"),
                          (lambda: fourierlens.spectrum(W_E, values, permutations=-1), "--permutations"),
                          (lambda: fourierlens.compare(W_E), "random="),
                          (lambda: fourierlens.lens({"weights/W_U": W_E}), "expected a dataset path")]:
        with pytest.raises(fourierlens.ExportError, match=message) as error:
            call()
        assert "\n" not in str(error.value)


def test_load_prompts_agrees_with_the_reports_tables(demo_reports, tmp_path):
    lens = reports.load_prompts(demo_reports["lens"])
    layers = reports.load(demo_reports["lens"])["lens_layers"]
    asked = lens[lens["asked"] & lens["answer_is_number"]]
    for row in layers.itertuples():
        mine = asked[(asked["site"] == row.site) & (asked["layer"] == row.layer)]
        assert len(mine) == 300
        assert (mine["predicted"] == mine["answer"]).mean() == pytest.approx(row.acc_exact, abs=1e-12)
        assert mine["rank"].mean() == pytest.approx(row.mean_answer_rank, rel=1e-9)
    with_arrays = reports.load_prompts(os.path.join(demo_reports["lens"], "lens_prompts.h5"), arrays=True)
    assert with_arrays["number_logits"].iloc[0].shape == (300,)
    filtered = reports.load_prompts(demo_reports["filter"])
    effect = reports.load(demo_reports["filter"])["filter_effect"]
    for row in effect.itertuples():
        mine = filtered[(filtered["site"] == row.site) & (filtered["layer"] == row.layer) & filtered["answer_is_number"]]
        assert (mine["predicted_before"] == mine["answer"]).mean() == pytest.approx(row.acc_before, abs=1e-12)
        assert (mine["predicted_after"] == mine["answer"]).mean() == pytest.approx(row.acc_after, abs=1e-12)
    with pytest.raises(FileNotFoundError, match="lens, filter or patch"):
        reports.load_prompts(str(tmp_path))


def test_load_study_stacks_each_analysis_and_load_reads_a_study(tmp_path):
    spec = tmp_path / "study.yaml"
    spec.write_text(f"""title: Loader
dumps:
  minilm: {{path: {DEMO}}}
analyses:
  - kind: spectrum
    name: layers
    sites: [resid_post]
    layers: 0-1
    options: {{permutations: 20}}
  - kind: lens
    shards: 2
""")
    out = str(tmp_path / "study")
    done = subprocess.run([tool(), "run", str(spec), "--out", out, "--quiet"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    study = reports.load(out)
    assert set(study) == {"manifest", "tasks", "tables"}
    assert sorted(study["tasks"]) == ["layers.minilm.blocks.0.hook_resid_post", "layers.minilm.blocks.1.hook_resid_post", "lens.minilm"]
    stacked = study["tables"]["layers"]["spectrum"]
    for task_id in ("layers.minilm.blocks.0.hook_resid_post", "layers.minilm.blocks.1.hook_resid_post"):
        mine = stacked[stacked["task"] == task_id].drop(columns=["task", "dump", "site", "layer"]).reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, study["tasks"][task_id]["spectrum"], check_exact=True)
    assert set(stacked["layer"]) == {"0", "1"} and set(stacked["site"]) == {"resid_post"}
    with pytest.raises(FileNotFoundError, match="study.json"):
        reports.load_study(str(tmp_path))
