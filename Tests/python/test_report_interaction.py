"""Every report kind in headless Chromium: the real pointer on a point, bar or cell shows its
value to four significant digits (and a stem its period, z and q); a click on a legend entry hides its series and a second click shows it again."""
import csv
import math
import os
import re

import pytest

from chromium_session import ChromiumSession
from report_helpers import REPORT_RUNS

# Centre of the first value-carrying element of each kind that is on top at its own centre,
# scrolled into view: [x, y, its value].
FIND_TARGET = """
(function (selector) {
  for (const element of document.querySelectorAll(selector)) {
    element.scrollIntoView({block: "center"});
    const r = element.getBoundingClientRect();
    const x = r.x + r.width / 2, y = r.y + r.height / 2;
    const hit = document.elementFromPoint(x, y);
    if (hit && hit.closest("[data-value]") === element) return [x, y, element.getAttribute("data-value")];
  }
  return null;
})(%s)
"""

def shown_number(text):
    """The value a hover text gives: the number after the last ': ' that ends the text or a '; '."""
    found = re.findall(r": (-?[0-9.]+(?:e[-+]?[0-9]+)?)(?=;|$)", text)
    assert found, text
    return found[-1]


def significant_digits(number):
    digits = number.split("e")[0].lstrip("-").replace(".", "").lstrip("0")
    return len(digits)


TIP = "(function(){const t=document.getElementById('fl-tip');return t.hidden?null:t.textContent})()"


@pytest.fixture(scope="module")
def browser(chromium, tmp_path_factory):
    session = ChromiumSession(chromium, str(tmp_path_factory.mktemp("chromium-profile")))
    yield session
    session.close()


def hover(browser, selector):
    target = browser.evaluate(FIND_TARGET % repr(selector))
    assert target, f"no {selector} on the page"
    x, y, value = target
    browser.move(x, y)
    return value, browser.evaluate(TIP)


@pytest.mark.parametrize("kind", list(REPORT_RUNS))
def test_hover_shows_the_value(browser, demo_reports, kind):
    browser.open(f"file://{demo_reports[kind]}/index.html")
    kinds = {"spectrum": [".hover"], "compare": [".hover", ".bar"], "probe": [".hover"],
             "lens": [".hover", ".cell"], "lens_positions": [".hover", ".cell"], "filter": [".hover"],
             "merge": [".hover", ".cell"], "boolean": [".bar"]}[kind]
    for selector in kinds:
        value, shown = hover(browser, f"figure svg {selector}[data-value]")
        assert shown == value, (kind, selector, shown, value)
        assert significant_digits(shown_number(value)) <= 4, value  # never 17 digits
        if selector == ".cell":  # a cell says what its column is, not its index
            assert ", column " not in value, value
    browser.move(1, 1)
    assert browser.evaluate(TIP) is None, "the value stays shown off the chart"


def test_hovering_a_stem_shows_the_csv_value(browser, demo_reports):
    directory = demo_reports["spectrum"]
    with open(os.path.join(directory, "spectrum.csv"), newline="") as f:
        magnitude = {int(row["k"]): float(row["magnitude"]) for row in csv.DictReader(f)}
    browser.open(f"file://{directory}/index.html")
    value, shown = hover(browser, '#spectrum svg .hover[data-series="0"][data-value*=" k 60:"]')
    assert shown == value and float(shown_number(shown)) == float(f"{magnitude[60]:.4g}"), shown
    assert math.isclose(float(shown_number(shown)), magnitude[60], rel_tol=5e-4)
    for statistic in ("T = ", "z = ", "p = ", "q = ", "null 95% "):
        assert statistic in shown, (statistic, shown)


@pytest.mark.parametrize("kind", ["spectrum", "compare", "probe"])
def test_a_legend_entry_toggles_its_series(browser, demo_reports, kind):
    browser.open(f"file://{demo_reports[kind]}/index.html")
    entry = browser.evaluate("""(function(){
      const e = document.querySelector('figure svg [data-toggle]'); e.scrollIntoView({block: 'center'});
      const r = e.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2, e.getAttribute('data-toggle')]; })()""")
    x, y, key = entry
    shown = f"""(function(){{
      const svg = document.querySelector('figure svg [data-toggle]').ownerSVGElement;
      const parts = [...svg.querySelectorAll('[data-series="{key}"]')];
      return parts.length ? parts.filter(p => getComputedStyle(p).display !== 'none').length / parts.length : -1; }})()"""
    assert browser.evaluate(shown) == 1
    browser.click(x, y)
    assert browser.evaluate(shown) == 0, "the series stays drawn"
    browser.click(x, y)
    assert browser.evaluate(shown) == 1, "the series does not come back"
