"""`python -m fourierlens run-dask` against a real two-worker Dask cluster on loopback (in its own
network namespace): the study it makes must be the one `fourierlens run` makes here, and a
failing task must stop it with that task's exit code and one line."""
import filecmp
import json
import os
import subprocess
import sys

import pytest

from dask_cluster import ADDRESS, REPO, LoopbackCluster, namespaces_possible
from report_helpers import tool as binary
from test_study_patch import SPEC as PATCH_SPEC  # filter bands, then patch them back

DEMO = os.path.join(REPO, "probes", "data", "minilm_demo.h5")

SPEC = """title: Dask and local agree
question: Does a study run on Dask workers equal the same study run here?
dumps:
  minilm:
    path: {dump}/not-here.h5
    role: pretrained
  minilm_random:
    random: matched-gaussian
    of: minilm
analyses:
  - kind: compare
    name: embeddings
    against: minilm_random
    datasets: [embeddings]
  - kind: spectrum
    name: resid
    sites: [resid_post]
    layers: 0-2
  - kind: lens
    name: lens
    shards: 2
"""

# A dump that exists but is no HDF5 file: planning accepts the path, the task itself fails.
FAILING_SPEC = """title: A task that fails
question: Does a failing task stop the study?
dumps:
  broken:
    path: {dump}
analyses:
  - kind: spectrum
    name: spectrum
"""


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    reason = namespaces_possible()
    if reason:
        pytest.skip(reason)
    running = LoopbackCluster(tmp_path_factory.mktemp("dask-logs")).start()
    yield running
    running.stop()


def run_dask(cluster, spec, out, *extra):
    return subprocess.run(cluster.command(sys.executable, "-m", "fourierlens", "run-dask", str(spec), "--out", str(out),
                                          "--scheduler", ADDRESS, "--fourierlens", binary(), *extra),
                          env=cluster.env, capture_output=True, text=True, timeout=300)


def without_timings(value):
    """summary.json with the keys that are wall-clock times left out."""
    if isinstance(value, dict):
        return {k: without_timings(v) for k, v in value.items() if not k.endswith("seconds")}
    if isinstance(value, list):
        return [without_timings(v) for v in value]
    return value


def task_files(directory, suffix):
    return sorted(os.path.relpath(os.path.join(root, name), directory)
                  for root, _, names in os.walk(directory) for name in names if name.endswith(suffix))


def test_study_on_dask_equals_local_study(cluster, tmp_path):
    """The spec's dump path is replaced (--dump), so every worker must be given that option too."""
    spec = tmp_path / "study.yaml"
    spec.write_text(SPEC.format(dump=tmp_path))
    local, dask = tmp_path / "local", tmp_path / "dask"
    # Byte for byte: the workers' nanny sets OPENBLAS_NUM_THREADS=1, which run-dask undoes.
    here = subprocess.run([binary(), "run", str(spec), "--out", str(local), "--quiet", "--dump", f"minilm={DEMO}"],
                          capture_output=True, text=True)
    assert here.returncode == 0, here.stderr
    done = run_dask(cluster, spec, dask, "--dump", f"minilm={DEMO}")
    assert done.returncode == 0, done.stderr

    assert (local / "index.html").read_bytes() == (dask / "index.html").read_bytes()
    csvs = task_files(local / "tasks", ".csv")
    assert csvs and csvs == task_files(dask / "tasks", ".csv")
    _, mismatch, errors = filecmp.cmpfiles(local / "tasks", dask / "tasks", csvs, shallow=False)
    assert not mismatch and not errors, mismatch + errors
    summaries = task_files(local / "tasks", "summary.json")
    assert summaries and summaries == task_files(dask / "tasks", "summary.json")
    for name in summaries:
        assert without_timings(json.loads((local / "tasks" / name).read_text())) == \
            without_timings(json.loads((dask / "tasks" / name).read_text())), name

    manifests = [json.loads((d / "study.json").read_text()) for d in (local, dask)]
    tasks = [{t["id"]: t["hash"] for t in m["tasks"]} for m in manifests]
    assert tasks[0] == tasks[1]
    assert any(t.get("dependencies") for t in manifests[1]["tasks"]), "the lens shards' merge was not exercised"

    workers = json.loads((dask / ".dask-workers.json").read_text())
    assert set(workers) == set(tasks[1])
    assert set(workers.values()) <= set(cluster.worker_addresses)
    for task in tasks[1]:
        record = json.loads((dask / "records" / f"{task}.json").read_text())
        assert record["executor"] == "dask" and record["host"], record
        local_record = json.loads((local / "records" / f"{task}.json").read_text())
        assert local_record["executor"] == "local"

    again = run_dask(cluster, spec, dask, "--dump", f"minilm={DEMO}")  # everything done: nothing submitted, same page
    assert again.returncode == 0, again.stderr
    assert "0 to run" in again.stderr
    assert (local / "index.html").read_bytes() == (dask / "index.html").read_bytes()




