"""The study page's own charts are files like every task's (charts/ID.svg, with `run --figures`
PNG and PDF too), and the task charts it shows are inline SVG: hovering one shows its value and
a legend click hides its series, on the study page itself."""
import os
import re

import pytest

from chromium_session import ChromiumSession
from svg_boxes import collisions
from test_study import run, study, write_spec  # noqa: F401  (the module's study fixture)
from report_helpers import DEMO

FILTER_SPEC = f"""
title: Filter study
dumps:
  minilm:
    path: {DEMO}
    role: pretrained
analyses:
  - {{kind: filter, dumps: [minilm], layers: [0, 1], grid: {{remove: [low, high]}}, options: {{tau: 10}}}}
"""


def test_the_study_writes_its_own_charts_as_svg(study):  # noqa: F811
    _, out = study
    page = open(os.path.join(out, "index.html")).read()
    charts = sorted(os.listdir(os.path.join(out, "charts")))
    assert charts and all(name.endswith(".svg") for name in charts), charts
    for name in charts:
        svg = open(os.path.join(out, "charts", name)).read()
        assert f'<figure id="{name[:-4]}">' in page, name
        assert svg.strip() in page, f"{name} differs from the page's chart"
        assert not collisions(svg), (name, collisions(svg))
    assert "<img" not in page, "a task chart is an image: its hover and legend do not work"


def test_run_figures_renders_the_study_charts_to_png_and_pdf(tmp_path):
    out = str(tmp_path / "out")
    run(write_spec(str(tmp_path), FILTER_SPEC), "--out", out, "--figures")
    names = set(os.listdir(os.path.join(out, "charts")))
    svgs = {n[:-4] for n in names if n.endswith(".svg")}
    assert svgs and names == {f"{s}.{e}" for s in svgs for e in ("svg", "png", "pdf")}
    for task in os.listdir(os.path.join(out, "tasks")):
        files = os.listdir(os.path.join(out, "tasks", task))
        assert {f[:-4] for f in files if f.endswith(".svg")} == {f[:-4] for f in files if f.endswith(".png")}, task


@pytest.fixture(scope="module")
def browser(chromium, tmp_path_factory):
    session = ChromiumSession(chromium, str(tmp_path_factory.mktemp("chromium-profile")))
    yield session
    session.close()


def test_task_charts_on_the_study_page_hover_and_toggle(study, browser):  # noqa: F811
    _, out = study
    browser.open(f"file://{out}/index.html")
    # A task's inline chart (its figure id is the task's id and file), with a hover target.
    found = browser.evaluate("""(function(){
      for (const figure of document.querySelectorAll('figure')) {
        if (!figure.querySelector('figcaption a')) continue;
        const target = figure.querySelector('svg [data-value]'); if (!target) continue;
        target.scrollIntoView({block: 'center'}); const r = target.getBoundingClientRect();
        const x = r.x + r.width / 2, y = r.y + r.height / 2;
        if (document.elementFromPoint(x, y).closest('[data-value]') !== target) continue;
        return [figure.id, x, y, target.getAttribute('data-value')];
      }
      return null; })()""")
    assert found, "no task chart with hover targets on the study page"
    figure, x, y, value = found
    browser.move(x, y)
    assert browser.evaluate("(function(){const t=document.getElementById('fl-tip');return t.hidden?null:t.textContent})()") == value
    entry = browser.evaluate(f"""(function(){{
      const e = document.querySelector('figure[id="{figure}"] svg [data-toggle]'); if (!e) return null;
      e.scrollIntoView({{block: 'center'}}); const r = e.getBoundingClientRect();
      return [r.x + r.width / 2, r.y + r.height / 2, e.getAttribute('data-toggle')]; }})()""")
    if entry is None:
        return  # a one-series chart has no legend
    ex, ey, key = entry
    shown = f"""(function(){{ const parts = [...document.querySelectorAll('figure[id="{figure}"] svg [data-series="{key}"]')];
      return parts.filter(p => getComputedStyle(p).display !== 'none').length / parts.length; }})()"""
    assert browser.evaluate(shown) == 1
    browser.click(ex, ey)
    assert browser.evaluate(shown) == 0
    browser.click(ex, ey)
    assert browser.evaluate(shown) == 1
