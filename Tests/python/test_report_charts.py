"""Every chart of every report kind, read back from its SVG: tick labels carry their true values
(evenly stepped as their positions; whole numbers on layer axes), no two labels' boxes overlap
(boxes from the text extents the charts are laid out with), every line is one series (its x only
increases, so sites or layers are never joined into one zig-zag), and legends name distinct
series by real names."""
import html
import math
import os
import re
from collections import defaultdict

import pytest

from report_helpers import REPORT_RUNS

from svg_boxes import collisions, texts

def number(text):
    try:
        return float(text.replace("−", "-"))
    except ValueError:
        return None


def tick_groups(svg):
    """Numeric labels that share an x and anchor (a vertical axis or colour bar) or a y (a
    horizontal axis), three or more: {key: [(position along the axis, value, text)]}."""
    groups = defaultdict(list)
    for t in texts(svg):
        value = number(t["text"])
        if value is None or t["class"]:
            continue
        groups[("vertical", t["anchor"], t["x"])].append((t["y"], value, t["text"]))
        if t["anchor"] == "middle":
            groups[("horizontal", t["y"])].append((t["x"], value, t["text"]))
    return {key: sorted(group) for key, group in groups.items() if len(group) >= 3}




def svgs(directory):
    names = sorted(n for n in os.listdir(directory) if n.endswith(".svg"))
    assert names, directory
    for name in names:
        with open(os.path.join(directory, name)) as f:
            yield name, f.read()


@pytest.mark.parametrize("kind", list(REPORT_RUNS))
def test_tick_labels_carry_their_true_values(demo_reports, kind):
    """A tick's position is a linear function of the value its label writes (of its logarithm on
    a log colour bar): a label rounded to fewer decimals than its step needs (0.25 as 0.2) sits
    where another value belongs. Every label of an axis has the same decimals."""
    for name, svg in svgs(demo_reports[kind]):
        log_scale = "(log scale)" in svg
        for key, ticks in tick_groups(svg).items():
            positions = [p for p, _, _ in ticks]
            values = [v for _, v, _ in ticks]
            logarithmic = log_scale and key[0] == "vertical" and key[1] == "start" and all(v > 0 for v in values)
            measured = [math.log10(v) for v in values] if logarithmic else values
            slope = (positions[-1] - positions[0]) / (measured[-1] - measured[0])
            for p, v, text in zip(positions, measured, (t for _, _, t in ticks)):
                where = positions[0] + slope * (v - measured[0])
                assert abs(where - p) < (0.5 if logarithmic else 0.1), (name, key, text, "drawn at", p, "belongs at", where)
            if not logarithmic:
                decimals = {len(t.split(".")[1]) if "." in t else 0 for _, _, t in ticks}
                assert len(decimals) == 1, (name, key, [t for _, _, t in ticks])
                d = decimals.pop()
                assert all(f"{v:.{d}f}" == t.replace("−", "-").lstrip("+") for _, v, t in ticks), (name, key, ticks)
                steps = [b - a for a, b in zip(values, values[1:])]
                assert all(f"{s:.{d}f}" != f"{0:.{d}f}" and abs(float(f"{s:.{d}f}") - s) < 1e-9 * max(1, abs(s)) for s in steps), \
                    (name, key, "the labels lack decimals their step needs", ticks)
        # Whole-number axes (layers) take integer ticks only.
        for t in texts(svg):
            if t["text"] == "layer" and t["anchor"] == "middle":
                below = [g for k, g in tick_groups(svg).items() if k[0] == "horizontal" and k[1] < t["y"]]
                for group in below:
                    assert all(v == int(v) and "." not in s for _, v, s in group), (name, group)


@pytest.mark.parametrize("kind", list(REPORT_RUNS))
def test_no_two_labels_overlap(demo_reports, kind):
    """Rotated labels too: the colour bar's title beside its widest tick ("0.03162")."""
    for name, svg in svgs(demo_reports[kind]):
        assert not collisions(svg), (name, collisions(svg))


@pytest.mark.parametrize("kind", list(REPORT_RUNS))
def test_every_line_is_one_series_and_legends_name_them(demo_reports, kind):
    for name, svg in svgs(demo_reports[kind]):
        for series, path in re.findall(r'<path data-series="([^"]*)" d="([^"]*)"', svg):
            xs = [float(x) for x in re.findall(r"[ML]([-0-9.]+) ", path)]
            assert all(b > a for a, b in zip(xs, xs[1:])), (name, series, "the line goes back: two series joined")
        legend = [html.unescape(t) for t in re.findall(r'<text class="legend"[^>]*>([^<]*)</text>', svg)]
        assert len(legend) == len(set(legend)), (name, legend)
        for entry in legend:
            assert entry.strip() and not re.fullmatch(r"[A-Z]: [A-Z]|series \d+|\d+", entry), (name, entry)
        toggles = re.findall(r'data-toggle="([^"]*)"', svg)
        assert len(toggles) == len(set(toggles)), (name, toggles)
