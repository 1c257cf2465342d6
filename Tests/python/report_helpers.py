import os
import subprocess


REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DEMO = os.path.join(REPO, "probes", "data", "minilm_demo.h5")


def tool():
    return os.environ.get("FOURIERLENS_BIN", os.path.join(REPO, ".build", "release", "fourierlens"))


def fourierlens(*args):
    result = subprocess.run([tool(), *args], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result


def headless(chromium, *args):
    """Headless Chromium as root (no sandbox there), no GPU."""
    return subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", *args],
                          capture_output=True, text=True, timeout=120)


FAST_PROBES = ["--probes", "value,mod2,mod10,helix", "--pca-dimensions", "16"]

#: One run of every report kind: the commands, in order; the last writes the report (conftest
#: adds --out). {work} is a scratch directory of the kind, {positions} a dump with [N, pos, d]
#: activations (positions_dump.py): the lens's every-position views and a merge of shards are
#: report kinds like the others.
REPORT_RUNS = {
    "spectrum": [["spectrum", DEMO]],
    "compare": [["compare", DEMO, "--random", "gaussian", *FAST_PROBES]],
    "probe": [["probe", DEMO, "--site", "resid_post", "--layers", "0-2", *FAST_PROBES]],
    "lens": [["lens", DEMO]],
    "lens_positions": [["lens", "{positions}", "--every-position", "--heatmap-prompt", "5"]],
    "filter": [["filter", DEMO, "--remove", "high", "--tau", "10"]],
    "boolean": [["boolean", os.path.join(REPO, "probes", "boolean", "majority10.h5"), "--target", "majority"]],
    "merge": [["lens", DEMO, "--prompts", "0:150", "--out", "{work}/a", "--quiet"],
              ["lens", DEMO, "--prompts", "150:", "--out", "{work}/b", "--quiet"],
              ["merge", "{work}/a", "{work}/b"]],
}
