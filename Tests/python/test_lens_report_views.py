"""What the lens and filter reports show: only the readouts asked for (the KL reference read for
the lens is marked in lens_prompts.h5, never shown as asked), top periods one per column, the
chosen prompt layer by layer with token probabilities that match lens_prompts.h5, and one pair of
filter lines per site."""
import csv
import os
import re

import h5py
import numpy as np

from report_helpers import fourierlens
from test_shards import LAYERS, N, dump  # noqa: F401  (the shared dump fixture)


def rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def test_the_kl_reference_is_not_shown_as_asked(dump, tmp_path):  # noqa: F811
    out = str(tmp_path / "lens")
    fourierlens("lens", dump, "--sites", "mlp_out", "--out", out, "--quiet")
    layers = rows(os.path.join(out, "lens_layers.csv"))
    assert {r["site"] for r in layers} == {"mlp_out"} and len(layers) == LAYERS
    assert {r["site"] for r in rows(os.path.join(out, "lens_spectrum.csv"))} == {"mlp_out"}
    assert {r["site"] for r in rows(os.path.join(out, "lens_topk.csv"))} == {"mlp_out"}
    assert not os.path.exists(os.path.join(out, "lens_accuracy_resid_post.svg"))
    with h5py.File(os.path.join(out, "lens_prompts.h5"), "r") as f:
        names = [n.decode() if isinstance(n, bytes) else n for n in f["readouts/name"][...]]
        asked = f["readouts/asked"][...]
    assert names[-1] == f"blocks.{LAYERS - 1}.hook_resid_post" and list(asked) == [1] * LAYERS + [0]
    # Asked for, the same readout is shown like any other.
    both = str(tmp_path / "both")
    fourierlens("lens", dump, "--sites", "mlp_out,resid_post", "--out", both, "--quiet")
    assert {r["site"] for r in rows(os.path.join(both, "lens_layers.csv"))} == {"mlp_out", "resid_post"}


def test_top_periods_take_a_column_each(dump, tmp_path):  # noqa: F811
    out = str(tmp_path / "lens")
    fourierlens("lens", dump, "--out", out, "--quiet")
    table = rows(os.path.join(out, "lens_layers.csv"))
    assert all(";" not in value for r in table for value in r.values())
    assert {"top_period_1", "top_period_2", "top_period_3", "top_period_z_1"} <= set(table[0])
    # The columns hold summary.json's lists, in order, empty where fewer periods stand out.
    import json
    with open(os.path.join(out, "summary.json")) as f:
        summary = json.load(f)["rows"]
    for row, expected in zip(table, summary):
        periods = [float(row[f"top_period_{i}"]) for i in (1, 2, 3) if row[f"top_period_{i}"]]
        z = [float(row[f"top_period_z_{i}"]) for i in (1, 2, 3) if row[f"top_period_z_{i}"]]
        assert periods == expected["top_periods"] and z == expected["top_period_z"]


def test_the_chosen_prompt_reads_layer_by_layer(dump, tmp_path):  # noqa: F811
    out = str(tmp_path / "lens")
    fourierlens("lens", dump, "--heatmap-prompt", "7", "--top-k", "5", "--out", out, "--quiet")
    html = open(os.path.join(out, "index.html")).read()
    assert "Prompt 7 (answer" in html
    with h5py.File(os.path.join(out, "lens_prompts.h5"), "r") as f:
        top = f["lens/top_logit"][:, 7, 0]
        lse = f["lens/lse"][:, 7]
    shown = {f"{p:.3e}" if p < 1e-3 else f"{p:.4g}" for p in np.exp(top.astype(np.float64) - lse)}
    found = set(re.findall(r"#\d+ ([0-9.e-]+)<", html))
    assert shown & found, (shown, found)
    topk = rows(os.path.join(out, "lens_topk.csv"))
    assert {int(r["prompt"]) for r in topk} == {7}


def test_the_filter_draws_one_pair_of_lines_per_site(dump, tmp_path):  # noqa: F811
    out = str(tmp_path / "filter")
    fourierlens("filter", dump, "--remove", "high", "--tau", "6", "--out", out, "--quiet")
    svg = open(os.path.join(out, "filter_effect.svg")).read()
    for site in ("attn_out", "mlp_out", "resid_post"):
        assert f"{site} before" in svg and f"{site} after" in svg
    assert svg.count("<polyline") >= 6 or svg.count("<path") >= 6


def test_the_demo_names_its_periods_in_columns(tmp_path):
    from report_helpers import DEMO
    out = str(tmp_path / "demo")
    fourierlens("lens", DEMO, "--layers", "0", "--out", out, "--quiet")
    (row,) = rows(os.path.join(out, "lens_layers.csv"))
    assert [float(row[f"top_period_{i}"]) for i in (1, 2, 3)] == [5.0, 2.0, 2.5]
    assert all(float(row[f"top_period_z_{i}"]) >= 5 for i in (1, 2, 3))
