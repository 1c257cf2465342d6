"""Names on the charts and the page: --title sets the page's title, --label NAME=TEXT replaces a
name wherever the charts and the page write it (never in the CSV or JSON files), the default
title names the dump's model; a malformed --label exits 2 with one line."""
import os
import subprocess

import h5py

from report_helpers import DEMO, fourierlens, tool


def files(directory):
    return {n: open(os.path.join(directory, n), "rb").read() for n in sorted(os.listdir(directory))}


def test_title_and_labels_reach_the_charts_and_the_page(tmp_path):
    plain, named = tmp_path / "plain", tmp_path / "named"
    fourierlens("spectrum", DEMO, "--out", str(plain), "--quiet", "--no-figures")
    source = f"{os.path.basename(DEMO)}:/weights/W_E"
    fourierlens("spectrum", DEMO, "--out", str(named), "--quiet", "--no-figures", "--title", "Embeddings & their periods",
                "--label", f"{source}=MiniLM W_E", "--label", "observed=measured")
    a, b = files(plain), files(named)
    page, svg = b["index.html"].decode(), b["spectrum.svg"].decode()
    assert "<title>Embeddings &amp; their periods</title>" in page and "<h1>Embeddings &amp; their periods</h1>" in page
    assert "MiniLM W_E" in svg and source not in svg, "the chart's title keeps the dump's name"
    assert "MiniLM W_E" in page and source not in page
    assert "measured, frequency k 1: " in svg and ">measured</text>" in svg and "observed" not in svg
    # CSV and JSON are the same bytes; the attribute values (classes, data-series) are untouched.
    for name in a:
        if name.endswith((".csv", ".json")):
            assert a[name] == b[name], name
    assert svg.count('data-series="0"') == a["spectrum.svg"].decode().count('data-series="0"')


def test_the_default_title_names_the_model(tmp_path):
    with h5py.File(DEMO) as f:
        model = f.attrs["model"]
        model = model.decode() if isinstance(model, bytes) else str(model)
    out = tmp_path / "r"
    fourierlens("spectrum", DEMO, "--out", str(out), "--quiet", "--no-figures")
    page = (out / "index.html").read_text()
    assert f"<h1>FourierLens spectrum: {model}</h1>" in page and f"<title>FourierLens spectrum: {model}</title>" in page


def test_a_label_without_a_name_exits_2_with_one_line(tmp_path):
    result = subprocess.run([tool(), "spectrum", DEMO, "--out", str(tmp_path / "r"), "--label", "=W_E"],
                            capture_output=True, text=True)
    assert result.returncode == 2 and "--label takes NAME=TEXT" in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert not (tmp_path / "r").exists()


def test_labels_split_at_commas_only_before_a_pair(tmp_path):
    out = tmp_path / "r"
    fourierlens("spectrum", DEMO, "--out", str(out), "--quiet", "--no-figures", "--label", "observed=a, b,null 95% band=band")
    svg = (out / "spectrum.svg").read_text()
    assert ">a, b<" in svg and ">band<" in svg
