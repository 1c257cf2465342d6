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

from report_helpers import REPO, REPORT_RUNS

TEXT = re.compile(r"<text([^>]*)>([^<]*)</text>")


def widths():
    """The charts' own width table (TextExtent.ascii, per 1000 units of font size)."""
    with open(os.path.join(REPO, "Sources", "FourierLens", "Report", "TextExtent.swift")) as f:
        source = f.read()
    table = re.search(r"static let ascii: \[Double\] = \[([^\]]*)\]", source).group(1)
    values = [float(v) for v in table.replace("\n", " ").split(",") if v.strip()]
    assert len(values) == 95
    return values


WIDTHS = widths()


def attribute(name, attributes):
    match = re.search(rf'(?<![-\w]){name}="([^"]*)"', attributes)
    return match.group(1) if match else None


def texts(svg):
    """Every unrotated <text>: (text, x, y, font size, anchor, class, box)."""
    default_size = float(re.search(r'<svg[^>]*font-size="([0-9.]+)"', svg).group(1))
    found = []
    for attributes, body in TEXT.findall(svg):
        if "transform" in attributes:
            continue
        text = html.unescape(body)
        x, y = float(attribute("x", attributes)), float(attribute("y", attributes))
        size = float(attribute("font-size", attributes) or default_size)
        anchor = attribute("text-anchor", attributes) or "start"
        width = sum(WIDTHS[ord(c) - 32] if 32 <= ord(c) <= 126 else 1000 for c in text) / 1000 * size
        x0 = {"start": x, "middle": x - width / 2, "end": x - width}[anchor]
        found.append({"text": text, "x": x, "y": y, "anchor": anchor, "class": attribute("class", attributes) or "",
                      "box": (x0, y - 0.8 * size, x0 + width, y + 0.25 * size)})
    return found


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
    for name, svg in svgs(demo_reports[kind]):
        boxes = [t for t in texts(svg) if t["text"].strip()]
        for i, a in enumerate(boxes):
            for b in boxes[i + 1:]:
                (ax0, ay0, ax1, ay1), (bx0, by0, bx1, by1) = a["box"], b["box"]
                assert not (ax0 < bx1 and bx0 < ax1 and ay0 < by1 and by0 < ay1), (name, a["text"], b["text"])


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
