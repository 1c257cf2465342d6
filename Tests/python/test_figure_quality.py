"""Figures a paper can use, read back from every demo report's SVGs: accuracies and
probabilities on a fixed 0–1 scale, error bars where the CSVs have spreads (lens accuracies with
their Wilson intervals, checked against scipy; probes ± one sd over folds; sampled Boolean
estimates), hover texts with four significant digits and the point's other statistics, the
window heatmap's cells past the last number named, and the Boolean sensitivity per unit variance
(a logit difference's huge as(f) no longer flattens a ±1 decision's)."""
import csv
import html
import os
import re

import numpy as np
import pytest
from scipy.stats import binomtest

from boolean_helpers import cube_bits, write_dump
from report_helpers import fourierlens
from svg_boxes import texts

TITLE = re.compile(r"<title>([^<]*)</title>")


def read(directory, name):
    with open(os.path.join(directory, name)) as f:
        return f.read()


def rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def hovers(svg, element="circle"):
    return [html.unescape(t) for t in re.findall(rf'<{element} class="(?:hover|bar|cell)"[^>]*><title>([^<]*)</title>', svg)]


def y_axis_ticks(svg):
    """The y axis's tick values (labels right-aligned left of the plot)."""
    return [float(t["text"]) for t in texts(svg) if t["anchor"] == "end" and re.fullmatch(r"-?[0-9.]+", t["text"])]


def colorbar_ticks(svg):
    return [float(t["text"]) for t in texts(svg) if t["anchor"] == "start" and not t["class"] and re.fullmatch(r"[0-9.]+", t["text"])]


def test_accuracy_and_probability_scales_are_fixed(demo_reports):
    lens = demo_reports["lens"]
    for name in (n for n in os.listdir(lens) if n.startswith("lens_accuracy_") and n.endswith(".svg")):
        ticks = y_axis_ticks(read(lens, name))
        assert min(ticks) == 0 and max(ticks) == 1, (name, ticks)
    positions = demo_reports["lens_positions"]
    heatmaps = [n for n in os.listdir(positions) if n.startswith(("lens_positions_", "lens_trajectory_")) and n.endswith(".svg")]
    assert heatmaps
    for name in heatmaps:
        ticks = colorbar_ticks(read(positions, name))
        assert min(ticks) == 0 and max(ticks) == 1, (name, ticks)
    probe = read(demo_reports["probe"], "probes_accuracy.svg")
    assert min(y_axis_ticks(probe)) == 0 and max(y_axis_ticks(probe)) == 1


def test_lens_accuracy_error_bars_are_wilson_intervals(demo_reports):
    lens = demo_reports["lens"]
    svg = read(lens, "lens_accuracy_resid_post.svg")
    bars = re.findall(r'<path class="error-bar" data-series="0"', svg)
    exact = [h for h in hovers(svg) if h.startswith("exact, layer ")]
    assert exact and len(bars) == len(exact)
    for text in exact:
        share, low, high, n = re.search(r": ([0-9.e-]+); 95% Wilson interval ([0-9.e-]+)–([0-9.e-]+) over ([0-9]+) prompts", text).groups()
        n = int(n)
        hits = round(float(share) * n)
        reference = binomtest(hits, n).proportion_ci(confidence_level=0.95, method="wilson")
        assert float(low) == pytest.approx(reference.low, rel=1e-3, abs=1e-6), text
        assert float(high) == pytest.approx(reference.high, rel=1e-3, abs=1e-6), text
    assert "95% Wilson" in read(lens, "index.html")


def test_probe_error_bars_are_one_sd_over_folds(demo_reports):
    directory = demo_reports["probe"]
    table = rows(os.path.join(directory, "probes.csv"))
    for metric, name in (("accuracy", "probes_accuracy.svg"), ("r2", "probes_r2.svg")):
        svg = read(directory, name)
        assert '<path class="error-bar"' in svg, name
        for text in hovers(svg):
            if "shuffled control" in text:
                continue
            probe, rest = text.split(", layer ", 1)
            layer = int(rest.split(":")[0])
            row = next(r for r in table if r["probe"] == probe and int(r["layer"]) == layer and r["metric"] == metric)
            assert f"sd {float(row['std']):.4g}".rstrip("0").rstrip(".") in text or f"sd {float(row['std']):.4g}" in text, (text, row["std"])
    assert "standard deviation over the cross-validation folds" in read(directory, "index.html")
    compare = read(demo_reports["compare"], "index.html")
    assert 'class="error-bar"' in compare


