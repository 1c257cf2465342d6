"""The notebook runs top to bottom: its code cells, in order, in one namespace (as Jupyter would)."""
import json
import os

from export_helpers import REPO, fourierlens_bin

NOTEBOOK = os.path.join(REPO, "notebooks-export", "fourier_filtering.ipynb")


def test_fourier_filtering_notebook_runs(monkeypatch):
    monkeypatch.setenv("FOURIERLENS_BIN", fourierlens_bin())
    monkeypatch.setenv("FOURIERLENS_REPO", REPO)
    with open(NOTEBOOK) as f:
        cells = [c for c in json.load(f)["cells"] if c["cell_type"] == "code"]
    namespace = {"__name__": "__main__"}
    for index, cell in enumerate(cells):
        exec(compile("".join(cell["source"]), f"{NOTEBOOK} cell {index}", "exec"), namespace)
    assert 0 <= namespace["patched"] <= 1 and namespace["patched"] != namespace["baseline"]
