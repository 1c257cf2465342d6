"""The HTML report opens in a real browser (headless Chromium) and shows its charts."""
import os

import numpy as np
from PIL import Image

from report_helpers import DEMO, fourierlens, headless


def test_compare_page_renders_with_its_charts(chromium, tmp_path):
    out = tmp_path / "compare"
    fourierlens("compare", DEMO, "--random", "gaussian", "--out", str(out), "--quiet")
    page = f"file://{out}/index.html"

    dom = headless(chromium, "--dump-dom", page).stdout
    assert dom.count("<figure") == 5 and dom.count("<svg") == 5  # overlay, probe accuracy, probe R², A, B
    for text in ("FourierLens compare", "Outliers and energy", ">T=2.5<", ">T=10<", "high-frequency share A / B", "Probes side by side",
                 'href="compare.csv"'):
        assert text in dom, text

    png = tmp_path / "page.png"
    headless(chromium, f"--screenshot={png}", "--window-size=1100,1800", page)
    image = Image.open(png).convert("RGB")
    assert image.size == (1100, 1800)
    pixels = np.asarray(image, dtype=np.int16).reshape(-1, 3)
    non_white = (pixels != 255).any(axis=1).mean()
    assert non_white > 0.05, f"the page looks blank ({non_white:.1%} non-white)"

    def count_near(rgb):
        return int((np.abs(pixels - np.array(rgb)) < 30).all(axis=1).sum())

    # The Okabe–Ito blue of series A and the vermillion of series B are drawn.
    assert count_near((0, 114, 178)) > 500
    assert count_near((213, 94, 0)) > 200
    assert len(np.unique(pixels, axis=0)) > 50
