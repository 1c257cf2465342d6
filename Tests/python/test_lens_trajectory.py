"""`lens --every-position`: the chosen prompt's prediction trajectory (top token per layer and
position) equals numpy's softmax of the normed readout @ W_U + b_U at each of that prompt's
positions; padded positions are left out; the grid shows the token strings and hovers exactly."""
import csv
import re

import numpy as np
import pytest
from scipy.special import softmax

from chromium_session import ChromiumSession
from positions_dump import CHOSEN, EPS, LAYERS, vocabulary, write_positions_dump
from report_helpers import fourierlens


@pytest.fixture(scope="module")
def dump(tmp_path_factory):
    path = str(tmp_path_factory.mktemp("trajectory") / "positions.h5")
    return path, write_positions_dump(path)


def expected(model, site, layer, position):
    """numpy: softmax of the recomputed-LayerNorm readout @ W_U (+ b_U and the norm's bias on the
    residual stream only) for the chosen prompt at one position."""
    x = model["acts"][layer][site][CHOSEN, position].astype(np.float64)
    y = (x - x.mean()) / np.sqrt(x.var() + EPS) * model["w"]
    logits = y @ model["W_U"]
    if site == "resid_post":
        logits = logits + model["b"] @ model["W_U"] + model["b_U"]
    probability = softmax(logits)
    answer = 20 + model["answers"][CHOSEN]
    top = int(np.argmax(probability))
    return top, probability[top], 1 + int((logits > logits[answer]).sum()), probability[answer]


def rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def report(dump, tmp_path_factory):
    path, _ = dump
    out = tmp_path_factory.mktemp("report") / "lens"
    fourierlens("lens", path, "--every-position", "--norm", "recompute", "--heatmap-prompt", str(CHOSEN),
                "--out", str(out), "--quiet")
    return out


def test_the_trajectory_equals_numpy(dump, report):
    _, model = dump
    table = rows(report / "lens_trajectory.csv")
    strings = vocabulary()
    # Positions 4 and 5 are padding for the chosen prompt: left out.
    assert sorted({int(r["position"]) for r in table}) == [0, 1, 2, 3]
    assert len(table) == 4 * LAYERS * 2
    for r in table:
        layer, position, site = int(r["layer"]), int(r["position"]), r["site"]
        top, top_p, rank, answer_p = expected(model, site, layer, position)
        assert int(r["prompt"]) == CHOSEN
        assert r["input_token"] == model["tokens"][CHOSEN, position]
        assert int(r["top_token_id"]) == top and r["top_token"] == strings[top], r
        assert float(r["top_prob"]) == pytest.approx(top_p, rel=1e-4)
        assert int(r["answer_rank"]) == rank, r
        assert float(r["answer_prob"]) == pytest.approx(answer_p, rel=1e-4)
    # The planted position: the answer rises to the top with depth there.
    last = [r for r in table if r["site"] == "resid_post" and int(r["layer"]) == LAYERS - 1 and r["position"] == "3"]
    assert int(last[0]["answer_rank"]) == 1


def test_the_grid_shows_the_top_tokens_and_the_input_tokens(dump, report):
    table = [r for r in rows(report / "lens_trajectory.csv") if r["site"] == "mlp_out"]
    svg = (report / "lens_trajectory_mlp_out.svg").read_text()
    unescape = lambda s: s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")
    cells = [unescape(t) for t in re.findall(r'<text class="cell-text"[^>]*>([^<]*)</text>', svg)]
    shown = lambda token: ("␣" + token[1:]) if token.startswith(" ") else token
    by_cell = {(int(r["layer"]), int(r["position"])): shown(r["top_token"]) for r in table}
    # Row-major: layers top to bottom, positions left to right.
    assert cells == [by_cell[(layer, position)] for layer in range(LAYERS) for position in range(4)]
    ticks = [unescape(t) for t in re.findall(r'<text x="[-0-9.]+" y="[-0-9.]+" text-anchor="middle">([^<]*)</text>', svg)]
    assert ticks[:4] == ["w0", "w1", "␣<in>", "w3"]
    titles = [unescape(t) for t in re.findall(r"<title>([^<]*)</title>", svg)]
    assert len(titles) == LAYERS * 4
    for title, r in zip(titles, [by_layer for layer in range(LAYERS) for by_layer in
                                 sorted((x for x in table if int(x["layer"]) == layer), key=lambda x: int(x["position"]))]):
        # Four significant digits (the CSV holds every digit).
        assert float(title.rsplit("top p: ", 1)[1]) == pytest.approx(float(r["top_prob"]), rel=5e-4), title
        assert f"answer rank {r['answer_rank']}," in title, title
    assert "trajectory_mlp_out" in (report / "index.html").read_text()


def test_the_kl_reference_stays_out_of_the_position_views(dump, tmp_path):
    path, _ = dump
    out = tmp_path / "lens"
    fourierlens("lens", path, "--every-position", "--sites", "mlp_out", "--heatmap-prompt", str(CHOSEN),
                "--out", str(out), "--quiet")
    assert {r["site"] for r in rows(out / "lens_positions.csv")} == {"mlp_out"}
    assert {r["site"] for r in rows(out / "lens_trajectory.csv")} == {"mlp_out"}
    assert not (out / "lens_trajectory_resid_post.svg").exists()


def test_hovering_a_grid_cell_shows_its_probability(chromium, report, tmp_path):
    table = rows(report / "lens_trajectory.csv")
    browser = ChromiumSession(chromium, str(tmp_path / "profile"))
    try:
        browser.open(f"file://{report}/index.html")
        target = browser.evaluate("""(function(){
          const cell = document.querySelector('#trajectory_resid_post svg .cell[data-value]');
          cell.scrollIntoView({block: 'center'}); const r = cell.getBoundingClientRect();
          return [r.x + r.width / 2, r.y + r.height / 2, cell.getAttribute('data-value')]; })()""")
        x, y, value = target
        browser.move(x, y)
        shown = browser.evaluate("(function(){const t=document.getElementById('fl-tip');return t.hidden?null:t.textContent})()")
    finally:
        browser.close()
    assert shown == value
    first = next(r for r in table if r["site"] == "resid_post" and r["layer"] == "0" and r["position"] == "0")
    # Four significant digits (the CSV holds every digit).
    assert float(shown.rsplit(": ", 1)[1]) == pytest.approx(float(first["top_prob"]), rel=5e-4)
    answer = re.search(rf"answer rank {first['answer_rank']}, p ([-0-9.e+]+);", shown)
    assert answer and float(answer.group(1)) == pytest.approx(float(first["answer_prob"]), rel=5e-4), shown


def test_a_long_value_stays_inside_the_window(chromium, report, tmp_path):
    # The rightmost cell's value is longer than the room right of the pointer.
    browser = ChromiumSession(chromium, str(tmp_path / "profile"), width=1000, height=800)
    try:
        browser.open(f"file://{report}/index.html")
        x, y = browser.evaluate("""(function(){
          const cells = document.querySelectorAll('#trajectory_resid_post svg .cell[data-value]');
          const cell = cells[cells.length - 1]; cell.scrollIntoView({block: 'center'});
          const r = cell.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()""")
        browser.move(x, y)
        tip, width = browser.evaluate("""(function(){const t = document.getElementById('fl-tip').getBoundingClientRect();
          return [[t.left, t.right, t.width], document.documentElement.clientWidth]})()""")
    finally:
        browser.close()
    assert tip[2] > width - x, "the value is short enough to fit anyway: the test would not test"
    assert 0 <= tip[0] and tip[1] <= width, (tip, width)
