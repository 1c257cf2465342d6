"""Every chart of every report kind also as a 300 dpi PNG and a PDF, drawn from its SVG by librsvg
in the tool's process: the same pixels as Debian's rsvg-convert draws from that SVG (the
reference here), whatever is on PATH."""
import math
import os
import re
import subprocess

import numpy as np
import pytest
from PIL import Image

from report_helpers import DEMO, REPORT_RUNS, tool

ZOOM = 300 / 96


def view_box(svg_path):
    with open(svg_path) as f:
        width, height = re.search(r'viewBox="0 0 ([0-9.]+) ([0-9.]+)"', f.read()).groups()
    return float(width), float(height)


@pytest.mark.parametrize("kind", list(REPORT_RUNS))
def test_every_chart_has_a_print_png_and_a_pdf(demo_reports, kind):
    directory = demo_reports[kind]
    charts = sorted(n for n in os.listdir(directory) if n.endswith(".svg"))
    assert charts, kind
    for chart in charts:
        stem = os.path.join(directory, chart[:-4])
        width, height = view_box(stem + ".svg")
        image = Image.open(stem + ".png")
        # rsvg-convert rounds a fractional pixel up.
        assert image.size == (math.ceil(width * ZOOM - 1e-6), math.ceil(height * ZOOM - 1e-6)), chart
        assert image.info["dpi"] == pytest.approx((300, 300), abs=0.01), chart
        pixels = np.asarray(image.convert("RGB"), dtype=np.int16).reshape(-1, 3)
        inked = (pixels < 200).any(axis=1).mean()
        assert inked > 0.01, f"{chart}: {inked:.2%} of the PNG is drawn"
        assert len(np.unique(pixels[:: 97], axis=0)) > 20, f"{chart}: too few colours"
        with open(stem + ".pdf", "rb") as f:
            pdf = f.read()
        assert pdf.startswith(b"%PDF")
        box = [float(v) for v in re.search(rb"MediaBox \[ ?0 0 ([0-9.]+) ([0-9.]+) ?\]", pdf).groups()]
        assert box == pytest.approx([width * 0.75, height * 0.75], abs=1), chart


@pytest.mark.parametrize("kind", ["spectrum", "lens", "compare"])
def test_print_copies_are_what_rsvg_convert_draws(demo_reports, kind, tmp_path):
    directory = demo_reports[kind]
    charts = sorted(n for n in os.listdir(directory) if n.endswith(".svg"))
    for chart in charts:
        reference = tmp_path / (chart[:-4] + ".png")
        subprocess.run(["rsvg-convert", "--zoom", str(ZOOM), "--format", "png", "--output", str(reference),
                        os.path.join(directory, chart)], check=True)
        ours = np.asarray(Image.open(os.path.join(directory, chart[:-4] + ".png")).convert("RGBA"), dtype=np.int16)
        theirs = np.asarray(Image.open(reference).convert("RGBA"), dtype=np.int16)
        assert ours.shape == theirs.shape, chart
        assert np.abs(ours - theirs).max() == 0, f"{chart}: {(ours != theirs).any(axis=2).mean():.2%} of pixels differ"
        # The PDF: the same bytes as rsvg-convert writes with its date fixed to the epoch.
        reference_pdf = tmp_path / (chart[:-4] + ".pdf")
        subprocess.run(["rsvg-convert", "--format", "pdf", "--output", str(reference_pdf), os.path.join(directory, chart)],
                       check=True, env={**os.environ, "SOURCE_DATE_EPOCH": "0"})
        with open(os.path.join(directory, chart[:-4] + ".pdf"), "rb") as f:
            assert f.read() == reference_pdf.read_bytes(), f"{chart}: the PDF differs from rsvg-convert's"


def test_print_copies_need_no_program_on_path(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    out = tmp_path / "spectrum"
    result = subprocess.run([tool(), "spectrum", DEMO, "--out", str(out)], capture_output=True, text=True,
                            env={**os.environ, "PATH": str(bin_dir)})
    assert result.returncode == 0, result.stderr
    assert "note:" not in result.stderr
    assert {"spectrum.svg", "spectrum.png", "spectrum.pdf"} <= set(os.listdir(out))


def test_no_figures_writes_svg_only(tmp_path):
    out = tmp_path / "spectrum"
    subprocess.run([tool(), "spectrum", DEMO, "--no-figures", "--out", str(out), "--quiet"], check=True)
    assert not any(n.endswith((".png", ".pdf")) for n in os.listdir(out))


def test_print_copies_are_the_same_bytes_run_after_run(tmp_path):
    for name in ("one", "two"):
        subprocess.run([tool(), "spectrum", DEMO, "--permutations", "20", "--out", str(tmp_path / name), "--quiet"], check=True)
    for copy in ("spectrum.png", "spectrum.pdf"):
        assert (tmp_path / "one" / copy).read_bytes() == (tmp_path / "two" / copy).read_bytes(), copy
