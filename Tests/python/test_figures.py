"""Every chart of every report kind also as a 300 dpi PNG and a PDF, rendered from its SVG by
rsvg-convert; without rsvg-convert a run says so once and writes the SVGs alone."""
import math
import os
import re
import shutil
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


def test_without_rsvg_convert_the_run_says_so_once_and_keeps_the_svgs(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    out = tmp_path / "spectrum"
    result = subprocess.run([tool(), "spectrum", DEMO, "--out", str(out)], capture_output=True, text=True,
                            env={**os.environ, "PATH": str(bin_dir)})
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("rsvg-convert") == 1 and "librsvg2-bin" in result.stderr
    assert sorted(n for n in os.listdir(out) if n.startswith("spectrum.")) == ["spectrum.csv", "spectrum.svg"]


def test_no_figures_writes_svg_only(tmp_path):
    assert shutil.which("rsvg-convert")
    out = tmp_path / "spectrum"
    subprocess.run([tool(), "spectrum", DEMO, "--no-figures", "--out", str(out), "--quiet"], check=True)
    assert not any(n.endswith((".png", ".pdf")) for n in os.listdir(out))


def test_a_failing_conversion_is_one_line_naming_the_first_chart_and_leaves_nothing(tmp_path):
    """The conversions run side by side; a failure is still one line, for the first chart in
    order, and the report is not written."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "rsvg-convert"
    real = shutil.which("rsvg-convert")
    # PNGs convert; every PDF fails with its chart's name.
    fake.write_text(f'#!/bin/bash\ncase "$*" in *"--format pdf"*) echo "no pdf for ${{@: -1}}" >&2; exit 1;; esac\nexec {real} "$@"\n')
    fake.chmod(0o755)
    out = tmp_path / "spectrum"
    result = subprocess.run([tool(), "spectrum", DEMO, "--out", str(out)], capture_output=True, text=True,
                            env={**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"})
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "rsvg-convert: no pdf for" in lines[0], result.stderr
    assert not out.exists()
    svg_only = tmp_path / "svg-only"
    subprocess.run([tool(), "spectrum", DEMO, "--no-figures", "--out", str(svg_only), "--quiet"], check=True)
    first = sorted(n for n in os.listdir(svg_only) if n.endswith(".svg"))[0]
    assert f"({first}: rsvg-convert: no pdf for" in lines[0] and lines[0].rstrip().endswith("nothing was written"), lines[0]
