"""A study whose directory fills up (a real full disk: a 3 MiB tmpfs, root only): one line naming
the task and the disk's complaint, exit 1 (not bad input, not an internal error), the tasks done
kept; with room again the same command finishes the study, reusing them."""
import json
import os
import subprocess

import pytest

from report_helpers import DEMO, tool

SPEC = f"""title: Full disk
dumps:
  minilm: {{path: {DEMO}}}
analyses:
  - kind: spectrum
    name: layers
    sites: [resid_post]
    layers: 0-2
    options: {{permutations: 20}}
  - kind: lens
"""


@pytest.fixture
def small_disk(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    mount = tmp_path / "disk"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)], capture_output=True).returncode != 0:
        pytest.skip("mount -t tmpfs is not allowed here")
    yield mount
    subprocess.run(["umount", str(mount)])


def test_a_full_disk_is_one_line_and_the_study_resumes(small_disk, tmp_path):
    spec = tmp_path / "study.yaml"
    spec.write_text(SPEC)
    out = small_disk / "study"
    command = [tool(), "run", str(spec), "--out", str(out), "--jobs", "1"]
    full = subprocess.run(command, capture_output=True, text=True)
    assert full.returncode == 1, full.stderr
    line = full.stderr.strip().splitlines()[-1]
    assert "internal error" not in line and "task lens.minilm failed" in line and "No space left on device" in line, line
    assert "run again to resume" in line
    done = sorted(os.listdir(out / "tasks"))
    assert "lens.minilm" not in done and len(done) == 3  # the spectra were kept, nothing half-written
    # Room again: the same command finishes, reusing the three spectra.
    assert subprocess.run(["mount", "-o", "remount,size=64m", str(small_disk)]).returncode == 0
    again = subprocess.run(command + ["--quiet"], capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    manifest = json.loads((out / "study.json").read_text())
    assert manifest["tasks_reused"] == 3 and manifest["tasks_computed"] == 1
