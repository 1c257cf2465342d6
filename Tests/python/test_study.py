"""`fourierlens run`: a study's reports equal the separate commands' reports; an interrupted
study resumes without recomputing what was done; the study page renders in Chromium."""
import json
import os
import shutil
import signal
import subprocess
import time

import h5py
import numpy as np
import pytest
from PIL import Image

from report_helpers import DEMO, REPO, headless, tool

#: Keys of summary.json that are timings, different from run to run by nature.
TIMINGS = {"sgemm_seconds"}

SPEC = f"""
title: Test study
question: Do the numbers carry Fourier features?
dumps:
  minilm:
    path: {DEMO}
    role: pretrained
  noise:
    random: matched-gaussian
    of: minilm
  majority:
    path: {os.path.join(REPO, "probes", "boolean", "majority10.h5")}
    role: trained on majority
analyses:
  - kind: compare
    name: embeddings
    dumps: [minilm]
    against: noise
    options:
      probes: value,mod2,mod10
      pca-dimensions: 16
  - kind: spectrum
    name: layers
    dumps: [minilm]
    sites: [resid_post]
    layers: 0-2
    options:
      permutations: 50
  - kind: probe
    dumps: [minilm]
    sites: [resid_post]
    layers: [1, 2]
    options:
      probes: [value, mod10]
  - kind: lens
    dumps: [minilm]
    shards: 2
  - kind: filter
    dumps: [minilm]
    layers: 0-1
    grid:
      remove: [low, high]
    options:
      tau: 10
  - kind: boolean
    dumps: [majority]
    options: {{target: majority, columns: logit_diff}}
"""


def write_spec(folder, text=SPEC):
    path = os.path.join(folder, "study.yaml")
    with open(path, "w") as f:
        f.write(text)
    return path


def run(*args, check=True):
    result = subprocess.run([tool(), "run", *args], capture_output=True, text=True)
    if check:
        assert result.returncode == 0, result.stderr
    return result


def summary_without_timings(path):
    def strip(value):
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k not in TIMINGS}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value
    with open(path) as f:
        return strip(json.load(f))


def assert_same_hdf5(a, b):
    with h5py.File(a) as fa, h5py.File(b) as fb:
        names_a, names_b = [], []
        fa.visit(names_a.append)
        fb.visit(names_b.append)
        assert names_a == names_b
        for name in names_a:
            if isinstance(fa[name], h5py.Dataset):
                np.testing.assert_array_equal(fa[name][()], fb[name][()], err_msg=f"{a}:{name}")


def assert_same_report(a, b):
    """Every CSV, SVG and HDF5 file equal, summary.json equal but for timings."""
    files = sorted(os.listdir(a))
    assert files == sorted(os.listdir(b)), (a, b)
    for name in files:
        pa, pb = os.path.join(a, name), os.path.join(b, name)
        if name == "summary.json":
            assert summary_without_timings(pa) == summary_without_timings(pb), name
        elif name.endswith(".h5"):
            assert_same_hdf5(pa, pb)
        elif name.endswith((".csv", ".svg")):
            assert open(pa, "rb").read() == open(pb, "rb").read(), f"{pa} differs from {pb}"


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    folder = tmp_path_factory.mktemp("study")
    spec = write_spec(str(folder))
    out = str(folder / "out")
    result = run(spec, "--out", out)
    assert f"study: {out}/index.html" in result.stdout
    return spec, out


