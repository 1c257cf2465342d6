"""A study killed at any point — its runner with SIGKILL (alone or with its process group),
or one of its tasks — leaves no task running or writing into tasks/ afterwards, and a re-run
gives the page and reports of an uninterrupted run with nothing left behind (no staging
folder, no temporary file)."""
import json
import os
import shutil
import signal
import subprocess
import time

import pytest

from report_helpers import DEMO, tool
from test_study import assert_same_report

SPEC = f"""
title: Killed
dumps:
  minilm:
    path: {DEMO}
analyses:
  - kind: spectrum
    sites: [resid_post]
    options:
      permutations: 10000
  - kind: lens
    shards: 2
"""

OURS = {".study.lock", ".content-hashes.json", ".fourierlens-study"}


def write(folder):
    path = os.path.join(folder, "killed.yaml")
    with open(path, "w") as f:
        f.write(SPEC)
    return path


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    folder = str(tmp_path_factory.mktemp("kill-reference"))
    spec = write(folder)
    out = os.path.join(folder, "out")
    subprocess.run([tool(), "run", spec, "--out", out, "--quiet", "--jobs", "2"], check=True)
    return out


def task_processes(out):
    """Processes whose command line names the study directory (its tasks)."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                line = f.read().replace(b"\0", b" ").decode(errors="replace")
            with open(f"/proc/{pid}/stat") as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if out + "/tasks" in line and state not in "ZX":
            found.append(int(pid))
    return found


def snapshot(folder):
    listing = {}
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = os.path.join(root, name)
            try:
                listing[path] = os.lstat(path).st_mtime_ns
            except FileNotFoundError:
                pass
    return listing


def wait_for(condition, timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline and not condition():
        time.sleep(0.01)
    assert condition(), "not reached in time (the point to kill at, or the tasks gone)"


def records(out):
    folder = os.path.join(out, "records")
    return len([n for n in os.listdir(folder) if n.endswith(".json")]) if os.path.isdir(folder) else 0


def assert_resumes_to_the_reference(spec, out, reference):
    result = subprocess.run([tool(), "run", spec, "--out", out, "--quiet", "--jobs", "2"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert open(os.path.join(out, "index.html"), "rb").read() == open(os.path.join(reference, "index.html"), "rb").read()
    with open(os.path.join(out, "study.json")) as f:
        tasks = [task["id"] for task in json.load(f)["tasks"]]
    assert sorted(os.listdir(os.path.join(out, "tasks"))) == sorted(tasks), "no leftover in tasks/"
    for task in tasks:
        assert_same_report(os.path.join(out, "tasks", task), os.path.join(reference, "tasks", task))
    for folder in ["", "records", "logs"]:
        hidden = [n for n in os.listdir(os.path.join(out, folder)) if n.startswith(".") and n not in OURS]
        assert hidden == [], f"leftovers in {folder or 'the study'}: {hidden}"


# When to kill: as soon as a task runs, after the first records, after most of them.
POINTS = [("first task running", lambda out: task_processes(out) != []),
          ("one task done", lambda out: records(out) >= 1),
          ("three tasks done", lambda out: records(out) >= 3)]


@pytest.mark.parametrize("group", [False, True], ids=["runner", "process group"])
@pytest.mark.parametrize("point,reached", POINTS, ids=[p[0] for p in POINTS])
def test_sigkill_of_the_runner_leaves_no_task_writing_and_resumes(reference, tmp_path, point, reached, group):
    spec = write(str(tmp_path))
    out = str(tmp_path / "out")
    runner = subprocess.Popen([tool(), "run", spec, "--out", out, "--quiet", "--jobs", "2"], start_new_session=group)
    wait_for(lambda: reached(out))
    if group:
        os.killpg(runner.pid, signal.SIGKILL)
    else:
        runner.kill()
    runner.wait(timeout=30)
    # The tasks die with their runner (in well under the time one of them takes), and then
    # nothing changes in the study directory.
    wait_for(lambda: task_processes(out) == [], timeout=2)
    before = snapshot(out)
    time.sleep(2)
    assert snapshot(out) == before, "nothing writes into the study after its runner died"
    assert_resumes_to_the_reference(spec, out, reference)


def test_sigkill_of_a_task_fails_the_study_and_a_rerun_resumes(reference, tmp_path):
    spec = write(str(tmp_path))
    out = str(tmp_path / "out")
    runner = subprocess.Popen([tool(), "run", spec, "--out", out, "--quiet", "--jobs", "2"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_for(lambda: task_processes(out) != [])
    os.kill(task_processes(out)[0], signal.SIGKILL)
    _, errors = runner.communicate(timeout=120)
    assert runner.returncode != 0 and len(errors.strip().splitlines()) == 1 and "Traceback" not in errors, errors
    assert_resumes_to_the_reference(spec, out, reference)
