"""A study task's cache key includes the identity of the binary that runs it: the same binary
reuses a task's result, a rebuilt one (other bytes) computes it again, and the study records
which tasks it computed."""
import json
import os
import shutil
import subprocess

from report_helpers import DEMO, tool

SPEC = f"""
title: Build identity
dumps:
  minilm:
    path: {DEMO}
    role: pretrained
analyses:
  - kind: spectrum
    name: embeddings
    options:
      permutations: 20
"""


def run(binary, spec, out):
    result = subprocess.run([binary, "run", spec, "--out", out, "--quiet"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    with open(os.path.join(out, "study.json")) as f:
        manifest = json.load(f)
    return {task["id"]: (task["computed_in_this_run"], task["hash"]) for task in manifest["tasks"]}


def test_a_changed_binary_recomputes_a_task_and_the_same_binary_reuses_it(tmp_path):
    spec = tmp_path / "study.yaml"
    spec.write_text(SPEC)
    out = str(tmp_path / "study")
    built = str(tmp_path / "built")
    shutil.copy2(tool(), built)

    first = run(built, str(spec), out)
    assert [computed for computed, _ in first.values()] == [True]
    again = run(built, str(spec), out)
    assert again == {task: (False, key) for task, (_, key) in first.items()}

    # A rebuild with other bytes (here one byte appended, which the loader ignores): the old
    # result is stale, so the task runs again under a new key.
    with open(built, "ab") as f:
        f.write(b"\0")
    rebuilt = run(built, str(spec), out)
    ((computed, key),) = rebuilt.values()
    assert computed
    assert key != next(iter(first.values()))[1]
    # ... and that binary, run again, reuses its own result.
    assert [computed for computed, _ in run(built, str(spec), out).values()] == [False]
