"""A study that patches (kind: patch): its tasks run `fourierlens patch` after their filter
tasks, its page table equals the patch reports it gathers, a re-run reuses them, and the model
takes part in the task's key by content (a changed model file recomputes the patch tasks only)."""
import csv
import json
import os
import shutil
import subprocess
import sys

import pytest

from report_helpers import REPO, tool

sys.path.insert(0, os.path.join(REPO, "notebooks-export"))
sys.path.insert(0, os.path.join(REPO, "probes", "modular"))

MODEL = os.path.join(REPO, "probes", "modular", "model")

SPEC = """title: Patched
dumps:
  m:
    path: {dump}
models:
  net: {model}
analyses:
  - kind: filter
    name: bands
    options:
      tau-period: 10
      fold-final-norm: true
      joint: true
    grid:
      sites: [mlp_out, "attn_out,mlp_out"]
      remove: [high]
  - kind: patch
    name: patched
    filters: bands
"""


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """The modular model's dump on the prompts a ∈ 0..3 (236 prompts), and a copy of the model."""
    from export_dump import modular_prompts
    from fourierlens import export_dump, load_model

    root = tmp_path_factory.mktemp("study-patch")
    model, tokenizer = load_model(MODEL)
    prompts = modular_prompts(59)[:4 * 59]
    dump = str(root / "small.h5")
    export_dump(model, tokenizer, dump, numbers=range(59), prompts=prompts, position="last", batch_size=256, progress=False)
    copy = str(root / "model")
    shutil.copytree(MODEL, copy)
    return root, dump, copy


def run(spec, out, *extra):
    return subprocess.run([tool(), "run", spec, "--out", out, "--quiet", *extra], capture_output=True, text=True,
                          env={**os.environ, "FOURIERLENS_PYTHON": sys.executable, "PYTHONPATH": os.path.join(REPO, "notebooks-export")})


def test_patch_tasks_run_after_their_filters_and_feed_the_page(small, tmp_path):
    root, dump, model = small
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC.format(dump=dump, model=model))
    out = str(tmp_path / "study")
    result = run(str(spec), out)
    assert result.returncode == 0, result.stderr
    with open(os.path.join(out, "study.json")) as f:
        manifest = json.load(f)
    tasks = {t["id"]: t for t in manifest["tasks"]}
    patch_ids = sorted(t for t in tasks if t.startswith("patched."))
    assert patch_ids == ["patched.m.sites-attn_out_mlp_out.remove-high", "patched.m.sites-mlp_out.remove-high"]
    for task_id in patch_ids:
        task = tasks[task_id]
        assert task["command"] == "patch" and task["dependencies"] == ["bands" + task_id[len("patched"):]]
        assert [i["path"] for i in task["inputs"]] == [dump, model]
        # The same command run by hand gives the same rows.
        by_hand = str(tmp_path / f"{task_id}-by-hand")
        direct = subprocess.run([sys.executable, "-m", "fourierlens", "patch", dump, os.path.join(out, "tasks", task["dependencies"][0]),
                                 "--model", model, "--out", by_hand, "--quiet"], capture_output=True, text=True,
                                env={**os.environ, "PYTHONPATH": os.path.join(REPO, "notebooks-export")})
        assert direct.returncode == 0, direct.stderr
        assert open(os.path.join(by_hand, "patch.csv")).read() == open(os.path.join(out, "tasks", task_id, "patch.csv")).read()
    page = open(os.path.join(out, "index.html")).read()
    with open(os.path.join(out, "tasks", "patched.m.sites-mlp_out.remove-high", "patch.csv")) as f:
        row = list(csv.DictReader(f))[1]
    assert f"{float(row['acc_exact']):.4g}" in page and "patched (patch)" in page
    assert "patched: the unpatched model&#39;s number accuracy is" in page or "patched: the unpatched model's number accuracy is" in page
    assert 'id="patch-patched"' in page  # the bar chart

    again = run(str(spec), out)
    assert again.returncode == 0
    with open(os.path.join(out, "study.json")) as f:
        assert json.load(f)["tasks_computed"] == 0

    # A changed model file: the patch tasks recompute, the filters are reused.
    with open(os.path.join(model, "training.json"), "a") as f:
        f.write("\n")
    third = run(str(spec), out)
    assert third.returncode == 0, third.stderr
    with open(os.path.join(out, "study.json")) as f:
        computed = sorted(t["id"] for t in json.load(f)["tasks"] if t["computed_in_this_run"])
    assert computed == patch_ids


def test_model_option_and_bad_models_are_one_line(small, tmp_path):
    root, dump, model = small
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC.format(dump=dump, model=str(tmp_path / "no-model")))
    result = run(str(spec), str(tmp_path / "a"), "--dry-run")
    assert result.returncode == 2 and "models.net" in result.stderr and "config.json" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    result = run(str(spec), str(tmp_path / "b"), "--dry-run", "--model", f"net={model}")
    assert result.returncode == 0, result.stderr
    result = run(str(spec), str(tmp_path / "c"), "--dry-run", "--model", f"other={model}")
    assert result.returncode == 2 and "--model other" in result.stderr
    spec.write_text(SPEC.format(dump=dump, model=model).replace("    filters: bands\n", "    filters: bands\n    options:\n      batch-size: 0\n"))
    result = run(str(spec), str(tmp_path / "d"), "--dry-run")
    assert result.returncode == 2 and "batch-size" in result.stderr
