"""The notebooks run top to bottom: their code cells, in order, in one namespace (as Jupyter would)."""
import json
import os

from export_helpers import REPO, fourierlens_bin


def run_notebook(name, monkeypatch):
    monkeypatch.setenv("FOURIERLENS_BIN", fourierlens_bin())
    monkeypatch.setenv("FOURIERLENS_REPO", REPO)
    path = os.path.join(REPO, "notebooks-export", name)
    with open(path) as f:
        cells = [c for c in json.load(f)["cells"] if c["cell_type"] == "code"]
    namespace = {"__name__": "__main__"}
    for index, cell in enumerate(cells):
        exec(compile("".join(cell["source"]), f"{path} cell {index}", "exec"), namespace)
    return namespace


def test_fourier_filtering_notebook_runs(monkeypatch):
    namespace = run_notebook("fourier_filtering.ipynb", monkeypatch)
    assert 0 <= namespace["patched"] <= 1 and namespace["patched"] != namespace["baseline"]


def test_modular_ablation_notebook_runs(monkeypatch):
    """Patched back into the real model: keeping only the key set keeps the accuracy within one
    point where the answer is carried; removing it brings the answer to chance."""
    namespace = run_notebook("modular_ablation.ipynb", monkeypatch)
    table, (accuracy, _), p = namespace["table"], namespace["baseline"], namespace["P"]
    assert accuracy > 0.99
    for site in ("mlp_out", "resid_post"):
        assert table[site]["keep key"][0] >= accuracy - 0.01
    assert table["resid_post"]["remove key"][0] < 3 / p
    assert set(table) == {"resid_pre", "attn_out", "mlp_out", "resid_post"}