def test_patch_study_on_dask_equals_local_study(cluster, tmp_path):
    """Patch tasks (Python children of the workers' tasks) on Dask, given the model by --model
    and the interpreter by --python, give the local run's page and rows."""
    sys.path.insert(0, os.path.join(REPO, "probes", "modular"))
    from export_dump import modular_prompts
    from fourierlens import export_dump, load_model

    model_dir = os.path.join(REPO, "probes", "modular", "model")
    model, tokenizer = load_model(model_dir)
    dump = str(tmp_path / "small.h5")
    export_dump(model, tokenizer, dump, numbers=range(59), prompts=modular_prompts(59)[:2 * 59], position="last",
                batch_size=128, progress=False)
    spec = tmp_path / "patch.yaml"
    spec.write_text(PATCH_SPEC.format(dump=dump, model=tmp_path / "not-here"))  # the model comes by --model
    local, dask = tmp_path / "local", tmp_path / "dask"
    options = ["--model", f"net={model_dir}", "--python", sys.executable]
    here = subprocess.run([binary(), "run", str(spec), "--out", str(local), "--quiet", *options], capture_output=True, text=True,
                          env=cluster.env)
    assert here.returncode == 0, here.stderr
    done = run_dask(cluster, spec, dask, *options)
    assert done.returncode == 0, done.stderr
    assert (local / "index.html").read_bytes() == (dask / "index.html").read_bytes()
    rows = task_files(local / "tasks", "patch.csv")
    assert len(rows) == 2 and rows == task_files(dask / "tasks", "patch.csv")
    _, mismatch, errors = filecmp.cmpfiles(local / "tasks", dask / "tasks", rows, shallow=False)
    assert not mismatch and not errors, mismatch + errors
    workers = json.loads((dask / ".dask-workers.json").read_text())
    assert {t for t in workers if t.startswith("patched.")} == {r.split("/")[0] for r in rows}


def test_failing_task_stops_the_study_with_its_exit_code(cluster, tmp_path):
    broken = tmp_path / "broken.h5"
    broken.write_bytes(b"not an HDF5 file\n" * 64)
    spec = tmp_path / "failing.yaml"
    spec.write_text(FAILING_SPEC.format(dump=broken))
    here = subprocess.run([binary(), "run", str(spec), "--out", str(tmp_path / "local"), "--quiet"],
                          capture_output=True, text=True)
    assert here.returncode != 0 and len(here.stderr.strip().splitlines()) == 1, here.stderr
    done = run_dask(cluster, spec, tmp_path / "dask")
    assert done.returncode == here.returncode, done.stderr
    lines = done.stderr.strip().splitlines()
    # The "N tasks, M to run" line, then the failed task's own line, as the local run gives it.
    assert len(lines) == 2 and lines[-1] == here.stderr.strip(), done.stderr
    assert str(broken) in lines[-1]
    assert not (tmp_path / "dask" / "index.html").exists()


def test_unreachable_scheduler_is_one_line_exit_2(cluster, tmp_path):
    spec = tmp_path / "study.yaml"
    spec.write_text(SPEC.format(dump=tmp_path))
    done = subprocess.run(cluster.command(sys.executable, "-m", "fourierlens", "run-dask", str(spec), "--out",
                                          str(tmp_path / "out"), "--scheduler", "tcp://127.0.0.1:9", "--timeout", "2",
                                          "--fourierlens", binary(), "--dump", f"minilm={DEMO}"),
                          env=cluster.env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1 and "--scheduler tcp://127.0.0.1:9" in done.stderr, done.stderr


@pytest.mark.parametrize("arguments, named", [
    (["missing.yaml", "--scheduler", ADDRESS], "missing.yaml"),
    (["{spec}", "--scheduler", ADDRESS, "--dump", "minilm"], "--dump minilm"),
    (["{spec}"], "--scheduler"),
    (["{spec}", "--slurm", "--jobs", "0"], "--jobs"),
])
def test_bad_input_is_one_line_exit_2(tmp_path, arguments, named):
    """Refused before any cluster is reached, so no cluster is needed here."""
    spec = tmp_path / "study.yaml"
    spec.write_text(SPEC.format(dump=tmp_path))
    arguments = [a.format(spec=spec) for a in arguments]
    done = subprocess.run([sys.executable, "-m", "fourierlens", "run-dask", *arguments, "--out", str(tmp_path / "out"),
                           "--fourierlens", binary()], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and named in done.stderr, done.stderr
    assert not (tmp_path / "out").exists()