def test_the_study_reports_equal_the_separate_commands(study, tmp_path):
    spec, out = study
    plan = json.loads(run(spec, "--out", out, "--tasks-json", "-").stdout)
    assert all(task["done"] for task in plan["tasks"])
    kinds = {task["command_line"][1] for task in plan["tasks"]}
    assert kinds == {"compare", "spectrum", "probe", "lens", "merge", "filter", "boolean"}
    separate = {}
    for task in plan["tasks"]:
        line = list(task["command_line"])
        target = str(tmp_path / task["id"])
        separate[task["id"]] = target
        line[line.index("--out") + 1] = target
        # A merge reads its shards: the separate runs' shards.
        line = [separate.get(os.path.basename(arg), arg) if arg.startswith(out + "/tasks/") else arg for arg in line]
        result = subprocess.run([tool(), *line[1:]], capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        assert_same_report(os.path.join(out, "tasks", task["id"]), target)


def test_the_manifest_lists_every_task_with_its_inputs(study):
    spec, out = study
    with open(os.path.join(out, "study.json")) as f:
        manifest = json.load(f)
    import hashlib
    digest = hashlib.sha256(open(DEMO, "rb").read()).hexdigest()
    assert manifest["dumps"][0]["sha256"] == digest
    assert manifest["spec_sha256"] == hashlib.sha256(open(spec, "rb").read()).hexdigest()
    assert {"fourierlens", "hdf5", "fftw", "openblas"} <= set(manifest["versions"])
    ids = [task["id"] for task in manifest["tasks"]]
    assert len(ids) == len(set(ids)) == 1 + 3 + 1 + 3 + 2 + 1
    for task in manifest["tasks"]:
        assert task["computed_in_this_run"] and task["seconds"] > 0 and task["executor"] == "local"
        if task["dump"] == "minilm":
            assert all(entry["sha256"] == digest for entry in task["inputs"])
        assert os.path.exists(os.path.join(out, task["report"]))


def test_the_page_gathers_every_analysis_and_renders(study, chromium, tmp_path):
    _, out = study
    page = f"file://{out}/index.html"
    dom = headless(chromium, "--dump-dom", page).stdout
    for text in ("Test study", "Question: Do the numbers carry Fourier features?", "Answer",
                 "embeddings: the key periods hold", "the best held-out score of each probe",
                 "exact-answer accuracy through the unembedding goes", "In 300 of 300 prompts the token read is the answer itself", "accuracy through the unembedding before",
                 "layers: key periods", "boolean: average sensitivity of", 'href="tasks/lens.minilm/index.html"', 'href="study.json"'):
        assert text in dom, text
    # Each analysis's table has one row per task (the filter: per task and readout).
    assert dom.count("minilm · resid_post layer ") >= 3
    png = tmp_path / "page.png"
    headless(chromium, f"--screenshot={png}", "--window-size=1100,3000", page)
    pixels = np.asarray(Image.open(png).convert("RGB"), dtype=np.int16).reshape(-1, 3)
    assert (pixels != 255).any(axis=1).mean() > 0.05
    # The linked task charts load: the Okabe–Ito blue of their lines is drawn.
    assert int((np.abs(pixels - np.array((0, 114, 178))) < 30).all(axis=1).sum()) > 500


def test_a_rerun_reuses_everything_and_a_changed_option_recomputes_only_its_tasks(study, tmp_path):
    spec, out = study
    copy = str(tmp_path / "copy")
    shutil.copytree(out, copy)
    result = run(spec, "--out", copy)
    assert "0 computed" in result.stdout
    changed = write_spec(str(tmp_path), SPEC.replace("permutations: 50", "permutations: 60"))
    result = run(changed, "--out", copy)
    with open(os.path.join(copy, "study.json")) as f:
        manifest = json.load(f)
    computed = {task["id"] for task in manifest["tasks"] if task["computed_in_this_run"]}
    assert computed == {f"layers.minilm.blocks.{layer}.hook_resid_post" for layer in range(3)}
    assert summary_without_timings(os.path.join(copy, "tasks", "layers.minilm.blocks.0.hook_resid_post", "summary.json"))["null_draws"] == 60


def test_an_interrupted_study_resumes_to_the_same_report(study, tmp_path):
    spec, full = study
    out = str(tmp_path / "interrupted")
    process = subprocess.Popen([tool(), "run", spec, "--out", out, "--jobs", "1"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    records = os.path.join(out, "records")
    deadline = time.time() + 120
    while time.time() < deadline and (not os.path.isdir(records) or len(os.listdir(records)) < 3):
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    process.communicate(timeout=60)
    assert process.returncode in (-signal.SIGINT, 130), process.returncode
    first = {name[:-5]: json.load(open(os.path.join(records, name))) for name in os.listdir(records)}
    assert 3 <= len(first) < 11, "interrupted half-way"
    assert not os.path.exists(os.path.join(out, "index.html"))
    leftovers = [name for name in os.listdir(os.path.join(out, "tasks")) if name.startswith(".")]
    assert leftovers == [], f"unfinished reports left behind: {leftovers}"

    result = run(spec, "--out", out)
    assert f"{len(first)} of 11 tasks already done" in result.stderr
    with open(os.path.join(out, "study.json")) as f:
        manifest = json.load(f)
    for task in manifest["tasks"]:
        if task["id"] in first:
            assert not task["computed_in_this_run"]
            assert (task["started"], task["seconds"]) == (first[task["id"]]["started"], first[task["id"]]["seconds"])
        else:
            assert task["computed_in_this_run"]
    assert open(os.path.join(out, "index.html"), "rb").read() == open(os.path.join(full, "index.html"), "rb").read()
    for task in manifest["tasks"]:
        assert_same_report(os.path.join(out, "tasks", task["id"]), os.path.join(full, "tasks", task["id"]))


def test_a_failing_task_stops_the_study_with_its_line(tmp_path):
    bad = SPEC.replace("      tau: 10\n", "      tau: 999\n")
    spec = write_spec(str(tmp_path), bad)
    result = run(spec, "--out", str(tmp_path / "out"), "--quiet", check=False)
    assert result.returncode == 2
    lines = result.stderr.strip().split("\n")
    assert len(lines) == 1 and "study.yaml:" in lines[0] and "analyses[4].options.tau" in lines[0], result.stderr
    assert not os.path.exists(tmp_path / "out" / "index.html")


def intervals(out):
    from datetime import datetime
    spans = []
    for name in os.listdir(os.path.join(out, "records")):
        record = json.load(open(os.path.join(out, "records", name)))
        start = datetime.fromisoformat(record["started"].replace("Z", "+00:00")).timestamp()
        spans.append((start, start + record["seconds"]))
    return sorted(spans)


def overlapping(spans):
    return any(b[0] < a[1] - 0.01 for a, b in zip(spans, spans[1:]))


SMALL = f"""
title: Budget
dumps:
  minilm:
    path: {DEMO}
analyses:
  - kind: spectrum
    sites: [resid_post]
    options:
      permutations: 400
"""


def test_tasks_run_side_by_side_within_the_memory_budget(tmp_path):
    spec = write_spec(str(tmp_path), SMALL)
    run(spec, "--out", str(tmp_path / "two"), "--jobs", "2", "--quiet")
    assert overlapping(intervals(str(tmp_path / "two"))), "two jobs run at once"
    # Each task is estimated at 256 MiB plus 3× the dump: a budget of 0.3 GiB holds one.
    run(spec, "--out", str(tmp_path / "budget"), "--jobs", "2", "--memory", "0.3", "--quiet")
    assert not overlapping(intervals(str(tmp_path / "budget")))
    run(spec, "--out", str(tmp_path / "one"), "--jobs", "1", "--quiet")
    assert not overlapping(intervals(str(tmp_path / "one")))


def test_a_second_run_on_a_busy_study_directory_is_refused(tmp_path):
    spec = write_spec(str(tmp_path), SMALL)
    out = str(tmp_path / "out")
    first = subprocess.Popen([tool(), "run", spec, "--out", out, "--jobs", "1", "--quiet"])
    deadline = time.time() + 60
    while time.time() < deadline and not os.path.isdir(os.path.join(out, "records")):
        time.sleep(0.02)
    second = run(spec, "--out", out, check=False)
    assert first.wait(timeout=120) == 0
    assert second.returncode == 2 and "no other fourierlens run is using" in second.stderr, second.stderr
    assert len(second.stderr.strip().split("\n")) == 1