def test_spectrum_hover_has_four_digits_and_every_statistic(demo_reports):
    directory = demo_reports["spectrum"]
    table = {int(r["k"]): r for r in rows(os.path.join(directory, "spectrum.csv"))}
    svg = read(directory, "spectrum.svg")
    observed = [h for h in hovers(svg) if h.startswith("observed, ")]
    assert len(observed) == len(table) - 1
    for text in observed:
        k = int(re.search(r" k ([0-9]+):", text).group(1))
        row = table[k]
        magnitude = re.search(r": ([-0-9.e+]+);", text).group(1)
        assert len(magnitude.split("e")[0].replace(".", "").lstrip("0")) <= 4, text
        assert float(magnitude) == pytest.approx(float(row["magnitude"]), rel=5e-4)
        assert float(re.search(r"T = ([0-9.e+-]+)", text).group(1)) == pytest.approx(float(row["period"]), rel=5e-4)
        for key, column in (("z", "z"), ("q", "q_value"), ("p", "p_value")):
            value = float(re.search(rf"\b{key} = ([-0-9.e+]+)", text).group(1))
            assert value == pytest.approx(float(row[column]), rel=5e-4, abs=1e-12), (text, column)


def test_window_cells_past_the_last_number_say_so(tmp_path):
    """The prompt with the smallest answer: its window (answer ± 10) runs below the first number."""
    import h5py
    from report_helpers import DEMO
    with h5py.File(DEMO) as f:
        prompt = int(np.argmin(f["prompts/answer"][()]))
    out = tmp_path / "lens"
    fourierlens("lens", DEMO, "--heatmap-prompt", str(prompt), "--out", str(out), "--quiet")
    svg = read(out, "lens_window_resid_post.svg")
    cells = hovers(svg, "rect")
    missing = [h for h in cells if h.endswith(": no number")]
    assert missing and 'class="missing-swatch"' in svg and ">no number</text>" in svg
    assert not any(h.endswith(": nan") for h in cells)
    assert 'fill="#FFFFFF"><title>' not in svg  # no blank white cell


@pytest.fixture(scope="module")
def sampled_boolean(tmp_path_factory):
    """A ±1 decision and a logit difference 75 times its scale, sampled from the cube."""
    n = 8
    bits = cube_bits(n)
    rng = np.random.default_rng(3)
    decision = np.where(bits.sum(axis=1) > n / 2, 1.0, -1.0)
    logit = 75 * decision + rng.standard_normal(len(decision))
    rows_ = rng.integers(0, 1 << n, 300)
    directory = tmp_path_factory.mktemp("boolean")
    dump = write_dump(directory / "b.h5", bits[rows_], np.stack([decision[rows_], logit[rows_]], axis=1),
                      names=["decision", "logit_diff"], design="sample")
    out = directory / "report"
    fourierlens("boolean", dump, "--max-degree", "3", "--out", str(out), "--quiet", "--no-figures")
    return out


def test_sensitivity_chart_is_per_unit_variance_with_intervals(sampled_boolean):
    table = {r["function"]: r for r in rows(os.path.join(sampled_boolean, "functions.csv"))}
    svg = read(sampled_boolean, "sensitivity.svg")
    bars = {re.search(r", (\w+): ", h).group(1): h for h in hovers(svg, "rect")}
    for name in ("decision", "logit_diff"):
        row = table[name]
        shown = float(re.search(r": ([-0-9.e+]+);", bars[name]).group(1))
        assert shown == pytest.approx(float(row["average_sensitivity"]) / float(row["variance"]), rel=1e-3)
    # The two share a scale: neither bar is a sliver beside the other.
    heights = [float(h) for h in re.findall(r'<rect class="bar"[^>]*height="([0-9.]+)"', svg)]
    assert min(heights) > 0.3 * max(heights), heights
    assert svg.count('class="error-bar"') == 2
    assert "95% interval" in read(sampled_boolean, "index.html")
    # The sampled degree shares carry their intervals too: one whisker per function and degree.
    degrees = read(sampled_boolean, "degrees.svg")
    assert degrees.count('class="error-bar"') == 2 * 3


@pytest.mark.parametrize("kind", ["spectrum", "compare", "probe", "lens", "lens_positions", "filter", "boolean", "merge"])
def test_no_chart_is_an_empty_frame(demo_reports, kind):
    directory = demo_reports[kind]
    for name in (n for n in os.listdir(directory) if n.endswith(".svg")):
        svg = read(directory, name)
        drawn = re.findall(r'<(?:circle class="(?:point|hover)"|rect class="(?:bar|cell)"|path class="stems")', svg)
        assert drawn, f"{kind}/{name} draws nothing"
